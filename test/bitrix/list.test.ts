import { crmItemList, legacyTaskList, startFakePortal, type FakePortal } from './helpers/fake-portal';
import { clientFor, installedStore } from './helpers/setup';
import { virtualTime } from './helpers/time';
import type { Store } from '../../src/store/types';

describe('list enumeration', () => {
  let portal: FakePortal;
  let store: Store;
  const time = virtualTime();

  beforeAll(async () => {
    portal = await startFakePortal({ clock: time.clock });
    portal.handle('crm.item.list', crmItemList(2600));
    portal.handle('task.item.list', legacyTaskList(430));
    const tasks = Array.from({ length: 120 }, (_, i) => ({ id: String(i + 1), title: `Задача ${i + 1}` }));
    portal.handle('tasks.task.list', ({ params }) => {
      const after = Number(params.filter?.['>ID'] ?? 0);
      return { list: true, result: { tasks: tasks.filter((t) => Number(t.id) > after).slice(0, 50) }, total: 0 };
    });
    store = await installedStore(portal, time);
  });
  afterAll(async () => {
    await store.close();
    await portal.close();
  });

  it('enumerates 2600 crm items in 2 HTTP requests (chains of 50 pages, start=-1, >id)', async () => {
    const client = clientFor(store, portal, time);
    const before = portal.requests().length;

    const items = await client.forPortal(portal.memberId).listAll('crm.item.list', { entityTypeId: 2, select: ['title'] });

    expect(items).toHaveLength(2600);
    expect(items.map((item) => item.id)).toEqual(Array.from({ length: 2600 }, (_, i) => i + 1));
    const sent = portal.requests().slice(before);
    expect(sent.map((r) => r.method)).toEqual(['batch', 'batch']);
    const firstChain = sent[0].body.cmd;
    expect(Object.keys(firstChain)).toHaveLength(50);
    expect(decodeURIComponent(firstChain.p1)).toContain('filter[>id]=$result[p0][items][49][id]');
    expect(decodeURIComponent(firstChain.p0)).toContain('start=-1');
    expect(decodeURIComponent(firstChain.p0)).toContain('order[id]=ASC');
    // The caller's select gets the id the chain needs.
    expect(decodeURIComponent(firstChain.p0)).toContain('select[1]=id');
    // The second chain starts after the last id of the first.
    expect(decodeURIComponent(sent[1].body.cmd.p0)).toContain('filter[>id]=2500');
    await client.close();
  });

  it('yields page by page and stops at the first short page', async () => {
    const client = clientFor(store, portal, time);
    const sizes: number[] = [];
    for await (const page of client.forPortal(portal.memberId).listPages('crm.item.list', { entityTypeId: 2 })) {
      sizes.push(page.length);
    }
    expect(sizes).toEqual([...Array(52).fill(50)]);
    await client.close();
  });

  it('honours a limit with only as many pages as needed', async () => {
    const client = clientFor(store, portal, time);
    const before = portal.requests().length;
    const items = await client.forPortal(portal.memberId).listAll('crm.item.list', { entityTypeId: 2 }, { limit: 120 });
    expect(items).toHaveLength(120);
    const sent = portal.requests().slice(before);
    expect(sent).toHaveLength(1);
    expect(Object.keys(sent[0].body.cmd)).toHaveLength(3);
    await client.close();
  });

  it('unwraps tasks.task.list rows from result.tasks and filters by >ID', async () => {
    const client = clientFor(store, portal, time);
    const tasks = await client.forPortal(portal.memberId).listAll('tasks.task.list', { select: ['ID', 'TITLE'] });
    expect(tasks.map((t) => t.id)).toEqual(Array.from({ length: 120 }, (_, i) => String(i + 1)));
    await client.close();
  });

  it('falls back to start/next paging for legacy task.* methods, batching the offsets once total is known', async () => {
    const client = clientFor(store, portal, time);
    const before = portal.requests().length;
    const rows = await client.forPortal(portal.memberId).listAll('task.item.list', {});
    expect(rows.map((r) => r.ID)).toEqual(Array.from({ length: 430 }, (_, i) => String(i + 1)));
    const sent = portal.requests().slice(before);
    expect(sent.map((r) => r.method)).toEqual(['task.item.list', 'batch']);
    expect(Object.keys(sent[1].body.cmd)).toHaveLength(8); // starts 50, 100, …, 400
    await client.close();
  });

  it('uses offset paging for methods configured as ignoring start=-1', async () => {
    portal.handle('crm.legacy.list', legacyTaskList(75));
    const client = clientFor(store, portal, time, { offsetPagingMethods: ['crm.legacy.list'] });
    const rows = await client.forPortal(portal.memberId).listAll('crm.legacy.list');
    expect(rows).toHaveLength(75);
    await client.close();
  });
});
