/**
 * Issue 3, end to end under load: 100 deals enter stages with our robot at once, on a portal whose rate bucket is on
 * (burst 50, 2 requests/s, PROTOCOL §5.2) and already nearly full because another integration on the same server
 * used it, and whose access tokens live 3 seconds. Every run completes and closes its workflow once; each expiry
 * costs one refresh per user (the refresh token rotates, so a second refresh of the same token would fail, §4.6);
 * and the service makes far fewer HTTP requests than REST calls, because concurrent calls travel together in `batch`.
 */
import axios from 'axios';
import { addUser } from '../../src/sandbox/data';
import { installApp, placeRobot, whenIdle, workflowLog } from '../../src/sandbox/bizproc';
import { bizprocState } from '../../src/sandbox/bizproc/state';
import { dealTaskRobot } from './fixtures/robots';
import { CLIENT_ID, startWorld, until, webhookRest, type RefreshRecord, type World } from './helpers';

const DEALS = 100;
const TOKEN_TTL_SECONDS = 3;

describe('100 concurrent robot calls with the rate bucket on and short-lived tokens', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({
      robots: [dealTaskRobot],
      limits: { bucket: { enabled: true, burst: 50, drainPerSecond: 2 }, tokenTtlSeconds: TOKEN_TTL_SECONDS },
      workerConcurrency: DEALS,
      oauthDoor: true,
    });
    addUser(world.portal, { id: 5, name: 'Борис', lastName: 'Петров' });
    await installApp(world.sandbox, world.portal, CLIENT_ID);
  });

  afterAll(async () => {
    await world?.close();
  });

  it('all runs complete once, one refresh per expiry per user, fewer requests than calls', async () => {
    const { sandbox, portal, app, door } = world;
    const memberId = portal.memberId;
    // Two stages: one robot runs as the installing admin (its AUTH_USER_ID), the other "as" user 5.
    placeRobot(sandbox, portal, { entityTypeId: 2, stageId: 'PREPARATION', code: 'e2e_deal_task', properties: { title: 'Договор: {=Document:TITLE}', responsible: 'user_1' } });
    placeRobot(sandbox, portal, {
      entityTypeId: 2,
      stageId: 'PREPAYMENT_INVOICE',
      code: 'e2e_deal_task',
      authUserId: 5,
      properties: { title: 'Счёт: {=Document:TITLE}', responsible: 'user_5' },
    });
    const manager = webhookRest(sandbox, portal);
    const dealIds: number[] = [];
    for (let chunk = 0; chunk < DEALS; chunk += 50) {
      const cmd = Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [`d${chunk + i}`, `crm.deal.add?fields[TITLE]=${encodeURIComponent(`Сделка ${chunk + i + 1}`)}&fields[STAGE_ID]=NEW`]),
      );
      const answer = await manager.call('batch', { halt: 1, cmd });
      dealIds.push(...Object.values(answer.result as Record<string, number>).map(Number));
    }
    expect(dealIds).toHaveLength(DEALS);

    // The admin's stored token is already dead when the work starts; more die while it runs.
    const adminBefore = (await app.store.getToken(memberId, 1))!;
    sandbox.expireTokens(memberId);
    // Another integration on our server has nearly used up the portal's bucket, which is per portal (and source IP).
    const hook = sandbox.createWebhook(memberId, { userId: 1 });
    await Promise.all(Array.from({ length: 55 }, () => axios.post(`${hook.url}server.time`, {}, { validateStatus: () => true })));
    sandbox.portal(memberId).journal.clear();

    // Managers drag 100 deals into the two stages in the portal's UI.
    dealIds.forEach((id, i) => portal.documents.update(2, id, { STAGE_ID: i % 2 === 0 ? 'PREPARATION' : 'PREPAYMENT_INVOICE' }));
    await whenIdle(portal, { timeoutMs: 45_000 });
    const runs = await until('every run to finish', async () => {
      const all = await app.store.listRuns({ robotCode: 'e2e_deal_task' });
      return all.length === DEALS && all.every((run) => run.finishedAt) ? all : null;
    });

    // All complete, each once.
    expect(runs.map((run) => run.state)).toEqual(Array(DEALS).fill('done'));
    expect(new Set(runs.map((run) => run.documentId?.[2]))).toEqual(new Set(dealIds.map((id) => `DEAL_${id}`)));
    expect(new Set(runs.map((run) => run.returnValues?.TaskId)).size).toBe(DEALS);
    const workflows = Object.values(bizprocState(portal).workflows).filter((w) => runs.some((run) => run.workflowId === w.id));
    expect(workflows.map((w) => w.status)).toEqual(Array(DEALS).fill('completed'));
    for (const workflow of workflows) {
      expect(workflowLog(portal, workflow.id).filter((entry) => entry.kind === 'return')).toHaveLength(1);
    }
    const asUser5 = runs.filter((run) => run.userId === 5);
    expect(asUser5).toHaveLength(DEALS / 2);
    expect(asUser5.every((run) => String(run.properties.title).startsWith('Счёт: Сделка '))).toBe(true);

    // The portal's journal: every REST call the robots needed succeeded once; the bucket refused some requests.
    const ours = sandbox.journal(memberId).entries.filter((entry) => entry.clientId === CLIENT_ID);
    const succeeded = (method: string) => ours.filter((entry) => entry.method === method && entry.status === 200).length;
    expect(succeeded('tasks.task.add')).toBe(DEALS);
    expect(succeeded('bizproc.event.send')).toBe(DEALS);
    const refusedByBucket = ours.filter((entry) => entry.status === 503 && entry.error === 'QUERY_LIMIT_EXCEEDED');
    expect(refusedByBucket.length).toBeGreaterThan(0);
    expect(ours.some((entry) => entry.error === 'expired_token')).toBe(true);

    // Coalescing: HTTP requests (each batch once, refused ones included) against REST calls made by the robots.
    const httpRequests = ours.filter((entry) => !entry.batch).length;
    const restCalls = succeeded('tasks.task.add') + succeeded('bizproc.event.send');
    expect(httpRequests).toBeLessThan(restCalls);
    expect(ours.filter((entry) => entry.method === 'batch' && entry.status === 200).length).toBeGreaterThan(0);

    // Refreshes, as the OAuth server saw them: per user a chain where each refresh uses the refresh token the
    // previous one issued, none is refused (a double use of a rotated token would be), and each came only after the
    // access token it replaced had expired: one refresh per expiry.
    const refreshes = door!.refreshes;
    expect(refreshes.every((r) => r.status === 200 && r.error === null)).toBe(true);
    const byUser = new Map<number, RefreshRecord[]>();
    for (const refresh of refreshes) byUser.set(refresh.userId!, [...(byUser.get(refresh.userId!) ?? []), refresh]);
    const admin = byUser.get(1) ?? [];
    expect(admin.length).toBeGreaterThanOrEqual(1);
    expect(admin[0].refreshToken).toBe(adminBefore.refreshToken);
    for (const chain of byUser.values()) {
      for (let i = 1; i < chain.length; i++) {
        expect(chain[i].refreshToken).toBe(chain[i - 1].issuedRefreshToken);
        expect(chain[i].at).toBeGreaterThanOrEqual(chain[i - 1].expires! * 1000);
      }
    }
    expect([...byUser.keys()].every((user) => user === 1 || user === 5)).toBe(true);
    expect(app.client.metrics.refreshes).toBe(refreshes.length);
    // ~10 s here (the bucket lets 2 requests a second through); the margin is for a busy CI machine, not a budget.
  }, 60_000);
});
