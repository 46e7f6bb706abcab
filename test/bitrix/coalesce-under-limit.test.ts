/**
 * Coalescing while the portal's bucket is full (PROTOCOL §5.2: a batch counts once): calls that runs issue while a
 * batch would only wait for the bucket join that batch, instead of each queueing a request of its own. And the token
 * a call uses is the one stored when its turn comes, so a wait in line longer than the token's life costs one
 * refresh, not one per caller.
 */
import { startFakePortal, type FakePortal } from './helpers/fake-portal';
import { clientFor, installedStore } from './helpers/setup';
import { manualTime } from './helpers/time';

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

describe('coalescing under the rate limit', () => {
  let portal: FakePortal;
  afterEach(() => portal.close());

  it('calls issued while the bucket is full travel in the batch that waits for it', async () => {
    const time = manualTime();
    portal = await startFakePortal({ clock: time.clock });
    portal.handle('crm.item.get', ({ params }) => ({ item: { id: Number(params.id) } }));
    portal.handle('server.time', () => time.clock().toISOString());
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time, { limits: () => ({ burst: 2, drainPerSecond: 1, operatingLimitSeconds: 480 }) });
    const b24 = client.forPortal(portal.memberId);
    await b24.callRaw('server.time');
    await b24.callRaw('server.time');

    // Three waves of runs, each well after the coalescing window of the one before, while the bucket is full.
    const calls: Promise<{ item: { id: number } }>[] = [];
    for (let wave = 0; wave < 3; wave++) {
      for (let i = 0; i < 10; i++) calls.push(b24.call('crm.item.get', { entityTypeId: 2, id: wave * 10 + i + 1 }));
      await tick();
    }
    expect(portal.requests('batch')).toHaveLength(0);
    time.advance(1_000);

    const results = await Promise.all(calls);
    expect(results.map((r) => r.item.id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(portal.requests('batch')).toHaveLength(1);
    expect(portal.requests('crm.item.get')).toHaveLength(0);
    await client.close();
    await store.close();
  });

  it('a call uses the token stored when its turn comes: a token that dies in the line is refreshed once, and only the calls ahead of the refresh meet it', async () => {
    const time = manualTime();
    portal = await startFakePortal({ clock: time.clock });
    portal.handle('server.time', () => time.clock().toISOString());
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time, {
      coalesceWindowMs: 0,
      limits: () => ({ burst: 1, drainPerSecond: 1, operatingLimitSeconds: 480 }),
    });
    const b24 = client.forPortal(portal.memberId);
    await b24.callRaw('server.time');

    // Five calls line up for the bucket; the admin's token dies while they wait.
    const calls = Array.from({ length: 5 }, () => b24.callRaw('server.time'));
    await tick();
    portal.expireAccessTokens();
    let settled = false;
    const all = Promise.all(calls).finally(() => (settled = true));
    for (let i = 0; i < 20 && !settled; i++) {
      time.advance(1_000);
      await tick();
    }
    await all;

    expect(portal.refreshCount()).toBe(1);
    // Only calls whose turn came before the one refresh finished met the dead token; a token read before the wait
    // would have sent all five to the portal with it.
    const refused = portal.requests('server.time').filter((r) => r.status === 401);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThan(calls.length);
    expect(new Set(refused.map((r) => r.body.auth)).size).toBe(1);
    await client.close();
    await store.close();
  });
});
