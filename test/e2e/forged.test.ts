/**
 * Issue 3, end to end: forged installs and forged robot calls are refused with a 4xx, store nothing and make no REST
 * call — the sandbox portal's journal does not move, and a server named in the forged request (as the portal's
 * `client_endpoint`) is never contacted (PROTOCOL §4.3–4.4: `application_token` is the proof, keyed by `member_id`;
 * a first install is proved only by the OAuth server).
 */
import axios from 'axios';
import { randomBytes } from 'node:crypto';
import { installApp, placeRobot, whenIdle } from '../../src/sandbox/bizproc';
import type { PortalRecord, RunState, TokenRecord } from '../../src/store/types';
import { encodeBracketForm, type EncodableValue } from '../../src/util/bracket-form';
import { dealTaskRobot } from './fixtures/robots';
import { CLIENT_ID, startRecorder, startWorld, until, webhookRest, type Recorder, type World } from './helpers';

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** The §4.3 ONAPPINSTALL form, as the portal sends it, with what a forger chooses. */
function installForm(auth: Record<string, EncodableValue>, event = 'ONAPPINSTALL'): string {
  return encodeBracketForm({
    event,
    data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'ru' },
    ts: String(Math.floor(Date.now() / 1000)),
    auth: {
      access_token: hex(35),
      expires: String(Math.floor(Date.now() / 1000) + 3600),
      expires_in: '3600',
      scope: 'crm,bizproc,task,user',
      server_endpoint: 'https://oauth.bitrix.info/rest/',
      status: 'L',
      user_id: '1',
      refresh_token: hex(35),
      ...auth,
    },
  });
}

/** The §2.2 robot call, fields in order, `auth` last. */
function robotCallForm(auth: Record<string, EncodableValue>): string {
  const workflowId = `${hex(7)}.${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  return encodeBracketForm({
    workflow_id: workflowId,
    code: 'e2e_deal_task',
    document_id: ['crm', 'CCrmDocumentDeal', 'DEAL_999'],
    document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
    event_token: `${workflowId}|A40364_79843_85254_57332|${hex(16)}.${hex(32)}`,
    properties: { title: 'Позвонить клиенту', responsible: 'user_1' },
    use_subscription: 'Y',
    timeout_duration: '0',
    ts: String(Math.floor(Date.now() / 1000)),
    auth: {
      access_token: hex(35),
      expires: String(Math.floor(Date.now() / 1000) + 3600),
      expires_in: '3600',
      scope: 'crm,bizproc,task,user',
      domain: 'acme.bitrix24.test',
      server_endpoint: 'https://oauth.bitrix.info/rest/',
      status: 'L',
      user_id: '1',
      refresh_token: hex(35),
      ...auth,
    },
  });
}

describe('forged installs and robot calls are refused without a single REST call', () => {
  let world: World;
  let hostile: Recorder;
  let memberId: string;
  let applicationToken: string;
  let installed: PortalRecord;
  let adminToken: TokenRecord;

  async function post(path: string, body: string) {
    return axios.post(`${world.app.url}${path}`, body, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      validateStatus: () => true,
    });
  }

  async function runCount(): Promise<number> {
    const byState: Record<RunState, number> = await world.store.countRunsByState();
    return Object.values(byState).reduce((sum, n) => sum + n, 0);
  }

  /** Runs `forge` and checks that it changed nothing: no run, no portal record, no token, no REST, no hostile contact. */
  async function expectNothingHappens(forge: () => Promise<{ status: number }>): Promise<{ status: number }> {
    const journal = world.sandbox.journal(memberId);
    const runs = await runCount();
    const answer = await forge();
    // Whatever the service would do in the background has had its chance once the answer is in and a poll passed.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = world.sandbox.journal(memberId);
    expect(after.httpRequests).toBe(journal.httpRequests);
    expect(after.entries).toEqual(journal.entries);
    expect(await runCount()).toBe(runs);
    expect(await world.store.getPortal(memberId)).toEqual(installed);
    expect(await world.store.getToken(memberId, 1)).toEqual(adminToken);
    expect(hostile.requests).toEqual([]);
    return answer;
  }

  beforeAll(async () => {
    world = await startWorld({ robots: [dealTaskRobot] });
    hostile = await startRecorder();
    memberId = world.portal.memberId;
    await installApp(world.sandbox, world.portal, CLIENT_ID);
    applicationToken = world.sandbox.applicationToken(world.portal, CLIENT_ID)!;
    installed = (await world.store.getPortal(memberId))!;
    adminToken = (await world.store.getToken(memberId, 1))!;
    expect(installed.applicationToken).toBe(applicationToken);
  });

  afterAll(async () => {
    await world?.close();
    await hostile?.close();
  });

  it('an install for an installed portal with a wrong application_token is refused and the record stays', async () => {
    const answer = await expectNothingHappens(() =>
      post(
        '/install',
        installForm({
          member_id: memberId,
          domain: world.portal.domain,
          client_endpoint: `${hostile.url}/rest/`,
          application_token: hex(16),
        }),
      ),
    );
    expect(answer.status).toBe(403);
  });

  it('an uninstall for an installed portal with a wrong application_token is refused and the portal keeps working', async () => {
    const body = encodeBracketForm({
      event: 'ONAPPUNINSTALL',
      data: { LANGUAGE_ID: 'ru', CLEAN: '1' },
      ts: String(Math.floor(Date.now() / 1000)),
      auth: {
        domain: world.portal.domain,
        client_endpoint: `${hostile.url}/rest/`,
        server_endpoint: 'https://oauth.bitrix.info/rest/',
        member_id: memberId,
        application_token: hex(16),
      },
    });
    const answer = await expectNothingHappens(() => post('/install', body));
    expect(answer.status).toBe(403);
    expect(installed.uninstalledAt).toBeNull();
  });

  it('an install of a new portal whose token the OAuth server does not know is refused and nothing is stored', async () => {
    const stranger = hex(16);
    const answer = await expectNothingHappens(() =>
      post(
        '/install',
        installForm({
          member_id: stranger,
          domain: 'stranger.bitrix24.test',
          client_endpoint: `${hostile.url}/rest/`,
          application_token: hex(16),
        }),
      ),
    );
    expect(answer.status).toBe(403);
    expect(await world.store.getPortal(stranger)).toBeNull();
    expect(await world.store.getToken(stranger, 1)).toBeNull();
  });

  it('a robot call with a wrong application_token is refused and no run is stored', async () => {
    const answer = await expectNothingHappens(() =>
      post(
        '/robots/e2e_deal_task',
        robotCallForm({ member_id: memberId, client_endpoint: world.portal.clientEndpoint, application_token: hex(16) }),
      ),
    );
    expect(answer.status).toBe(401);
  });

  it('a robot call from an unknown member_id is refused and no run is stored', async () => {
    const answer = await expectNothingHappens(() =>
      post('/robots/e2e_deal_task', robotCallForm({ member_id: hex(16), client_endpoint: `${hostile.url}/rest/`, application_token: hex(16) })),
    );
    expect(answer.status).toBe(403);
  });

  it('a robot call pointing client_endpoint at a hostile server is refused and the server hears nothing', async () => {
    const answer = await expectNothingHappens(() =>
      post(
        '/robots/e2e_deal_task',
        robotCallForm({ member_id: memberId, client_endpoint: `${hostile.url}/rest/`, application_token: `${applicationToken.slice(0, -1)}0` }),
      ),
    );
    expect(answer.status).toBe(401);
  });

  it('even a call with the right application_token never sends the work to the client_endpoint it names', async () => {
    // Someone who learned the application_token replays a call with their own endpoint: the call is authentic enough to
    // be queued, but REST goes only to the address stored at install (PROTOCOL §4.4; DESIGN: never a URL from a request).
    const before = world.sandbox.journal(memberId).entries.length;
    const answer = await post(
      '/robots/e2e_deal_task',
      robotCallForm({ member_id: memberId, client_endpoint: `${hostile.url}/rest/`, application_token: applicationToken }),
    );
    expect(answer.status).toBe(200);
    const run = await until('the replayed run to finish', async () => {
      const [found] = await world.store.listRuns({ robotCode: 'e2e_deal_task' });
      return found?.finishedAt ? found : null;
    });
    // The forged event_token is refused by the portal (ACCESS_DENIED), so the run ends failed; no workflow took it.
    expect(run.state).toBe('failed');
    expect(run.lastError).toContain('ACCESS_DENIED');
    expect(hostile.requests).toEqual([]);
    const methods = world.sandbox.journal(memberId).entries.slice(before).filter((e) => e.method !== 'batch').map((e) => e.method);
    expect(methods.sort()).toEqual(['bizproc.event.send', 'tasks.task.add']);
  });

  it('after all this, a real robot call from the portal is still served', async () => {
    placeRobot(world.sandbox, world.portal, {
      entityTypeId: 2,
      stageId: 'PREPARATION',
      code: 'e2e_deal_task',
      properties: { title: 'Сделка {=Document:TITLE}', responsible: 'user_1' },
    });
    const manager = webhookRest(world.sandbox, world.portal);
    const dealId = await manager.call('crm.deal.add', { fields: { TITLE: 'Настоящая', STAGE_ID: 'PREPARATION', CATEGORY_ID: 0 } });
    await whenIdle(world.portal, { timeoutMs: 15_000 });
    const run = await until('the genuine run to finish', async () => {
      const runs = await world.store.listRuns({ robotCode: 'e2e_deal_task' });
      return runs.find((r) => r.documentId?.[2] === `DEAL_${dealId}` && r.finishedAt);
    });
    expect(run).toMatchObject({ state: 'done', properties: { title: 'Сделка Настоящая', responsible: 'user_1' } });
    expect(hostile.requests).toEqual([]);
  });
});
