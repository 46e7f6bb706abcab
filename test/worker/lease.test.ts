import { defineRobot } from '../../src/activities/define-robot';
import { createRegistry } from '../../src/activities/registry';
import type { RobotDefinition } from '../../src/activities/types';
import type { Store } from '../../src/store/types';
import { createWorker } from '../../src/worker/worker';
import { CapturedLog, FakeClient, openStore, robotCall, TestClock } from './harness';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('leases', () => {
  let clock: TestClock;
  let store: Store;
  let client: FakeClient;
  let log: CapturedLog;

  beforeEach(async () => {
    clock = new TestClock();
    store = await openStore(clock);
    client = new FakeClient();
    log = new CapturedLog();
    let next = 500;
    client.on('crm.deal.add', () => next++);
  });
  afterEach(async () => {
    await store.close();
  });

  it('a run whose worker stalls past its lease is completed by another worker, once', async () => {
    const gate = deferred();
    const started = deferred();
    let invocations = 0;
    const robot: RobotDefinition = defineRobot({
      code: 'deal_folder',
      name: { ru: 'Папка сделки', en: 'Deal folder' },
      description: { ru: 'Создаёт папку', en: 'Creates a folder' },
      documentTypes: ['deal'],
      properties: {},
      returns: { DealId: { type: 'int', name: { ru: 'Сделка', en: 'Deal' } } },
      async handler(ctx) {
        const first = ++invocations === 1;
        const dealId = await ctx.step('deal', () => ctx.b24.call('crm.deal.add', {}));
        if (first) {
          started.resolve();
          await gate.promise; // the first worker hangs here (a stalled or dying process)
          await ctx.step('task', () => ctx.b24.call('tasks.task.add', {}));
        }
        return { DealId: dealId };
      },
    });
    const run = (await store.enqueueRun(robotCall('deal_folder', {}))).run;
    const options = { store, client, registry: createRegistry([robot]), logger: log, clock: clock.now, leaseMs: 30_000, renewEveryMs: 1e9 };
    const a = createWorker({ ...options, owner: 'worker-a' });
    const b = createWorker({ ...options, owner: 'worker-b' });

    const stalled = a.runOnce();
    await started.promise;
    expect(await b.runOnce()).toBe(0); // the lease still holds

    clock.advance(30_001);
    expect(await b.runOnce()).toBe(1);
    expect(await store.getRun(run.id)).toMatchObject({ state: 'done', attempts: 2 });

    gate.resolve();
    await stalled;
    expect(client.calls('crm.deal.add')).toHaveLength(1); // the step recorded by A was reused by B
    expect(client.calls('tasks.task.add')).toHaveLength(0); // A started no new side effect after losing the run
    expect(client.calls('bizproc.event.send')).toHaveLength(1);
    expect(a.metrics.attempts.lost).toBe(1);
    expect(await store.getRun(run.id)).toMatchObject({ state: 'done', attempts: 2, returnValues: { DealId: 500, Result: 'ok', Error: '' } });
  });

  it('a long handler keeps its lease by renewing it', async () => {
    const robot: RobotDefinition = defineRobot({
      code: 'slow_robot',
      name: { ru: 'Медленный', en: 'Slow' },
      description: { ru: 'Долго работает', en: 'Takes long' },
      documentTypes: ['deal'],
      properties: {},
      returns: {},
      async handler() {
        await new Promise((resolve) => setTimeout(resolve, 250));
        return {};
      },
    });
    // Real time here: the lease (120 ms) is shorter than the handler (250 ms) and is renewed every 30 ms.
    const realStore = store;
    await realStore.enqueueRun(robotCall('slow_robot', {}, { firedAt: new Date(), availableAt: new Date(0) }));
    const options = { store: realStore, client, registry: createRegistry([robot]), logger: log, leaseMs: 120, renewEveryMs: 30 };
    const a = createWorker({ ...options, owner: 'worker-a' });
    const b = createWorker({ ...options, owner: 'worker-b' });
    const working = a.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 180));
    expect(await b.runOnce()).toBe(0);
    await working;
    expect(client.calls('bizproc.event.send')).toHaveLength(1);
    expect(a.metrics.attempts.done).toBe(1);
  });
});

describe('the polling loop', () => {
  it('processes runs as they arrive and stops gracefully, finishing the run in progress', async () => {
    const clock = new TestClock();
    const store = await openStore(clock);
    const client = new FakeClient();
    const release = deferred();
    const robot: RobotDefinition = defineRobot({
      code: 'comms_stamp',
      name: { ru: 'Отметка', en: 'Stamp' },
      description: { ru: 'Отметка', en: 'Stamp' },
      documentTypes: ['deal'],
      properties: {},
      returns: {},
      async handler() {
        await release.promise;
        return {};
      },
    });
    const finished: string[] = [];
    const worker = createWorker({
      store,
      client,
      registry: createRegistry([robot]),
      logger: new CapturedLog(),
      clock: clock.now,
      pollMs: 5,
      onRunFinished: (event) => finished.push(event.state),
    });
    worker.start();
    const { run } = await store.enqueueRun(robotCall('comms_stamp', {}));
    worker.wake();
    while ((await store.getRun(run.id))?.state !== 'running') await new Promise((resolve) => setTimeout(resolve, 5));
    const stopping = worker.stop();
    release.resolve();
    await stopping;
    expect(finished).toEqual(['done']);
    expect((await store.getRun(run.id))?.state).toBe('done');
    await store.close();
  });
});
