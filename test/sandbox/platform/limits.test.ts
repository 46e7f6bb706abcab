import type { Sandbox } from '../../../src/sandbox';
import { callJson, request, startTestSandbox, type TestClock } from './helpers';

describe('sandbox limits', () => {
  let sandbox: Sandbox;
  let clock: TestClock;

  beforeEach(async () => {
    ({ sandbox, clock } = await startTestSandbox({ portals: [{ domain: 'std.bitrix24.test' }, { domain: 'ent.bitrix24.test', plan: 'enterprise' }] }));
  });
  afterEach(() => sandbox.close());

  const tokenFor = (domain: string) => sandbox.issueTokens(sandbox.portal(domain), sandbox.app.clientId, 1).access_token;

  async function burst(endpoint: string, token: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) statuses.push((await callJson(endpoint, 'test.echo', {}, token)).status);
    return statuses;
  }

  describe('leaky bucket (b24-docs/limits.md)', () => {
    test('on a standard plan the 51st request in a burst is 503 QUERY_LIMIT_EXCEEDED "Too many requests"', async () => {
      const portal = sandbox.portal('std.bitrix24.test');
      const token = tokenFor(portal.domain);
      const statuses = await burst(portal.clientEndpoint, token, 50);
      expect(statuses.every((s) => s === 200)).toBe(true);
      const refused = await callJson(portal.clientEndpoint, 'test.echo', {}, token);
      expect(refused.status).toBe(503);
      expect(refused.body).toEqual({ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    });

    test('the counter drains by 2 per second: after one second two more requests pass, the third does not', async () => {
      const portal = sandbox.portal('std.bitrix24.test');
      const token = tokenFor(portal.domain);
      await burst(portal.clientEndpoint, token, 51);
      clock.advance(1);
      expect(await burst(portal.clientEndpoint, token, 3)).toEqual([200, 200, 503]);
      clock.advance(25); // fully drained
      expect((await burst(portal.clientEndpoint, token, 50)).every((s) => s === 200)).toBe(true);
    });

    test('an Enterprise portal allows a burst of 250 and drains 5 per second', async () => {
      const portal = sandbox.portal('ent.bitrix24.test');
      expect(portal.limits.bucket).toEqual({ enabled: true, burst: 250, drainPerSecond: 5 });
      const token = tokenFor(portal.domain);
      const statuses = await burst(portal.clientEndpoint, token, 251);
      expect(statuses.slice(0, 250).every((s) => s === 200)).toBe(true);
      expect(statuses[250]).toBe(503);
      clock.advance(1);
      expect(await burst(portal.clientEndpoint, token, 6)).toEqual([200, 200, 200, 200, 200, 503]);
    });

    test('each portal has its own bucket', async () => {
      const std = sandbox.portal('std.bitrix24.test');
      await burst(std.clientEndpoint, tokenFor(std.domain), 51);
      const other = sandbox.addPortal({ domain: 'third.bitrix24.test' });
      expect((await callJson(other.clientEndpoint, 'test.echo', {}, tokenFor(other.domain))).status).toBe(200);
    });

    test('a batch of 50 commands is one request for the bucket', async () => {
      const portal = sandbox.portal('std.bitrix24.test');
      const token = tokenFor(portal.domain);
      const cmd = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`c${i}`, 'test.echo']));
      for (let i = 0; i < 50; i++) {
        const res = await callJson(portal.clientEndpoint, 'batch', { cmd }, token);
        expect(res.status).toBe(200);
      }
      expect((await callJson(portal.clientEndpoint, 'batch', { cmd }, token)).status).toBe(503);
    });

    test('the bucket can be tuned or switched off per portal through the sandbox API', async () => {
      const portal = sandbox.portal('std.bitrix24.test');
      const token = tokenFor(portal.domain);
      const tuned = await request(`${sandbox.url}/sandbox/portals/${portal.memberId}/limits`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ bucket: { burst: 3 } }),
      });
      expect(tuned.body.bucket).toEqual({ enabled: true, burst: 3, drainPerSecond: 2 });
      expect(await burst(portal.clientEndpoint, token, 4)).toEqual([200, 200, 200, 503]);
      await request(`${sandbox.url}/sandbox/portals/${portal.domain}/limits`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ bucket: { enabled: false } }),
      });
      expect((await burst(portal.clientEndpoint, token, 60)).every((s) => s === 200)).toBe(true);
    });

    test('a bad limit value is refused with a message naming it', async () => {
      const res = await request(`${sandbox.url}/sandbox/portals/std.bitrix24.test/limits`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ bucket: { burst: -1 } }),
      });
      expect(res.status).toBe(400);
      expect(res.body.error_description).toContain('bucket.burst');
    });
  });

  describe('operating budget (b24-docs/limits.md, "Resource Intensity Limits")', () => {
    beforeEach(() => {
      // only the operating budget is under test here
      sandbox.setLimits('std.bitrix24.test', { bucket: { enabled: false } });
    });

    test('the docs example: 20 s calls, limit 480 — the 26th call is blocked with 429, other methods still work', async () => {
      const portal = sandbox.portal('std.bitrix24.test');
      const token = tokenFor(portal.domain);
      let last: any;
      for (let i = 1; i <= 25; i++) {
        last = await callJson(portal.clientEndpoint, 'test.heavy', {}, token);
        expect(last.status).toBe(200);
        clock.advance(20); // 25 calls over 500 s: all baskets still live
      }
      expect(last.body.time.operating).toBe(500);
      const blocked = await callJson(portal.clientEndpoint, 'test.heavy', {}, token);
      expect(blocked.status).toBe(429);
      expect(blocked.body.error).toBe('OPERATION_TIME_LIMIT');
      expect((await callJson(portal.clientEndpoint, 'test.echo', {}, token)).status).toBe(200);
    });

    test('operating_reset_at is when the oldest basket drops; after it the method works again', async () => {
      const portal = sandbox.portal('std.bitrix24.test');
      const token = tokenFor(portal.domain);
      clock.set(Date.UTC(2024, 7, 29, 8, 0, 0));
      const t0 = clock().getTime() / 1000;
      // calls at 0 s and 30 s fill the first one-minute basket (40 s); then one call every 20 s up to 500 s in total
      let first: any;
      for (let i = 0; i < 25; i++) {
        const res = await callJson(portal.clientEndpoint, 'test.heavy', {}, token);
        if (i === 0) first = res;
        clock.advance(i < 2 ? 30 : 20);
      }
      expect(first.body.time.operating_reset_at).toBe(t0 + 600);
      expect((await callJson(portal.clientEndpoint, 'test.heavy', {}, token)).status).toBe(429);
      clock.set((t0 + 600) * 1000); // the first basket (2 calls, 40 s) drops out: 460 s ≤ 480
      const again = await callJson(portal.clientEndpoint, 'test.heavy', {}, token);
      expect(again.status).toBe(200);
      expect(again.body.time.operating).toBe(480);
    });

    test('inside a batch each command counts against its own method and the batch itself costs nothing', async () => {
      const portal = sandbox.portal('std.bitrix24.test');
      const token = tokenFor(portal.domain);
      const cmd = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`h${i}`, 'test.heavy']));
      const first = await callJson(portal.clientEndpoint, 'batch', { cmd }, token);
      expect(Object.keys(first.body.result.result)).toHaveLength(25);
      expect(first.body.time.operating).toBe(0);
      const second = await callJson(portal.clientEndpoint, 'batch', { cmd: { heavy: 'test.heavy', echo: 'test.echo' } }, token);
      expect(second.body.result.result_error.heavy.error).toBe('OPERATION_TIME_LIMIT');
      expect(second.body.result.result.echo).toBeDefined();
    });

    test('the budget is per app: another app can still call the blocked method', async () => {
      sandbox.setLimits('std.bitrix24.test', { operating: { limitSeconds: 30 } });
      const portal = sandbox.portal('std.bitrix24.test');
      const token = tokenFor(portal.domain);
      await callJson(portal.clientEndpoint, 'test.heavy', {}, token);
      await callJson(portal.clientEndpoint, 'test.heavy', {}, token);
      expect((await callJson(portal.clientEndpoint, 'test.heavy', {}, token)).status).toBe(429);
      const other = sandbox.addApp({ name: 'other' });
      const otherToken = sandbox.issueTokens(portal, other.clientId, 1).access_token;
      expect((await callJson(portal.clientEndpoint, 'test.heavy', {}, otherToken)).status).toBe(200);
    });

    test('switched off, the budget never blocks', async () => {
      sandbox.setLimits('std.bitrix24.test', { operating: { enabled: false } });
      const portal = sandbox.portal('std.bitrix24.test');
      const token = tokenFor(portal.domain);
      for (let i = 0; i < 30; i++) expect((await callJson(portal.clientEndpoint, 'test.heavy', {}, token)).status).toBe(200);
    });
  });
});
