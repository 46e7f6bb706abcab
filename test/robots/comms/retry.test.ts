/**
 * Exactly once under faults (RULES.md "Common to all robots"): a distribution whose run fails half-way is retried by
 * the worker and finishes without giving any company twice — whether the failed batch never reached the portal or
 * reached it and only its answer was lost.
 */
import { saveSettings } from '../../../src/activities/settings';
import type { B24, BitrixClient } from '../../../src/bitrix/types';
import { commsSettings } from '../../../robots/comms/settings';
import { addCompany, createWorld, deals, runRobot, serviceCategory, tasks, type World } from './world';

const MONDAY = '2025-03-03T06:00:00Z';

/** A client whose second batch of tasks fails once: before it is sent, or after the portal ran it. */
function failSecondTaskBatch(mode: 'before-send' | 'answer-lost') {
  let taskBatches = 0;
  return (client: BitrixClient): BitrixClient => ({
    metrics: client.metrics,
    close: () => client.close(),
    forPortal(memberId, options) {
      const real = client.forPortal(memberId, options);
      const wrapped: B24 = {
        memberId: real.memberId,
        call: real.call.bind(real),
        callRaw: real.callRaw.bind(real),
        listAll: real.listAll.bind(real),
        listPages: real.listPages.bind(real),
        async batch(commands, batchOptions) {
          const isTasks = Object.values(commands).some(([method]) => method === 'tasks.task.add');
          if (isTasks && ++taskBatches === 2) {
            if (mode === 'answer-lost') await real.batch(commands, batchOptions);
            throw Object.assign(new Error('socket hang up'), { code: 'NETWORK_ERROR', status: 0, method: 'batch' });
          }
          return real.batch(commands, batchOptions);
        },
      };
      return wrapped;
    },
  });
}

describe.each(['before-send', 'answer-lost'] as const)('a distribution retried after a fault (%s)', (mode) => {
  let world: World;
  let companies: number[];

  beforeEach(async () => {
    world = await createWorld({ start: MONDAY, wrapClient: failSecondTaskBatch(mode), maxAttempts: 3 });
    companies = Array.from({ length: 60 }, (_, i) => addCompany(world, `ООО «Клиент ${i + 1}»`).id);
    // 3 active managers × 20 = 60 tasks: two batches of tasks.task.add.
    await saveSettings(world.store, world.portal.memberId, commsSettings, { perManager: 20 });
  });

  afterEach(async () => {
    await world.close();
  });

  it('every company gets exactly one call task', async () => {
    const run = await runRobot(world, 'calls_distribute');

    expect(run.attempts).toBe(2);
    expect(run.returnValues).toMatchObject({ Result: 'ok', Assigned: 60 });
    const bound = tasks(world).map((task) => Number(task.ufCrmTask[0].slice(3)));
    expect(bound.sort((a, b) => a - b)).toEqual(companies);

    // The week is recorded as done: a rerun gives nothing.
    const rerun = await runRobot(world, 'calls_distribute');
    expect(rerun.returnValues).toMatchObject({ Assigned: 0 });
    expect(tasks(world)).toHaveLength(60);
  });
});

/** A client whose first batch of service deals and tasks runs only the deals, then fails as refused for load. */
function refuseFirstTasks() {
  let refused = false;
  return (client: BitrixClient): BitrixClient => ({
    metrics: client.metrics,
    close: () => client.close(),
    forPortal(memberId, options) {
      const real = client.forPortal(memberId, options);
      return {
        memberId: real.memberId,
        call: real.call.bind(real),
        callRaw: real.callRaw.bind(real),
        listAll: real.listAll.bind(real),
        listPages: real.listPages.bind(real),
        async batch(commands, batchOptions) {
          const entries = Object.entries(commands as Record<string, [string, unknown?]>);
          if (!refused && entries.some(([, [method]]) => method === 'crm.deal.add')) {
            refused = true;
            await real.batch(Object.fromEntries(entries.filter(([, [method]]) => method === 'crm.deal.add')) as never, batchOptions);
            throw Object.assign(new Error('tasks.task.add: OPERATION_TIME_LIMIT (429)'), { code: 'OPERATION_TIME_LIMIT', status: 429, method: 'tasks.task.add' });
          }
          return real.batch(commands, batchOptions);
        },
      };
    },
  });
}

describe('a silence sweep retried after its tasks were refused for load', () => {
  let world: World;

  beforeEach(async () => {
    world = await createWorld({ start: MONDAY, wrapClient: refuseFirstTasks(), maxAttempts: 3 });
    for (let i = 0; i < 5; i++) addCompany(world, `ООО «Молчун ${i + 1}»`);
  });

  afterEach(async () => {
    await world.close();
  });

  it('the deals made by the first attempt get their tasks, and no deal is made twice', async () => {
    const run = await runRobot(world, 'comms_sweep', { source: 'schedule' });

    expect(run.attempts).toBe(2);
    const serviceDeals = deals(world).filter((deal) => Number(deal.categoryId) === serviceCategory(world));
    expect(serviceDeals).toHaveLength(5);
    const reminders = tasks(world).filter((task) => task.title === 'Связаться с клиентом');
    expect(reminders).toHaveLength(5);
    for (const deal of serviceDeals) expect(reminders.filter((task) => task.ufCrmTask.includes(`D_${deal.id}`))).toHaveLength(1);
  });
});
