import { defineRobot } from '../../src/activities/define-robot';
import { createRegistry } from '../../src/activities/registry';
import { RobotError } from '../../src/activities/robot-error';
import type { RobotContext, RobotDefinition } from '../../src/activities/types';
import { B24Error } from '../../src/bitrix/errors';
import type { Store } from '../../src/store/types';
import { createWorker, type WorkerOptions } from '../../src/worker/worker';
import { CapturedLog, EVENT_TOKEN, FakeClient, MEMBER_ID, openStore, portalRecord, robotCall, TestClock } from './harness';

type Handler = (ctx: RobotContext<any, any>) => Promise<Record<string, unknown>>;

/** A deal robot whose handler each test supplies. */
function dealRobot(handler: Handler): RobotDefinition {
  return defineRobot({
    code: 'sales_create_deal',
    name: { ru: 'Создать сделку', en: 'Create deal' },
    description: { ru: 'Создаёт сделку', en: 'Creates a deal' },
    documentTypes: ['deal'],
    properties: {
      title: { type: 'string', name: { ru: 'Название', en: 'Title' }, required: true },
      responsible: { type: 'user', name: { ru: 'Ответственный', en: 'Responsible' }, required: true },
      categoryId: { type: 'int', name: { ru: 'Воронка', en: 'Pipeline' }, default: 0 },
      deadline: { type: 'datetime', name: { ru: 'Срок', en: 'Deadline' } },
    },
    returns: {
      DealId: { type: 'int', name: { ru: 'ID сделки', en: 'Deal ID' } },
      Responsible: { type: 'user', name: { ru: 'Ответственный', en: 'Responsible' } },
      Urgent: { type: 'bool', name: { ru: 'Срочно', en: 'Urgent' } },
      Due: { type: 'datetime', name: { ru: 'Срок', en: 'Due' } },
      Watchers: { type: 'user', multiple: true, name: { ru: 'Наблюдатели', en: 'Watchers' } },
    },
    handler: handler as RobotDefinition['handler'],
  });
}

const goodInput = {
  title: 'ООО «Рога и копыта» / Базовый / Январь 2025',
  responsible: 'user_5',
  deadline: '31.01.2025 18:00:00',
};

describe('the worker', () => {
  let clock: TestClock;
  let store: Store;
  let client: FakeClient;
  let log: CapturedLog;
  let nextDealId: number;

  beforeEach(async () => {
    clock = new TestClock();
    store = await openStore(clock);
    client = new FakeClient();
    log = new CapturedLog();
    nextDealId = 410;
    client.on('crm.deal.add', () => nextDealId++);
  });
  afterEach(async () => {
    await store.close();
  });

  function worker(robots: RobotDefinition[], options: Partial<WorkerOptions> = {}) {
    return createWorker({
      store,
      client,
      registry: createRegistry(robots),
      logger: log,
      clock: clock.now,
      owner: 'worker-a',
      leaseMs: 30_000,
      renewEveryMs: 1e9,
      backoff: (attempt) => attempt * 1_000,
      ...options,
    });
  }

  async function enqueue(robotCode: string, properties: Record<string, unknown>, overrides = {}) {
    return (await store.enqueueRun(robotCall(robotCode, properties, overrides))).run;
  }

  it('runs the handler with typed input and answers the workflow once, values in wire form', async () => {
    let seen: RobotContext<any, any> | null = null;
    const robot = dealRobot(async (ctx) => {
      seen = ctx;
      const dealId = await ctx.step('deal', () => ctx.b24.call('crm.deal.add', { fields: { TITLE: ctx.input.title } }));
      return {
        DealId: dealId,
        Responsible: ctx.input.responsible,
        Urgent: true,
        Due: ctx.input.deadline,
        Watchers: [1, 7],
        LogMessage: `Создана сделка ${dealId}`,
      };
    });
    const run = await enqueue('sales_create_deal', goodInput);
    await worker([robot]).drain();

    expect(seen!.input).toEqual({
      title: goodInput.title,
      responsible: 5,
      categoryId: 0,
      deadline: new Date('2025-01-31T15:00:00.000Z'),
    });
    expect(seen!.document).toMatchObject({ kind: 'deal', id: 123 });
    expect(client.calls('crm.deal.add')[0].userId).toBe(16);
    expect(client.calls('bizproc.event.send')).toEqual([
      {
        memberId: MEMBER_ID,
        userId: 16,
        method: 'bizproc.event.send',
        params: {
          EVENT_TOKEN,
          RETURN_VALUES: {
            DealId: 410,
            Responsible: 'user_5',
            Urgent: 'Y',
            Due: '2025-01-31T18:00:00+03:00',
            Watchers: ['user_1', 'user_7'],
            Result: 'ok',
            Error: '',
          },
          LOG_MESSAGE: 'Создана сделка 410',
        },
      },
    ]);
    const done = await store.getRun(run.id);
    expect(done).toMatchObject({ state: 'done', attempts: 1, leaseOwner: null });
    expect(done?.eventSentAt).toEqual(clock.now());
  });

  it('answers the activity CODE <code>_bp with the same robot', async () => {
    const robot = dealRobot(async () => ({ DealId: 1 }));
    await enqueue('sales_create_deal_bp', goodInput);
    await worker([robot]).drain();
    expect(client.calls('bizproc.event.send')[0].params.RETURN_VALUES).toMatchObject({ DealId: 1, Result: 'ok' });
  });

  it('ends a run with a bad property before any REST work: only event.send, naming the property', async () => {
    const handler = jest.fn(async () => ({}));
    const run = await enqueue('sales_create_deal', { title: 'Сделка', responsible: '', categoryId: 'первая' });
    await worker([dealRobot(handler)]).drain();

    expect(handler).not.toHaveBeenCalled();
    expect(client.journal.map((entry) => entry.method)).toEqual(['bizproc.event.send']);
    const { RETURN_VALUES, LOG_MESSAGE } = client.journal[0].params;
    expect(RETURN_VALUES.Result).toBe('error');
    expect(LOG_MESSAGE).toContain('Свойство «Ответственный» (responsible): обязательное значение не задано');
    expect(LOG_MESSAGE).toContain('Property "Pipeline" (categoryId): expected an integer, got "первая"');
    expect(RETURN_VALUES.Error).toBe(LOG_MESSAGE);
    expect(await store.getRun(run.id)).toMatchObject({ state: 'failed', attempts: 1 });
  });

  it('reuses the recorded step when a run is retried after a crash: one deal, not two', async () => {
    let attempts = 0;
    const robot = dealRobot(async (ctx) => {
      attempts++;
      const dealId = await ctx.step('deal', () => ctx.b24.call('crm.deal.add', { fields: { TITLE: ctx.input.title } }));
      if (attempts === 1) throw new Error('socket hang up');
      return { DealId: dealId };
    });
    const run = await enqueue('sales_create_deal', goodInput);
    const w = worker([robot]);
    await w.drain();
    expect(await store.getRun(run.id)).toMatchObject({ state: 'waiting', attempts: 1, lastError: 'socket hang up' });

    clock.advance(1_000);
    await w.drain();
    expect(attempts).toBe(2);
    expect(client.calls('crm.deal.add')).toHaveLength(1);
    expect(client.calls('bizproc.event.send')[0].params.RETURN_VALUES.DealId).toBe(410);
    expect(await store.getRun(run.id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('retries transient Bitrix24 failures with growing delays, then succeeds', async () => {
    let failures = 2;
    client.on('crm.deal.add', () => {
      if (failures-- > 0) {
        throw new B24Error({ code: 'QUERY_LIMIT_EXCEEDED', status: 503, description: 'Too many requests', method: 'crm.deal.add' });
      }
      return 777;
    });
    const robot = dealRobot(async (ctx) => ({ DealId: await ctx.step('deal', () => ctx.b24.call('crm.deal.add', {})) }));
    const run = await enqueue('sales_create_deal', goodInput);
    const w = worker([robot]);
    const start = clock.now().getTime();

    await w.drain();
    expect((await store.getRun(run.id))?.availableAt.getTime()).toBe(start + 1_000);
    clock.advance(999);
    expect(await w.drain()).toBe(0); // not yet due
    clock.advance(1);
    await w.drain();
    expect((await store.getRun(run.id))?.availableAt.getTime()).toBe(start + 1_000 + 2_000);
    clock.advance(2_000);
    await w.drain();

    expect(await store.getRun(run.id)).toMatchObject({ state: 'done', attempts: 3 });
    expect(client.calls('bizproc.event.send')).toHaveLength(1);
    expect(client.calls('bizproc.event.send')[0].params.RETURN_VALUES).toMatchObject({ DealId: 777, Result: 'ok' });
  });

  it('reports the final failure to the workflow after maxAttempts', async () => {
    const robot = dealRobot(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'ID')");
    });
    const run = await enqueue('sales_create_deal', goodInput);
    const w = worker([robot], { maxAttempts: 3 });
    for (let i = 0; i < 3; i++) {
      await w.drain();
      clock.advance(60_000);
    }
    const sends = client.calls('bizproc.event.send');
    expect(sends).toHaveLength(1);
    expect(sends[0].params.RETURN_VALUES.Result).toBe('error');
    expect(sends[0].params.LOG_MESSAGE).toBe(
      "Не удалось выполнить после 3 попыток: Cannot read properties of undefined (reading 'ID'). " +
        "Failed after 3 attempts: Cannot read properties of undefined (reading 'ID').",
    );
    expect(await store.getRun(run.id)).toMatchObject({ state: 'failed', attempts: 3 });
  });

  it('does not retry a RobotError: one attempt, the message in Error and in the log', async () => {
    const handler = jest.fn(async () => {
      throw new RobotError('У компании не указан тариф', { code: 'NO_TARIFF', values: { DealId: 0 } });
    });
    const run = await enqueue('sales_create_deal', goodInput);
    await worker([dealRobot(handler)]).drain();
    clock.advance(3_600_000);
    await worker([dealRobot(handler)]).drain();

    expect(handler).toHaveBeenCalledTimes(1);
    expect(client.calls('bizproc.event.send')[0].params).toMatchObject({
      RETURN_VALUES: { DealId: 0, Result: 'error', Error: 'У компании не указан тариф' },
      LOG_MESSAGE: 'У компании не указан тариф',
    });
    expect(await store.getRun(run.id)).toMatchObject({ state: 'failed', lastError: 'У компании не указан тариф' });
  });

  it('does not retry a Bitrix24 refusal that will not heal (400 NOT_FOUND)', async () => {
    client.on('crm.company.get', () => {
      throw new B24Error({ code: 'NOT_FOUND', status: 400, description: 'Not found', method: 'crm.company.get' });
    });
    const handler = jest.fn(async (ctx: RobotContext<any, any>) => ctx.b24.call('crm.company.get', { id: 41 }));
    const run = await enqueue('sales_create_deal', goodInput);
    await worker([dealRobot(handler)]).drain();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(client.calls('bizproc.event.send')[0].params.RETURN_VALUES.Error).toContain('crm.company.get: NOT_FOUND (400) Not found');
    expect((await store.getRun(run.id))?.state).toBe('failed');
  });

  it('sends event.send exactly once: a crash right after sending does not send again', async () => {
    const robot = dealRobot(async (ctx) => ({ DealId: await ctx.step('deal', () => ctx.b24.call('crm.deal.add', {})) }));
    const run = await enqueue('sales_create_deal', goodInput);
    // The process "dies" on the write that follows the acknowledged event.send.
    const crashing: Store = Object.create(store);
    crashing.updateRun = async (id, owner, patch) => {
      if (patch.eventSentAt) throw new Error('process killed');
      return store.updateRun(id, owner, patch);
    };
    await worker([robot], { store: crashing }).drain();
    expect(client.calls('bizproc.event.send')).toHaveLength(1);
    expect((await store.getRun(run.id))?.state).toBe('running');

    clock.advance(31_000); // the dead worker's lease expires
    await worker([robot], { owner: 'worker-b' }).drain();
    expect(client.calls('bizproc.event.send')).toHaveLength(1);
    expect(client.calls('crm.deal.add')).toHaveLength(1);
    expect(await store.getRun(run.id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('retries a failed event.send without running the handler again', async () => {
    let sendFailures = 1;
    client.on('bizproc.event.send', () => {
      if (sendFailures-- > 0) throw new B24Error({ code: 'INTERNAL_SERVER_ERROR', status: 500, description: 'Internal error', method: 'bizproc.event.send' });
      return true;
    });
    const handler = jest.fn(async () => ({ DealId: 5 }));
    const run = await enqueue('sales_create_deal', goodInput);
    const w = worker([dealRobot(handler)]);
    await w.drain();
    expect((await store.getRun(run.id))?.state).toBe('waiting');
    clock.advance(1_000);
    await w.drain();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(client.calls('bizproc.event.send')).toHaveLength(2);
    expect(await store.getRun(run.id)).toMatchObject({ state: 'done', returnValues: { DealId: 5, Result: 'ok', Error: '' } });
  });

  it('finishes without retrying when the workflow is gone (event.send → error 404)', async () => {
    client.on('bizproc.event.send', () => {
      throw new B24Error({ code: '404', status: 400, description: 'Workflow instance not found', method: 'bizproc.event.send' });
    });
    const run = await enqueue('sales_create_deal', goodInput);
    await worker([dealRobot(async () => ({ DealId: 1 }))]).drain();
    clock.advance(3_600_000);
    await worker([dealRobot(async () => ({ DealId: 1 }))]).drain();
    expect(client.calls('bizproc.event.send')).toHaveLength(1);
    expect(await store.getRun(run.id)).toMatchObject({ state: 'done', eventSentAt: null });
  });

  it('does not call event.send when the step does not wait (use_subscription=N) or there is no workflow', async () => {
    const robot = dealRobot(async () => ({ DealId: 1 }));
    const a = await enqueue('sales_create_deal', goodInput, { useSubscription: false, dedupeKey: 'a' });
    const b = await enqueue('sales_create_deal', goodInput, { eventToken: null, workflowId: null, source: 'schedule', dedupeKey: 'b' });
    await worker([robot]).drain();
    expect(client.journal).toEqual([]);
    expect((await store.getRun(a.id))?.state).toBe('done');
    expect((await store.getRun(b.id))?.state).toBe('done');
  });

  it('drops runs of an uninstalled portal without calling Bitrix24', async () => {
    await store.upsertPortal(portalRecord({ uninstalledAt: new Date('2025-01-14T00:00:00Z') }));
    const handler = jest.fn(async () => ({}));
    const run = await enqueue('sales_create_deal', goodInput);
    await worker([dealRobot(handler)]).drain();
    expect(handler).not.toHaveBeenCalled();
    expect(client.journal).toEqual([]);
    expect(await store.getRun(run.id)).toMatchObject({ state: 'failed' });
    expect((await store.getRun(run.id))?.lastError).toContain('uninstalled');
  });

  it('tells the workflow when the robot code is unknown to this version', async () => {
    const run = await enqueue('removed_robot', {});
    await worker([dealRobot(async () => ({}))]).drain();
    expect(client.calls('bizproc.event.send')[0].params.RETURN_VALUES.Error).toContain('Robot "removed_robot" is not provided');
    expect((await store.getRun(run.id))?.state).toBe('failed');
  });

  it('never writes the event token to the log, and logs start and end with the run ids', async () => {
    await enqueue('sales_create_deal', goodInput);
    await worker([dealRobot(async () => ({ DealId: 1 }))]).drain();
    expect(log.text()).not.toContain(EVENT_TOKEN.slice(0, 40));
    const started = log.lines.find((line) => line.message === 'run started');
    const finished = log.lines.find((line) => line.message === 'run finished');
    expect(started?.meta).toMatchObject({ portal: MEMBER_ID, robot: 'sales_create_deal', workflow: '664fa13bbbb410.99176768' });
    expect(finished?.meta).toMatchObject({ state: 'done', result: 'ok' });
  });
});
