import request from 'supertest';
import type { Express } from 'express';
import { createBitrixClient } from '../../src/bitrix/client';
import { createHttpApp } from '../../src/http/app';
import { createInstallVerifier, createWhoAmI } from '../../src/http/install-verifier';
import type { Store } from '../../src/store/types';
import {
  APPLICATION_TOKEN,
  capturingLogger,
  CLIENT_ID,
  CLIENT_SECRET,
  form,
  memoryStore,
  MEMBER_ID,
  portalRecord,
  PUBLIC_URL,
  registry,
  robotCall,
  spyHttp,
} from './helpers';

const NOW = new Date('2025-01-10T12:00:00Z');

describe('robot call receiver', () => {
  let store: Store;
  let app: Express;
  let outbound: string[];
  let lines: string[];

  beforeEach(async () => {
    store = await memoryStore();
    await store.upsertPortal(portalRecord());
    const spy = spyHttp();
    outbound = spy.requests;
    const captured = capturingLogger();
    lines = captured.lines;
    const oauth = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, server: 'https://oauth.bitrix.info' };
    app = createHttpApp({
      store,
      registry,
      client: createBitrixClient({ store, oauth, http: spy.http }),
      logger: captured.logger,
      config: { publicUrl: PUBLIC_URL, oauth, bodyLimitBytes: 256 * 1024 },
      clock: () => NOW,
      verifyInstallToken: createInstallVerifier({ oauthServer: oauth.server, clientId: CLIENT_ID, http: spy.http }),
      whoAmI: createWhoAmI({ http: spy.http }),
    });
  });

  afterEach(async () => {
    await store.close();
  });

  const post = (body: string, code = 'deal_notify') =>
    request(app).post(`/robots/${code}`).set('Content-Type', 'application/x-www-form-urlencoded').send(body);

  it('stores a real robot call and answers 200 queued, with no REST call', async () => {
    const res = await post(form(robotCall()));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'queued', run: expect.any(String) });

    const run = await store.getRun(res.body.run);
    expect(run).toMatchObject({
      memberId: MEMBER_ID,
      robotCode: 'deal_notify',
      source: 'robot',
      state: 'queued',
      workflowId: '664fa13bbbb410.99176768',
      documentId: ['crm', 'CCrmDocumentDeal', 'DEAL_123'],
      documentType: ['crm', 'CCrmDocumentDeal', 'DEAL'],
      userId: 1,
      useSubscription: true,
      firedAt: new Date(1716494651 * 1000),
    });
    expect(run?.eventToken).toContain('|A40364_79843_85254_57332|');
    // Raw wire values: coercion is the worker's job.
    expect(run?.properties).toEqual({ text: 'Hello world', when: '31.12.2024 18:00:00', to: ['user_1', 'user_7'] });
    expect(outbound).toEqual([]);
  });

  it('keeps the call token pair for its user, since the call came from the portal', async () => {
    await post(form(robotCall()));
    const token = await store.getToken(MEMBER_ID, 1);
    expect(token).toMatchObject({ userId: 1, expiresAt: new Date(1716498251 * 1000) });
    expect(token?.refreshToken).toMatch(/^f9e8d7/);
  });

  it('does not roll back a fresher stored pair with an older call', async () => {
    await store.saveToken({
      memberId: MEMBER_ID,
      userId: 1,
      accessToken: 'refreshed-access',
      refreshToken: 'refreshed-refresh',
      expiresAt: new Date(1716498251 * 1000 + 3600_000),
      scope: 'crm',
      updatedAt: NOW,
    });
    await post(form(robotCall()));
    expect((await store.getToken(MEMBER_ID, 1))?.accessToken).toBe('refreshed-access');
  });

  it('accepts the activity code of the robot (<code>_bp) on the robot handler URL', async () => {
    const res = await post(form(robotCall({ code: 'deal_notify_bp' })));
    expect(res.status).toBe(200);
    expect((await store.getRun(res.body.run))?.robotCode).toBe('deal_notify');
  });

  it('a multiple property of 100 values stays an array of 100', async () => {
    const users = Array.from({ length: 100 }, (_, i) => `user_${i + 1}`);
    const res = await post(form(robotCall({ properties: { text: 'x', to: users } })));
    expect(res.status).toBe(200);
    const run = await store.getRun(res.body.run);
    expect(run?.properties.to).toEqual(users);
  });

  it('drops __proto__ and constructor keys instead of reaching the prototype', async () => {
    const body = `${form(robotCall())}&properties%5B__proto__%5D%5Bpolluted%5D=yes&constructor%5Bprototype%5D%5Bx%5D=1`;
    const res = await post(body);
    expect(res.status).toBe(200);
    const run = await store.getRun(res.body.run);
    expect(Object.keys(run?.properties ?? {})).toEqual(['text', 'when', 'to']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a 300 KB body with 413 and stores nothing', async () => {
    const res = await post(form(robotCall({ properties: { text: 'x'.repeat(300 * 1024) } })));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('BODY_TOO_LARGE');
    expect(await store.listRuns()).toEqual([]);
  });

  it('a duplicate POST of the same call is one run', async () => {
    const first = await post(form(robotCall()));
    const second = await post(form(robotCall()));
    expect(second.status).toBe(200);
    expect(second.body.run).toBe(first.body.run);
    expect(await store.listRuns()).toHaveLength(1);
  });

  describe('refused calls store nothing, call nothing and log no secret', () => {
    const cases: Array<[string, () => string, string, number, string]> = [
      ['an unknown portal', () => form(robotCall({}, { member_id: 'ffffffffffffffffffffffffffffffff' })), 'deal_notify', 403, 'PORTAL_NOT_INSTALLED'],
      ['a wrong application_token of the same length', () => form(robotCall({}, { application_token: 'ffffffffffffffffffffffffffffffff' })), 'deal_notify', 401, 'APPLICATION_TOKEN_MISMATCH'],
      ['a wrong application_token of another length', () => form(robotCall({}, { application_token: 'x' })), 'deal_notify', 401, 'APPLICATION_TOKEN_MISMATCH'],
      ['no application_token', () => form(robotCall({}, { application_token: null })), 'deal_notify', 400, 'MISSING_FIELD'],
      ['an unknown code', () => form(robotCall({ code: 'no_such_robot' })), 'no_such_robot', 404, 'UNKNOWN_ROBOT'],
      ['a body code of another robot', () => form(robotCall({ code: 'company_onboard_bp' })), 'deal_notify', 400, 'INVALID_FIELD'],
      ['no event_token', () => form(robotCall({ event_token: null })), 'deal_notify', 400, 'MISSING_FIELD'],
      ['a document_id that is not a triple', () => form(robotCall({ document_id: ['crm', 'DEAL_1'] })), 'deal_notify', 400, 'INVALID_FIELD'],
      ['no workflow_id', () => form(robotCall({ workflow_id: null })), 'deal_notify', 400, 'MISSING_FIELD'],
      ['a malformed form', () => 'auth[member_id=abc', 'deal_notify', 400, 'MALFORMED_BODY'],
    ];

    it.each(cases)('%s', async (_name, body, code, status, error) => {
      const res = await post(body(), code);
      expect(res.status).toBe(status);
      expect(res.body.error).toBe(error);
      expect(typeof res.body.error_description).toBe('string');
      expect(await store.listRuns()).toEqual([]);
      expect(await store.getToken(MEMBER_ID, 1)).toBeNull();
      expect(outbound).toEqual([]);
      const log = lines.join('');
      expect(log).toContain(error);
      expect(log).not.toContain(APPLICATION_TOKEN);
      expect(log).not.toContain('b1c2d3e4f5a6');
    });
  });

  it('a call for an uninstalled portal is refused with 410', async () => {
    await store.markPortalUninstalled(MEMBER_ID, NOW);
    const res = await post(form(robotCall()));
    expect(res.status).toBe(410);
    expect(await store.listRuns()).toEqual([]);
  });

  it('refuses a JSON body: Bitrix24 sends forms', async () => {
    const res = await request(app).post('/robots/deal_notify').set('Content-Type', 'application/json').send(JSON.stringify(robotCall()));
    expect(res.status).toBe(415);
    expect(await store.listRuns()).toEqual([]);
  });

  it('never sends REST to a client_endpoint named in the request', async () => {
    const res = await post(form(robotCall({}, { client_endpoint: 'http://169.254.169.254/rest/', domain: 'evil.example' })));
    expect(res.status).toBe(200);
    expect(outbound).toEqual([]);
    expect((await store.getPortal(MEMBER_ID))?.clientEndpoint).toBe('https://acme.bitrix24.ru/rest/');
  });
});
