import { buildCommand, parseBatchEnvelope } from '../../src/bitrix/batch';
import { B24Error } from '../../src/bitrix';
import { FakeRestError, startFakePortal, type FakePortal } from './helpers/fake-portal';
import { clientFor, installedStore } from './helpers/setup';
import { virtualTime } from './helpers/time';
import type { Store } from '../../src/store/types';
import type { BatchCommand } from '../../src/bitrix';

const DEALS: Record<number, { ID: string; TITLE: string; STAGE_ID: string }> = {
  410: { ID: '410', TITLE: 'Поставка оборудования', STAGE_ID: 'PREPARATION' },
  411: { ID: '411', TITLE: 'Монтаж', STAGE_ID: 'NEW' },
};

describe('batch', () => {
  let portal: FakePortal;
  let store: Store;
  const time = virtualTime();

  beforeAll(async () => {
    portal = await startFakePortal({ clock: time.clock });
    portal.handle('crm.deal.get', ({ params }) => {
      const deal = DEALS[Number(params.id)];
      // Legacy crm methods answer with an empty error code (PROTOCOL §5.1).
      if (!deal) throw new FakeRestError(400, '', 'Not found');
      return deal;
    });
    portal.handle('user.get', ({ params }) => [{ ID: String(params.FILTER?.ID ?? 1), ACTIVE: true, UF_DEPARTMENT: [7] }]);
    portal.handle('department.get', ({ params }) => [{ ID: String(params.ID), NAME: 'Продажи' }]);
    portal.handle('crm.item.list', () => ({ list: true, result: { items: [] }, total: 0 }));
    store = await installedStore(portal, time);
  });
  afterAll(async () => {
    await store.close();
    await portal.close();
  });

  it('gives each command its own result or error', async () => {
    const client = clientFor(store, portal, time);
    const out = await client.forPortal(portal.memberId).batch({
      found: ['crm.deal.get', { id: 410 }],
      missing: ['crm.deal.get', { id: 999 }],
      nested: ['batch', { cmd: { a: 'profile' } }],
    });
    expect(out.result.found).toEqual(DEALS[410]);
    expect(out.result.missing).toBeUndefined();
    expect(out.errors.missing).toEqual({ error: '', error_description: 'Not found' });
    expect(out.errors.nested.error).toBe('ERROR_BATCH_METHOD_NOT_ALLOWED');
    await client.close();
  });

  it('sends 120 commands as 3 requests of at most 50', async () => {
    const client = clientFor(store, portal, time);
    const before = portal.requests('batch').length;
    const commands: BatchCommand[] = Array.from({ length: 120 }, (_, i) => ['crm.deal.get', { id: i % 2 ? 410 : 411 }]);

    const out = await client.forPortal(portal.memberId).batch(commands);

    const sent = portal.requests('batch').slice(before);
    expect(sent.map((r) => Object.keys(r.body.cmd).length)).toEqual([50, 50, 20]);
    expect(Object.keys(out.result)).toHaveLength(120);
    expect(out.result['119']).toEqual(DEALS[410]);
    expect(out.result['50']).toEqual(DEALS[411]);
    expect(out.errors).toEqual({});
    await client.close();
  });

  it('resolves $result references between commands of one request', async () => {
    const client = clientFor(store, portal, time);
    const out = await client.forPortal(portal.memberId).batch({
      get_user: ['user.get', { FILTER: { ID: 5 } }],
      get_department: ['department.get', { ID: '$result[get_user][0][UF_DEPARTMENT][0]' }],
    });
    expect(out.result.get_department).toEqual([{ ID: '7', NAME: 'Продажи' }]);
    await client.close();
  });

  it('with halt, a failed command throws its own error', async () => {
    const client = clientFor(store, portal, time);
    const error = await client
      .forPortal(portal.memberId)
      .batch([['crm.deal.get', { id: 999 }], ['crm.deal.get', { id: 410 }]], { halt: true })
      .catch((e) => e);
    expect(error).toBeInstanceOf(B24Error);
    expect(error.description).toBe('Not found');
    expect(error.method).toBe('crm.deal.get');
    await client.close();
  });

  it('reports list totals per command', async () => {
    const client = clientFor(store, portal, time);
    const out = await client.forPortal(portal.memberId).batch({ deals: ['crm.item.list', { entityTypeId: 2 }] });
    expect(out.result.deals).toEqual({ items: [] });
    expect(out.total.deals).toBe(0);
    await client.close();
  });
});

describe('batch envelope normalisation', () => {
  it('reads empty sections sent as [] and numeric keys sent as arrays', () => {
    const parsed = parseBatchEnvelope({
      result: {
        result: [{ ID: '1' }, { ID: '2' }],
        result_error: [],
        result_total: [120, 5],
        result_next: { '0': 50 },
        result_time: [],
      },
    });
    expect(parsed.result).toEqual({ '0': { ID: '1' }, '1': { ID: '2' } });
    expect(parsed.errors).toEqual({});
    expect(parsed.total).toEqual({ '0': 120, '1': 5 });
    expect(parsed.next).toEqual({ '0': 50 });
  });

  it('keeps numeric error codes as strings', () => {
    const parsed = parseBatchEnvelope({
      result: { result: [], result_error: { t: { error: 100, error_description: 'Could not find value for parameter {fields}<br>' } } },
    });
    expect(parsed.errors.t.error).toBe('100');
  });

  it('builds cmd strings as PHP bracket queries', () => {
    expect(buildCommand('crm.item.list', { entityTypeId: 2, filter: { '>id': 10 }, select: ['id', 'title'] })).toBe(
      'crm.item.list?entityTypeId=2&filter%5B%3Eid%5D=10&select%5B0%5D=id&select%5B1%5D=title',
    );
    expect(buildCommand('profile')).toBe('profile');
  });
});
