import { buildContext } from '../../src/activities/context';
import type { RobotLogger } from '../../src/activities/types';
import type { B24 } from '../../src/bitrix/types';
import { createStore } from '../../src/store';
import type { RunRecord, Store } from '../../src/store/types';
import { portalRecord } from '../fixtures/portal';
import { tariffRobot } from './robot-fixtures';

const portal = portalRecord({
  memberId: 'a1b2c3',
  applicationToken: 'app-token-secret',
  scope: 'crm,bizproc,task',
  installedAt: new Date('2025-01-01T00:00:00Z'),
  updatedAt: new Date('2025-01-01T00:00:00Z'),
});

describe('the run context', () => {
  let store: Store;
  let run: RunRecord;
  const lines: Array<[string, Record<string, unknown> | undefined]> = [];
  const logger: RobotLogger = {
    debug: (m, meta) => lines.push([m, meta]),
    info: (m, meta) => lines.push([m, meta]),
    warn: (m, meta) => lines.push([m, meta]),
    error: (m, meta) => lines.push([m, meta]),
  };

  beforeEach(async () => {
    store = await createStore('sqlite::memory:');
    await store.upsertPortal(portal);
    ({ run } = await store.enqueueRun({
      memberId: portal.memberId,
      robotCode: 'test_tariff',
      source: 'robot',
      dedupeKey: 'wf|A1|token',
      workflowId: '664fa13bbbb410.99176768',
      eventToken: 'wf|A1|token.sig',
      documentId: ['crm', 'CCrmDocumentCompany', 'COMPANY_41'],
      documentType: ['crm', 'CCrmDocumentCompany', 'COMPANY'],
      properties: {},
      userId: 1,
      useSubscription: true,
      firedAt: new Date('2025-01-15T09:00:00Z'),
    }));
  });
  afterEach(async () => {
    await store.close();
  });

  function context(guard?: () => Promise<void>) {
    return buildContext({
      run,
      robot: tariffRobot,
      portal,
      store,
      b24: {} as B24,
      input: { tariff: 'basic' },
      settings: {},
      logger,
      now: () => new Date('2025-01-15T09:00:00Z'),
      guard,
    });
  }

  it('records a step once: a retried run gets the stored result without repeating the side effect', async () => {
    let created = 0;
    const createDeal = async () => ({ id: 100 + ++created });
    expect(await context().step('deal', createDeal)).toEqual({ id: 101 });
    expect(await context().step('deal', createDeal)).toEqual({ id: 101 });
    expect(created).toBe(1);
  });

  it('returns the stored JSON form on the first run too, so a retry behaves the same', async () => {
    const value = await context().step('when', async () => ({ at: new Date('2025-01-15T09:00:00Z'), none: undefined }));
    expect(value).toEqual({ at: '2025-01-15T09:00:00.000Z' });
    expect(await context().step('nothing', async () => undefined)).toBeNull();
  });

  it('does not start a step once the run must stop', async () => {
    const ctx = context(async () => {
      throw new Error('lease lost');
    });
    let called = false;
    await expect(ctx.step('task', async () => (called = true))).rejects.toThrow('lease lost');
    expect(called).toBe(false);
  });

  it('keeps `$` keys for the runtime', async () => {
    await expect(context().step('$event.send', async () => 1)).rejects.toThrow('not allowed');
  });

  it('parses the document, exposes the portal and keeps per-portal state', async () => {
    const ctx = context();
    expect(ctx.document).toMatchObject({ kind: 'company', id: 41, entityTypeId: 4 });
    expect(ctx.portal).toEqual({ memberId: 'a1b2c3', domain: 'acme.bitrix24.ru', timeZone: 'Europe/Moscow', culture: 'ru' });
    await ctx.state.set('cursor', { lastId: 2000 });
    expect(await context().state.get('cursor')).toEqual({ lastId: 2000 });
  });

  it('runs exclusive work under a portal-wide lock named after the key', async () => {
    const ctx = context();
    const order: string[] = [];
    await Promise.all([
      ctx.exclusive('deal:41:2025-01', async () => {
        order.push('a start');
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push('a end');
      }),
      ctx.exclusive('deal:41:2025-01', async () => {
        order.push('b start');
        order.push('b end');
      }),
    ]);
    expect(order.indexOf('a end')).toBe(order.indexOf('a start') + 1);
  });

  it('logs with portal, robot, run and workflow on every line', () => {
    context().log.info('deal created', { dealId: 101 });
    expect(lines.at(-1)).toEqual([
      'deal created',
      { portal: 'a1b2c3', robot: 'test_tariff', run: run.id, workflow: '664fa13bbbb410.99176768', dealId: 101 },
    ]);
  });
});
