/**
 * Exactly once under faults (RULES.md "Common to all robots"): a distribution whose run fails half-way is retried by
 * the worker and finishes without giving any company twice — whether the failed batch never reached the portal or
 * reached it and only its answer was lost.
 */
import { saveSettings } from '../../../src/activities/settings';
import type { B24, BitrixClient } from '../../../src/bitrix/types';
import { commsSettings } from '../../../robots/comms/settings';
import { addCompany, createWorld, runRobot, tasks, type World } from './world';

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
