import request from 'supertest';
import type { Express } from 'express';
import { createHttpApp } from '../../src/http/app';
import { createInstallVerifier, createWhoAmI } from '../../src/http/install-verifier';
import { REGISTRATION_STATE_KEY } from '../../src/http/portal-registrar';
import type { Store } from '../../src/store/types';
import {
  APPLICATION_TOKEN,
  capturingLogger,
  CLIENT_ID,
  CLIENT_SECRET,
  DOMAIN,
  fakePortalClient,
  form,
  memoryStore,
  MEMBER_ID,
  portalRecord,
  PUBLIC_URL,
  registry,
  startFakeOAuthServer,
  type FakeOAuthServer,
} from './helpers';
import type { EncodableValue } from '../../src/util/bracket-form';

const NOW = new Date('2025-01-10T12:00:00Z');
const ADMIN_TOKEN = 'a0d1m2i3n4a5c6c7e8s9s0t1o2k3e4n5';
const ADMIN_REFRESH = 'r0e1f2r3e4s5h6t7o8k9e0n1a2d3m4i5';

/** ONAPPINSTALL / ONAPPUPDATE as the portal POSTs them (PROTOCOL §4.3). */
function appEvent(event: string, auth: Record<string, EncodableValue> = {}, data: Record<string, EncodableValue> = {}): string {
  return form({
    event,
    data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'ru', ...data },
    ts: '1736510400',
    auth: {
      access_token: ADMIN_TOKEN,
      expires: String(NOW.getTime() / 1000 + 3600),
      expires_in: '3600',
      scope: 'crm,bizproc,task,user',
      domain: DOMAIN,
      server_endpoint: 'https://oauth.bitrix.info/rest/',
      status: 'L',
      client_endpoint: `https://${DOMAIN}/rest/`,
      member_id: MEMBER_ID,
      user_id: '1',
      refresh_token: ADMIN_REFRESH,
      application_token: APPLICATION_TOKEN,
      ...auth,
    },
  });
}

function uninstallEvent(applicationToken = APPLICATION_TOKEN): string {
  return form({
    event: 'ONAPPUNINSTALL',
    data: { LANGUAGE_ID: 'ru', CLEAN: '0' },
    ts: '1736510400',
    auth: {
      domain: DOMAIN,
      server_endpoint: 'https://oauth.bitrix.info/rest/',
      client_endpoint: `https://${DOMAIN}/rest/`,
      member_id: MEMBER_ID,
      application_token: applicationToken,
    },
  });
}

const ROBOT_CODES = ['deal_notify', 'comms_stamp'];
const ACTIVITY_CODES = ['deal_notify_bp', 'company_onboard_bp', 'comms_stamp_bp'];

describe('install, update and uninstall', () => {
  let store: Store;
  let app: Express;
  let oauthServer: FakeOAuthServer;
  let portal: ReturnType<typeof fakePortalClient>;
  let lines: string[];

  beforeAll(async () => {
    oauthServer = await startFakeOAuthServer();
  });
  afterAll(async () => {
    await oauthServer.close();
  });

  beforeEach(async () => {
    store = await memoryStore();
    oauthServer.tokens.clear();
    oauthServer.requests.length = 0;
    oauthServer.tokens.set(ADMIN_TOKEN, { clientId: CLIENT_ID, memberId: MEMBER_ID, domain: DOMAIN, userId: 1, admin: true });
    portal = fakePortalClient({ license: 'ru_ent250' });
    const captured = capturingLogger();
    lines = captured.lines;
    const oauth = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, server: oauthServer.url };
    app = createHttpApp({
      store,
      registry,
      client: portal.client,
      logger: captured.logger,
      config: { publicUrl: PUBLIC_URL, oauth, bodyLimitBytes: 256 * 1024 },
      clock: () => NOW,
      verifyInstallToken: createInstallVerifier({ oauthServer: oauthServer.url, clientId: CLIENT_ID }),
      whoAmI: createWhoAmI(),
    });
  });

  afterEach(async () => {
    await store.close();
  });

  const post = (body: string, contentType = 'application/x-www-form-urlencoded') =>
    request(app).post('/install').set('Content-Type', contentType).send(body);

  const adds = () => portal.calls.filter((c) => /^bizproc\.(robot|activity)\.add$/.test(c.method));

  it('a new portal is installed after the OAuth server verifies the token, and every robot is registered with the admin token', async () => {
    const res = await post(appEvent('ONAPPINSTALL'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'installed', registration: { ok: true, added: 5, events: ['ONCRMACTIVITYADD', 'ONCRMCOMPANYADD', 'ONCRMCOMPANYUPDATE'] } });
    expect(oauthServer.requests).toEqual(['POST /rest/app.info']);

    expect(await store.getPortal(MEMBER_ID)).toMatchObject({
      domain: DOMAIN,
      // from the verified domain, not from the request
      clientEndpoint: `https://${DOMAIN}/rest/`,
      applicationToken: APPLICATION_TOKEN,
      adminUserId: 1,
      culture: 'ru',
      timeZone: 'Europe/Moscow',
      plan: 'enterprise', // app.info LICENSE ru_ent250
      uninstalledAt: null,
    });
    expect(await store.getToken(MEMBER_ID, 1)).toMatchObject({ accessToken: ADMIN_TOKEN, refreshToken: ADMIN_REFRESH });

    expect(adds().map((c) => c.method)).toEqual([
      'bizproc.robot.add',
      'bizproc.activity.add',
      'bizproc.activity.add',
      'bizproc.robot.add',
      'bizproc.activity.add',
    ]);
    expect(adds().every((c) => c.userId === 1 && c.memberId === MEMBER_ID)).toBe(true);
    expect([...portal.registered.keys()].sort()).toEqual([...ROBOT_CODES, ...ACTIVITY_CODES].sort());
    const notify = adds().find((c) => (c.params as any).CODE === 'deal_notify')?.params as any;
    expect(notify).toMatchObject({ HANDLER: `${PUBLIC_URL}/robots/deal_notify`, AUTH_USER_ID: 1, USE_SUBSCRIPTION: 'Y' });
    expect([...portal.bindings]).toContain(`ONCRMCOMPANYADD|${PUBLIC_URL}/events`);
    expect(await store.getState(MEMBER_ID, REGISTRATION_STATE_KEY)).toMatchObject({ status: 'done', added: 5 });
  });

  it('a token the OAuth server does not know installs nothing', async () => {
    const res = await post(appEvent('ONAPPINSTALL', { access_token: 'forged-token-0000000000000000' }));
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('INSTALL_NOT_VERIFIED');
    expect(await store.getPortal(MEMBER_ID)).toBeNull();
    expect(portal.calls).toEqual([]);
  });

  it("a real token of another portal cannot install under this portal's member_id", async () => {
    oauthServer.tokens.set('other-portal-token', { clientId: CLIENT_ID, memberId: 'b'.repeat(32), domain: 'other.bitrix24.ru' });
    const res = await post(appEvent('ONAPPINSTALL', { access_token: 'other-portal-token' }));
    expect(res.status).toBe(403);
    expect(res.body.error_description).toMatch(/another portal/);
    expect(await store.getPortal(MEMBER_ID)).toBeNull();
  });

  it("a token of another app is refused", async () => {
    oauthServer.tokens.set('other-app-token', { clientId: 'app.other.1', memberId: MEMBER_ID, domain: DOMAIN });
    const res = await post(appEvent('ONAPPINSTALL', { access_token: 'other-app-token' }));
    expect(res.status).toBe(403);
    expect(res.body.error_description).toMatch(/another app/);
  });

  it('a forged install for an installed portal without its application_token is refused and changes nothing', async () => {
    await store.upsertPortal(portalRecord());
    const before = await store.getPortal(MEMBER_ID);
    const res = await post(
      appEvent('ONAPPINSTALL', {
        access_token: 'attacker-token',
        application_token: 'attacker-application-token-00000',
        client_endpoint: 'https://attacker.example.com/rest/',
        user_id: '666',
      }),
    );
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('APPLICATION_TOKEN_MISMATCH');
    expect(await store.getPortal(MEMBER_ID)).toEqual(before);
    expect(await store.getToken(MEMBER_ID, 666)).toBeNull();
    expect(portal.calls).toEqual([]);
    expect(lines.join('')).not.toContain('attacker-application-token');
  });

  it('ONAPPUPDATE with the stored application_token re-registers everything (the portal deleted them)', async () => {
    await post(appEvent('ONAPPINSTALL'));
    // the update deletes every robot of the app on the portal (PROTOCOL §1.1)
    portal.registered.clear();
    portal.calls.length = 0;
    const res = await post(appEvent('ONAPPUPDATE', { access_token: ADMIN_TOKEN }, { VERSION: '2', PREVIOUS_VERSION: '1' }));
    expect(res.status).toBe(200);
    expect(adds()).toHaveLength(5);
    expect(portal.registered.size).toBe(5);
    expect((await store.getPortal(MEMBER_ID))?.appVersion).toBe(2);
    // the stored application_token proved the request: no second verification
    expect(oauthServer.requests).toEqual(['POST /rest/app.info']);
  });

  it('registering again on the same version updates the codes that are already installed', async () => {
    await post(appEvent('ONAPPINSTALL'));
    portal.calls.length = 0;
    const res = await post(appEvent('ONAPPINSTALL'));
    expect(res.body.registration).toMatchObject({ ok: true, added: 0, updated: 5 });
    const updates = portal.calls.filter((c) => c.method.endsWith('.update'));
    expect(updates).toHaveLength(5);
    expect(updates[0].params).toMatchObject({ CODE: expect.any(String), FIELDS: { HANDLER: expect.stringContaining('/robots/') } });
  });

  it('a registration the portal refuses is recorded as failed, and the portal stays installed', async () => {
    portal = fakePortalClient({ failMethod: 'bizproc.robot.add' });
    const captured = capturingLogger();
    const oauth = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, server: oauthServer.url };
    app = createHttpApp({
      store,
      registry,
      client: portal.client,
      logger: captured.logger,
      config: { publicUrl: PUBLIC_URL, oauth, bodyLimitBytes: 256 * 1024 },
      clock: () => NOW,
      verifyInstallToken: createInstallVerifier({ oauthServer: oauthServer.url, clientId: CLIENT_ID }),
    });
    const res = await post(appEvent('ONAPPINSTALL'));
    expect(res.status).toBe(200);
    expect(res.body.registration.ok).toBe(false);
    expect(res.body.registration.failed).toEqual([
      { kind: 'robot', code: 'deal_notify', error: 'ACCESS_DENIED', description: 'Access denied!' },
      { kind: 'robot', code: 'comms_stamp', error: 'ACCESS_DENIED', description: 'Access denied!' },
    ]);
    expect(await store.getState(MEMBER_ID, REGISTRATION_STATE_KEY)).toMatchObject({ status: 'failed' });
    expect(await store.getPortal(MEMBER_ID)).not.toBeNull();
  });

  it('ONAPPUNINSTALL with the stored application_token stops all work for the portal', async () => {
    await post(appEvent('ONAPPINSTALL'));
    const queued = await store.enqueueRun({
      memberId: MEMBER_ID,
      robotCode: 'deal_notify',
      source: 'robot',
      dedupeKey: 'token-1',
      workflowId: 'wf',
      eventToken: 'token-1',
      documentId: ['crm', 'CCrmDocumentDeal', 'DEAL_1'],
      documentType: null,
      properties: {},
      userId: 1,
      useSubscription: true,
      firedAt: NOW,
    });
    const res = await post(uninstallEvent());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'uninstalled', cancelledRuns: 1 });
    expect((await store.getPortal(MEMBER_ID))?.uninstalledAt).toEqual(NOW);
    expect((await store.getRun(queued.run.id))?.state).toBe('failed');
    expect(await store.getState(MEMBER_ID, REGISTRATION_STATE_KEY)).toMatchObject({ status: 'removed' });
  });

  it('ONAPPUNINSTALL without the stored application_token changes nothing', async () => {
    await store.upsertPortal(portalRecord());
    const res = await post(uninstallEvent('ffffffffffffffffffffffffffffffff'));
    expect(res.status).toBe(403);
    expect((await store.getPortal(MEMBER_ID))?.uninstalledAt).toBeNull();
  });

  it('a reinstall after uninstall brings a new application_token, verified again', async () => {
    await post(appEvent('ONAPPINSTALL'));
    await post(uninstallEvent());
    const res = await post(appEvent('ONAPPINSTALL', { application_token: 'c917d38f6bdb84e9d9e0bfe9d585be73' }));
    expect(res.status).toBe(200);
    const record = await store.getPortal(MEMBER_ID);
    expect(record).toMatchObject({ applicationToken: 'c917d38f6bdb84e9d9e0bfe9d585be73', uninstalledAt: null });
    expect(oauthServer.requests).toEqual(['POST /rest/app.info', 'POST /rest/app.info']);
  });

  it('a rotated application_token on ONAPPUPDATE is accepted only from a verified admin of the portal', async () => {
    const portalEndpoint = `${oauthServer.url}/portal/rest/`;
    await store.upsertPortal(portalRecord({ clientEndpoint: portalEndpoint }));
    const rotated = 'c917d38f6bdb84e9d9e0bfe9d585be73';
    oauthServer.tokens.set('manager-token', { clientId: CLIENT_ID, memberId: MEMBER_ID, domain: DOMAIN, clientEndpoint: portalEndpoint, userId: 9, admin: false });
    const byManager = await post(appEvent('ONAPPUPDATE', { access_token: 'manager-token', application_token: rotated, user_id: '9' }));
    expect(byManager.status).toBe(403);
    expect((await store.getPortal(MEMBER_ID))?.applicationToken).toBe(APPLICATION_TOKEN);

    oauthServer.tokens.set(ADMIN_TOKEN, { clientId: CLIENT_ID, memberId: MEMBER_ID, domain: DOMAIN, clientEndpoint: portalEndpoint, userId: 1, admin: true });
    const byAdmin = await post(appEvent('ONAPPUPDATE', { application_token: rotated }));
    expect(byAdmin.status).toBe(200);
    expect((await store.getPortal(MEMBER_ID))?.applicationToken).toBe(rotated);
    expect(oauthServer.requests).toContain('POST /rest/profile');
  });

  it('the install page form (AUTH_ID, REFRESH_ID, APPLICATION_TOKEN) installs and answers the page that calls installFinish', async () => {
    const portalEndpoint = `${oauthServer.url}/portal/rest/`;
    oauthServer.tokens.set(ADMIN_TOKEN, { clientId: CLIENT_ID, memberId: MEMBER_ID, domain: DOMAIN, clientEndpoint: portalEndpoint, userId: 1, admin: true });
    const res = await request(app)
      .post(`/install?DOMAIN=${DOMAIN}&PROTOCOL=1&LANG=ru&APP_SID=dd8cec11e347088fe87c44870a9f1dba`)
      .type('form')
      .send(
        form({
          AUTH_ID: ADMIN_TOKEN,
          AUTH_EXPIRES: '3600',
          REFRESH_ID: ADMIN_REFRESH,
          SERVER_ENDPOINT: 'https://oauth.bitrix.info/rest/',
          APPLICATION_TOKEN,
          APPLICATION_SCOPE: 'crm,bizproc,task,user',
          member_id: MEMBER_ID,
          status: 'L',
          PLACEMENT: 'DEFAULT',
        }),
      );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('BX24.installFinish()');
    expect(res.text).toContain('5 robots and activities are registered');
    expect(await store.getPortal(MEMBER_ID)).toMatchObject({ clientEndpoint: portalEndpoint, adminUserId: 1 });
    expect(await store.getToken(MEMBER_ID, 1)).toMatchObject({ refreshToken: ADMIN_REFRESH });
  });

  it('accepts a JSON install callback too', async () => {
    const res = await post(
      JSON.stringify({
        event: 'ONAPPINSTALL',
        data: { VERSION: 1, LANGUAGE_ID: 'en' },
        auth: { access_token: ADMIN_TOKEN, refresh_token: ADMIN_REFRESH, member_id: MEMBER_ID, application_token: APPLICATION_TOKEN, user_id: 1, domain: DOMAIN, expires_in: 3600 },
      }),
      'application/json',
    );
    expect(res.status).toBe(200);
    expect((await store.getPortal(MEMBER_ID))?.culture).toBe('en');
  });

  it('anything else is a 400 that names what is expected', async () => {
    const res = await post(form({ event: 'ONCRMDEALADD', auth: { member_id: MEMBER_ID } }));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('UNKNOWN_EVENT');
  });

  it('logs the install without any token', async () => {
    await post(appEvent('ONAPPINSTALL'));
    const log = lines.join('');
    expect(log).toContain('portal installed');
    expect(log).toContain('robots registered');
    for (const secret of [ADMIN_TOKEN, ADMIN_REFRESH, APPLICATION_TOKEN]) expect(log).not.toContain(secret);
  });
});
