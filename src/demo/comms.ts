/**
 * The demo of section B (seed 001): a week of call distribution and the daily silence sweep, driven by the scheduler
 * on a sandbox portal with 200 companies and the «Менеджеры» list (one manager on vacation, one on sick leave).
 * Self-contained — its own sandbox, store, client and worker — because it moves the clock from Monday to Monday.
 * `runCommsDemo({write})` is called by `npm run demo`; `tsx src/demo/comms.ts` runs it alone.
 */
import { createRegistry } from '../activities/registry';
import { createBitrixClient } from '../bitrix';
import { startSandbox } from '../sandbox';
import { crmState } from '../sandbox/data/crm-state';
import { tasksState } from '../sandbox/data/tasks-state';
import { createScheduler, jobsFromRobots } from '../scheduler';
import { attachSandboxPortal } from '../dev/sandbox-portal';
import { createStore } from '../store';
import { standaloneRun } from '../store/standalone-run';
import type { RunRecord } from '../store/types';
import { createWorker } from '../worker/worker';
import { robots } from '../../robots';

export interface CommsDemoOptions {
  write(line: string): void;
  /** Companies in the client base (default 200). */
  companies?: number;
}

/** Sunday 2 March 2025, 23:00 in Moscow: the demo starts just before the week. */
const START = Date.parse('2025-03-02T20:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export async function runCommsDemo(options: CommsDemoOptions): Promise<void> {
  const { write } = options;
  let nowMs = START;
  const clock = () => new Date(nowMs);
  const sandbox = await startSandbox({
    clock,
    randomSeed: 5,
    portals: [{ domain: 'klerk.bitrix24.test', timeZone: 'Europe/Moscow', seed: { companies: options.companies ?? 200, managers: 6 } }],
    logger: { error: (message) => write(`sandbox: ${message}`) },
  });
  const portal = sandbox.defaultPortal;
  const store = await createStore('sqlite::memory:', { clock });
  sandbox.setLimits(portal.memberId, { tokenTtlSeconds: 30 * 86_400 });
  await attachSandboxPortal(store, sandbox, portal, { now: clock(), applicationToken: 'd3m0d3m0d3m0d3m0d3m0d3m0d3m0d3m0' });
  const sleep = async (ms: number) => {
    nowMs += Math.max(0, ms);
  };
  const client = createBitrixClient({
    store,
    oauth: { clientId: sandbox.app.clientId, clientSecret: sandbox.app.clientSecret, server: sandbox.url },
    clock,
    sleep,
  });
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const worker = createWorker({ store, client, registry: createRegistry(robots), logger: quiet, clock });
  const jobs = jobsFromRobots(robots).filter((job) => job.name === 'calls_distribute' || job.name === 'comms_sweep');
  const scheduler = createScheduler({ store, jobs, clock });

  const users = new Map(portal.users.map((user) => [user.id, `${user.name} ${user.lastName}`]));
  const requests = () => sandbox.journal(portal.memberId).httpRequests;
  const callTasks = () => Object.values(tasksState(portal).tasks).filter((task) => task.title.startsWith('Позвонить клиенту'));
  const stamp = () => new Date(nowMs).toLocaleString('ru-RU', { timeZone: 'Europe/Moscow', weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });

  async function at(ms: number, what: string): Promise<RunRecord[]> {
    nowMs = ms;
    const before = requests();
    const fired = await scheduler.tick();
    await worker.drain();
    write(`\n${stamp()} — ${what}`);
    const runs: RunRecord[] = [];
    for (const tick of fired) {
      const run = await store.getRun(tick.runId);
      if (run) runs.push(run);
      write(`  [${tick.job}] ${run?.logMessage ?? run?.lastError ?? '—'}`);
    }
    if (fired.length === 0) write('  (nothing due)');
    write(`  REST requests to the portal: ${requests() - before}`);
    return runs;
  }

  /** Who got which companies since a moment, in the order the queue gave them out. */
  function assignmentsSince(sinceMs: number): void {
    const given = callTasks()
      .filter((task) => Date.parse(task.createdDate) >= sinceMs)
      .sort((a, b) => a.id - b.id)
      .map((task) => ({ managerId: task.responsibleId, company: Number(task.ufCrmTask[0]?.slice(3)) }));
    if (given.length === 0) return;
    const order = given.map((item) => item.company);
    const wrapAt = order.findIndex((id, i) => i > 0 && id < order[i - 1]);
    write(
      wrapAt === -1
        ? `    queue: companies #${order[0]} … #${order[order.length - 1]}`
        : `    queue: companies #${order[0]} … #${order[wrapAt - 1]}, then from the start #${order[wrapAt]} … #${order[order.length - 1]}`,
    );
    const byManager = new Map<number, number[]>();
    for (const item of given) byManager.set(item.managerId, [...(byManager.get(item.managerId) ?? []), item.company]);
    for (const [managerId, companies] of byManager) {
      write(`    ${users.get(managerId) ?? managerId}: ${companies.length} call tasks (#${companies.slice(0, 3).join(', #')}, …)`);
    }
  }

  try {
    const seed = crmState(portal).seed!;
    const serviceDeals = () => Object.values(crmState(portal).items['2'] ?? {}).filter((deal) => Number(deal.categoryId) === seed.pipelines.clientService).length;
    write('Section B demo (seed 001): call distribution and silence control on klerk.bitrix24.test');
    write(`  ${options.companies ?? 200} companies, managers list «Менеджеры»: ${seed.users.managers.map((id) => users.get(id)).join(', ')}`);
    write('  (the 2nd is on vacation and the 4th on sick leave); 30 companies per manager a week; silence after 90 days.');
    await scheduler.sync();

    const monday = Date.parse('2025-03-03T03:00:00Z'); // 06:00 Moscow
    await at(monday, 'the daily silence sweep (06:00)');
    write(`  open deals in «Клиентский сервис»: ${serviceDeals()}`);

    const week1 = monday + 3 * HOUR; // 09:00 Moscow
    await at(week1, 'the weekly call distribution (Monday 09:00)');
    assignmentsSince(week1);

    nowMs = week1 + 2 * HOUR;
    const { run } = await store.enqueueRun(
      standaloneRun({
        memberId: portal.memberId,
        robotCode: 'calls_distribute',
        source: 'manual',
        dedupeKey: 'demo-rerun',
        firedAt: clock(),
        availableAt: clock(),
      }),
    );
    await worker.drain();
    write(`\n${stamp()} — an admin runs the distribution again by hand`);
    write(`  [calls_distribute] ${(await store.getRun(run.id))?.logMessage}`);

    await at(monday + DAY, 'the daily silence sweep (Tuesday 06:00)');

    for (let day = 2; day < 7; day++) {
      nowMs = monday + day * DAY;
      await scheduler.tick();
      await worker.drain();
    }
    const week2 = week1 + 7 * DAY;
    await at(week2, 'the next Monday: the queue goes on from where it stopped and wraps around');
    assignmentsSince(week2);
    write(`\nCall tasks in the portal: ${callTasks().length}; service deals: ${serviceDeals()}.`);
  } finally {
    await worker.stop();
    await scheduler.stop();
    await client.close();
    await store.close();
    await sandbox.close();
  }
}

if (require.main === module) {
  runCommsDemo({ write: (line) => process.stdout.write(`${line}\n`) }).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
