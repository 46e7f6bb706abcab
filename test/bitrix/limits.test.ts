import { createOperatingBudget } from '../../src/bitrix/operating-budget';
import { createRateLimiter, defaultLimits } from '../../src/bitrix/rate-limiter';
import { createMetrics } from '../../src/bitrix/runtime';
import { startFakePortal, type FakePortal } from './helpers/fake-portal';
import { clientFor, installedStore } from './helpers/setup';
import { manualTime, virtualTime } from './helpers/time';

describe('leaky bucket per portal', () => {
  it('lets a burst of 50 through at once, then 2 a second, waiting instead of failing', async () => {
    const time = virtualTime();
    const metrics = createMetrics();
    const limiter = createRateLimiter({ clock: time.clock, sleep: time.sleep, metrics });
    const standard = defaultLimits('standard');
    const start = time.now();
    for (let i = 0; i < 50; i++) await limiter.acquire('m1', standard);
    expect(time.now()).toBe(start);
    for (let i = 0; i < 10; i++) await limiter.acquire('m1', standard);
    // 10 more requests at 2/s: 5 seconds of waiting, counted in the metrics.
    expect(time.now() - start).toBe(5000);
    expect(metrics.rateLimitWaitMs).toBe(5000);
  });

  it('keeps portals apart and treats a 503 as a full bucket', async () => {
    const time = virtualTime();
    const limiter = createRateLimiter({ clock: time.clock, sleep: time.sleep, metrics: createMetrics() });
    const enterprise = defaultLimits('enterprise');
    await limiter.acquire('m1', enterprise);
    limiter.markFull('m1', enterprise);
    const start = time.now();
    await limiter.acquire('m2', enterprise);
    expect(time.now()).toBe(start);
    await limiter.acquire('m1', enterprise);
    expect(time.now() - start).toBe(200); // one slot drains in 1/5 s on Enterprise
  });
});

describe('client under the portal limits', () => {
  let portal: FakePortal;
  afterEach(() => portal.close());

  it('a 503 QUERY_LIMIT_EXCEEDED waits and retries until every call succeeds', async () => {
    const time = virtualTime();
    // Another app on our IP already filled most of the portal's bucket: only 5 requests fit, then 2 a second.
    portal = await startFakePortal({ clock: time.clock, bucket: { burst: 5, drainPerSecond: 2 } });
    portal.handle('crm.deal.add', ({ params }) => Number(params.fields.TITLE.split('#')[1]));
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time, { coalesceWindowMs: 0 });
    const b24 = client.forPortal(portal.memberId);

    // Writes too: a 503 means the portal refused before running the method.
    const ids = await Promise.all(
      Array.from({ length: 12 }, (_, i) => b24.call('crm.deal.add', { fields: { TITLE: `Deal #${i}` } })),
    );

    expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(client.metrics.requests.get('crm.deal.add|503')).toBeGreaterThan(0);
    expect(client.metrics.requests.get('crm.deal.add|200')).toBe(12);
    expect(client.metrics.rateLimitWaitMs).toBeGreaterThan(0);
    await client.close();
    await store.close();
  });

  it('a 429 OPERATION_TIME_LIMIT parks only that method until operating_reset_at', async () => {
    const time = manualTime();
    portal = await startFakePortal({
      clock: time.clock,
      operating: { limitSeconds: 10, windowSeconds: 600, cost: { 'crm.activity.list': 6 } },
    });
    portal.handle('crm.activity.list', () => [{ ID: '1', TYPE_ID: '2' }]);
    portal.handle('crm.company.get', ({ params }) => ({ ID: String(params.id), TITLE: 'ООО Ромашка' }));
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time, { coalesceWindowMs: 0 });
    const b24 = client.forPortal(portal.memberId);

    await b24.call('crm.activity.list'); // operating 6
    await b24.call('crm.activity.list'); // operating 12: over the limit of 10
    const blocked = b24.call('crm.activity.list');
    const settled = jest.fn();
    void blocked.then(settled, settled);

    // Other methods keep working while crm.activity.list waits.
    const company = await b24.call('crm.company.get', { id: 5 });
    expect(company.TITLE).toBe('ООО Ромашка');
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).not.toHaveBeenCalled();

    time.advance(600_000); // the oldest minute bucket drops out
    await expect(blocked).resolves.toEqual([{ ID: '1', TYPE_ID: '2' }]);
    await client.close();
    await store.close();
  });

  it('a 429 that comes without warning parks the method and retries after the reset', async () => {
    const time = virtualTime();
    portal = await startFakePortal({ clock: time.clock });
    portal.handle('crm.activity.list', () => []);
    portal.fault(
      'crm.activity.list',
      429,
      JSON.stringify({ error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' }),
    );
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time, { coalesceWindowMs: 0 });
    const start = time.now();

    await expect(client.forPortal(portal.memberId).call('crm.activity.list')).resolves.toEqual([]);
    expect(time.now() - start).toBeGreaterThanOrEqual(60_000); // no reset time known: one minute bucket
    expect(client.metrics.requests.get('crm.activity.list|429')).toBe(1);
    await client.close();
    await store.close();
  });
});

describe('operating budget', () => {
  it('parks a method ahead of time once time.operating passes the limit', () => {
    const time = virtualTime();
    const budget = createOperatingBudget({ clock: time.clock, sleep: time.sleep });
    const limits = defaultLimits('standard');
    const resetAt = time.now() / 1000 + 120;
    budget.record('m1', 'crm.item.list', { operating: 470, operating_reset_at: resetAt }, limits);
    expect(budget.parkedUntil('m1', 'crm.item.list')).toBeNull();
    budget.record('m1', 'crm.item.list', { operating: 490, operating_reset_at: resetAt }, limits);
    expect(budget.parkedUntil('m1', 'crm.item.list')).toBe(resetAt * 1000);
    expect(budget.parkedUntil('m1', 'crm.deal.list')).toBeNull();
  });
});
