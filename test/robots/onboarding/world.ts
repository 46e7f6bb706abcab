/**
 * A small real world for the onboarding robot tests: the sandbox portal (Moscow, the seed's pipelines and user
 * fields, no generated companies) installs the app into the real service (HTTP edge, store, Bitrix24 client); runs
 * are processed by real workers over HTTP, which the test drives (`settle`) instead of sleeping.
 */
import type { RobotDefinition } from '../../../src/activities/types';
import { createApp, type App } from '../../../src/app';
import type { B24, BitrixClient } from '../../../src/bitrix/types';
import { freePort, loopbackConfig } from '../../../src/dev/local-service';
import { createLogger, createSilentLogger } from '../../../src/logger';
import { startSandbox, type Sandbox, type SandboxPortal } from '../../../src/sandbox';
import { installApp, whenDelivered, whenIdle } from '../../../src/sandbox/bizproc';
import { createItem, updateItem } from '../../../src/sandbox/data';
import { standaloneRun } from '../../../src/store/standalone-run';
import { createWorker, type Worker, type WorkerOptions } from '../../../src/worker';
import onboardingCheckCompany from '../../../robots/onboarding_check_company';
import onboardingCreateDeal from '../../../robots/onboarding_create_deal';

export const CLIENT_ID = 'local.6650f1a2b3c4d5.55667788';
const CLIENT_SECRET = 'sandbox-onboarding-secret-0000000000000000000000000000';
export const ROBOTS: RobotDefinition[] = [onboardingCheckCompany, onboardingCreateDeal];

export interface World {
  sandbox: Sandbox;
  portal: SandboxPortal;
  app: App;
  memberId: string;
  /** REST as the installing admin, through the service's client. */
  b24: B24;
  /** REST through an incoming webhook of the admin: what the test observes and does as a person would, without
   *  using the service's client (and its rate limit). */
  rest<T = any>(method: string, params?: Record<string, unknown>): Promise<T>;
  worker: Worker;
  /** Another worker on the same store (another instance), e.g. with a client that fails on purpose. */
  addWorker(options?: Partial<WorkerOptions> & { client?: BitrixClient }): Worker;
  /** Delivers what the portal sent and runs what was queued until nothing is left; then the portal is idle. */
  settle(worker?: Worker): Promise<void>;
  /** Queues a run on a company as `b24robots invoke` does (no workflow); returns the run id. */
  invoke(code: string, companyId: number): Promise<string>;
  /** Adds a company the way the portal's own UI would: events and workflow auto-starts follow. */
  addCompany(fields: Record<string, unknown>): Promise<number>;
  /** Adds a company behind the portal's back (no events), with the creation time given: for precise month tests. */
  plantCompany(fields: Record<string, unknown>, createdAt: string): number;
  /** Changes a company behind the portal's back (no events, no workflows). */
  patchCompany(id: number, fields: Record<string, unknown>): void;
  deals(companyId: number): Promise<Array<Record<string, string>>>;
  /** Every task bound to the company. */
  tasks(companyId: number): Promise<Array<Record<string, any>>>;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const sandbox = await startSandbox({
    apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, installUrl: `${publicUrl}/install` }],
    portals: [
      {
        domain: 'buh.bitrix24.test',
        culture: 'ru',
        timeZone: 'Europe/Moscow',
        // Enterprise: 250 requests burst, so the suite never waits on the rate limit (which is tested elsewhere).
        plan: 'enterprise',
        limits: { bucket: { enabled: false } },
        seed: { companies: 0, managers: 2, activities: false, deals: false },
      },
    ],
    logger: { error: () => undefined },
  });
  const config = loopbackConfig({
    port,
    oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, server: sandbox.url },
    databaseUrl: 'sqlite::memory:',
    workerConcurrency: 4,
  });
  // DEBUG_WORLD=1 shows the service's log.
  const logger = process.env.DEBUG_WORLD ? createLogger({ level: 'debug', json: false }) : createSilentLogger();
  // The service's own worker is off: tests drive workers explicitly, so nothing runs behind their back.
  const portal = sandbox.defaultPortal;
  const app = await createApp({ config, robots: ROBOTS, logger, worker: false, scheduler: false });
  await installApp(sandbox, portal, CLIENT_ID);
  await app.ready;
  const memberId = portal.memberId;
  const workers: Worker[] = [];
  const addWorker = (options: Partial<WorkerOptions> & { client?: BitrixClient } = {}): Worker => {
    const worker = createWorker({
      store: app.store,
      registry: app.registry,
      logger,
      concurrency: 4,
      pollMs: 20,
      backoff: () => 0,
      ...options,
      client: options.client ?? app.client,
    });
    workers.push(worker);
    return worker;
  };
  const worker = addWorker();

  async function settle(using: Worker = worker): Promise<void> {
    for (let round = 0; round < 50; round++) {
      await whenDelivered(portal);
      const attempts = await using.drain();
      if (attempts === 0) {
        await whenIdle(portal, { timeoutMs: 5_000 });
        return;
      }
    }
    throw new Error('the portal and the service did not settle after 50 rounds');
  }

  const b24 = app.client.forPortal(memberId);
  const hook = sandbox.createWebhook(memberId, { userId: 1 });
  async function rest<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(`${hook.url}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    const body = (await response.json()) as { result?: T; error?: string; error_description?: string };
    if (!response.ok || body.error !== undefined) throw new Error(`${method}: ${body.error} ${body.error_description}`);
    return body.result as T;
  }
  const silently = () => ({ portal, userId: 1, now: sandbox.now(), api: 'sandbox' as const, emit: false });
  let invoked = 0;

  return {
    sandbox,
    portal,
    app,
    memberId,
    b24,
    rest,
    worker,
    addWorker,
    settle,
    async invoke(code, companyId) {
      const { run } = await app.store.enqueueRun(
        standaloneRun({
          memberId,
          robotCode: code,
          source: 'manual',
          dedupeKey: `test:${code}:${companyId}:${++invoked}`,
          documentId: ['crm', 'CCrmDocumentCompany', `COMPANY_${companyId}`],
          documentType: ['crm', 'CCrmDocumentCompany', 'COMPANY'],
          firedAt: new Date(),
        }),
      );
      return run.id;
    },
    async addCompany(fields) {
      return Number(await rest('crm.company.add', { fields }));
    },
    plantCompany(fields, createdAt) {
      return createItem(silently(), 4, { ...fields, DATE_CREATE: createdAt }).id;
    },
    patchCompany(id, fields) {
      updateItem(silently(), 4, id, fields);
    },
    async deals(companyId) {
      return rest('crm.deal.list', {
        filter: { COMPANY_ID: companyId },
        select: ['ID', 'TITLE', 'CATEGORY_ID', 'STAGE_ID', 'COMPANY_ID', 'ASSIGNED_BY_ID', 'UF_CRM_TARIFF_TYPE', 'UF_CRM_TARIFF_COST', 'UF_CRM_SERVICE_MONTH'],
      });
    },
    async tasks(companyId) {
      const answer = await rest<{ tasks: Array<Record<string, any>> }>('tasks.task.list', {
        filter: { UF_CRM_TASK: `CO_${companyId}` },
        select: ['ID', 'TITLE', 'STATUS', 'RESPONSIBLE_ID', 'DESCRIPTION', 'CLOSED_DATE', 'UF_CRM_TASK'],
      });
      return answer.tasks;
    },
    async close() {
      for (const w of workers) await w.stop();
      await app.close();
      await sandbox.close();
    },
  };
}
