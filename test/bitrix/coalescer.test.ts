import { B24Error } from '../../src/bitrix';
import { FakeRestError, startFakePortal, type FakePortal } from './helpers/fake-portal';
import { clientFor, installedStore } from './helpers/setup';
import { virtualTime } from './helpers/time';

function dealsPortalHandlers(portal: FakePortal) {
  portal.handle('crm.item.get', ({ params }) => {
    const id = Number(params.id);
    if (id % 10 === 0) throw new FakeRestError(400, 'NOT_FOUND', 'Element not found');
    return { item: { id, entityTypeId: Number(params.entityTypeId), title: `Deal #${id}` } };
  });
  portal.handle('user.get', ({ params }) => [{ ID: String(params.FILTER.ID), ACTIVE: true }]);
  portal.handle('crm.deal.update', ({ params }) => ({ received: params.fields }));
}

describe('coalescer', () => {
  let portal: FakePortal;
  const time = virtualTime();
  beforeEach(async () => {
    portal = await startFakePortal({ clock: time.clock });
    dealsPortalHandlers(portal);
  });
  afterEach(() => portal.close());

  it('100 concurrent calls go out as 2 batches, and each caller gets its own result or error', async () => {
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time);
    const b24 = client.forPortal(portal.memberId);

    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => b24.call('crm.item.get', { entityTypeId: 2, id: i + 1 })),
    );

    expect(portal.requests()).toHaveLength(2);
    expect(portal.requests('batch')).toHaveLength(2);
    outcomes.forEach((outcome, i) => {
      const id = i + 1;
      if (id % 10 === 0) {
        expect(outcome.status).toBe('rejected');
        const error = (outcome as PromiseRejectedResult).reason as B24Error;
        expect(error).toBeInstanceOf(B24Error);
        expect(error.code).toBe('NOT_FOUND');
        expect(error.method).toBe('crm.item.get');
      } else {
        expect(outcome).toEqual({ status: 'fulfilled', value: { item: { id, entityTypeId: 2, title: `Deal #${id}` } } });
      }
    });
    await client.close();
    await store.close();
  });

  it('a lone call is sent directly, not as a batch of one', async () => {
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time);
    await client.forPortal(portal.memberId).call('crm.item.get', { entityTypeId: 2, id: 3 });
    expect(portal.requests().map((r) => r.method)).toEqual(['crm.item.get']);
    await client.close();
    await store.close();
  });

  it('calls whose params a form query would change (empty array, null) are sent on their own as JSON', async () => {
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time);
    const b24 = client.forPortal(portal.memberId);
    const [cleared] = await Promise.all([
      b24.call('crm.deal.update', { id: 410, fields: { CONTACT_IDS: [] } }),
      b24.call('crm.item.get', { entityTypeId: 2, id: 1 }),
      b24.call('crm.item.get', { entityTypeId: 2, id: 2 }),
    ]);
    expect(cleared).toEqual({ received: { CONTACT_IDS: [] } });
    expect(portal.requests().map((r) => r.method).sort()).toEqual(['batch', 'crm.deal.update']);
    await client.close();
    await store.close();
  });

  it('calls of different users are not mixed into one batch', async () => {
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time);
    await Promise.all([
      client.forPortal(portal.memberId).call('user.get', { FILTER: { ID: 1 } }),
      client.forPortal(portal.memberId).call('user.get', { FILTER: { ID: 2 } }),
      client.forPortal(portal.memberId, { userId: 9 }).call('user.get', { FILTER: { ID: 3 } }),
    ]);
    expect(portal.requests().map((r) => r.method).sort()).toEqual(['batch', 'user.get']);
    await client.close();
    await store.close();
  });
});

describe('done when: 100 concurrent calls with the bucket and expiring tokens', () => {
  it('all complete, one refresh per expiry, fewer HTTP requests than calls', async () => {
    const time = virtualTime();
    const portal = await startFakePortal({ clock: time.clock, bucket: { burst: 50, drainPerSecond: 2 } });
    dealsPortalHandlers(portal);
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time);
    const b24 = client.forPortal(portal.memberId);
    const wave = () =>
      Promise.allSettled(
        Array.from({ length: 100 }, (_, i) =>
          i % 2 ? b24.call('crm.item.get', { entityTypeId: 2, id: i + 1 }) : b24.call('user.get', { FILTER: { ID: i } }),
        ),
      );

    portal.expireAccessTokens();
    const first = await wave();
    portal.expireAccessTokens();
    const second = await wave();

    for (const outcomes of [first, second]) {
      const failed = outcomes.filter((o) => o.status === 'rejected');
      // Only the deliberately missing deals (ids divisible by 10 among the odd-indexed calls) fail, each with its own error.
      expect(failed.map((o) => ((o as PromiseRejectedResult).reason as B24Error).code)).toEqual(
        Array(failed.length).fill('NOT_FOUND'),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(100 - failed.length);
    }
    expect(portal.refreshCount()).toBe(2);
    expect(client.metrics.refreshes).toBe(2);
    // Per wave: 2 coalesced batches, each refused once with expired_token and repeated after the one refresh.
    expect(portal.requests().length).toBeLessThanOrEqual(8);
    expect(portal.requests().filter((r) => r.status === 503)).toHaveLength(0);
    await client.close();
    await store.close();
    await portal.close();
  });

  it('a command refused for its operating budget inside a coalesced batch is retried after the reset', async () => {
    const time = virtualTime();
    const portal = await startFakePortal({
      clock: time.clock,
      operating: { limitSeconds: 10, windowSeconds: 120, cost: { 'crm.activity.list': 11 } },
    });
    dealsPortalHandlers(portal);
    portal.handle('crm.activity.list', () => [{ ID: '77' }]);
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time);
    const b24 = client.forPortal(portal.memberId);
    await b24.call('crm.activity.list'); // operating 11 > 10: the next one is refused

    const [activities, deal] = await Promise.all([
      b24.call('crm.activity.list'),
      b24.call('crm.item.get', { entityTypeId: 2, id: 3 }),
    ]);

    expect(activities).toEqual([{ ID: '77' }]);
    expect(deal.item.id).toBe(3);
    expect(portal.requests().map((r) => r.method)).toEqual(['crm.activity.list', 'batch', 'crm.activity.list']);
    await client.close();
    await store.close();
    await portal.close();
  });
});
