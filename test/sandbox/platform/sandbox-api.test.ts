import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Sandbox } from '../../../src/sandbox';
import { createInstallation, startSandbox } from '../../../src/sandbox';
import { callJson, request, startTestSandbox, testClock, testPart, type TestClock } from './helpers';

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('sandbox API: domain change, journal, faults', () => {
  let sandbox: Sandbox;
  let clock: TestClock;
  let token: string;

  beforeEach(async () => {
    ({ sandbox, clock } = await startTestSandbox({ portals: [{ domain: 'old.bitrix24.test' }] }));
    token = sandbox.issueTokens(sandbox.defaultPortal, sandbox.app.clientId, 1).access_token;
  });
  afterEach(() => sandbox.close());

  test('after a domain change the old domain answers 302 to the same path on the new one (PROTOCOL §4.5)', async () => {
    const portal = sandbox.defaultPortal;
    const oldEndpoint = portal.clientEndpoint;
    const renamed = await request(`${sandbox.url}/sandbox/portals/${portal.memberId}/rename`, json({ domain: 'new.bitrix24.test' }));
    expect(renamed.body).toMatchObject({ domain: 'new.bitrix24.test', previousDomains: ['old.bitrix24.test'] });
    expect(portal.clientEndpoint).toBe(`${sandbox.url}/new.bitrix24.test/rest/`);

    const redirected = await callJson(oldEndpoint, 'test.echo', { a: 1 }, token);
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe(`${sandbox.url}/new.bitrix24.test/rest/test.echo`);
    const withQuery = await request(`${oldEndpoint}test.echo?x=1`);
    expect(withQuery.headers.get('location')).toBe(`${sandbox.url}/new.bitrix24.test/rest/test.echo?x=1`);
    // re-sending the POST to Location works
    const resent = await callJson(`${sandbox.url}/new.bitrix24.test/rest/`, 'test.echo', { a: 1 }, token);
    expect(resent.body.result.params).toEqual({ a: 1 });
    // member_id does not change with the address
    expect(sandbox.portal('new.bitrix24.test').memberId).toBe(portal.memberId);
  });

  test('a domain in use by another portal cannot be taken', async () => {
    sandbox.addPortal({ domain: 'taken.bitrix24.test' });
    const res = await request(`${sandbox.url}/sandbox/portals/old.bitrix24.test/rename`, json({ domain: 'taken.bitrix24.test' }));
    expect(res.status).toBe(400);
  });

  test('the journal records every call with method, time, status and error; batch sub-calls are flagged', async () => {
    const portal = sandbox.defaultPortal;
    await callJson(portal.clientEndpoint, 'test.echo', {}, token);
    await callJson(portal.clientEndpoint, 'test.fail', {}, token);
    await callJson(portal.clientEndpoint, 'batch', { cmd: { a: 'test.echo', b: 'test.list' } }, token);
    await callJson(`${sandbox.url}/rest/`, 'test.echo', {}, 'bogus'); // unknown token on /rest/: no portal to record it on
    await callJson(portal.clientEndpoint, 'test.echo', {}, 'bogus'); // on the portal's own domain it is recorded
    const journal = await request(`${sandbox.url}/sandbox/portals/${portal.memberId}/journal`);
    expect(journal.body.httpRequests).toBe(4);
    expect(journal.body.batchSubCalls).toBe(2);
    expect(journal.body.entries.map((e: any) => [e.method, e.status, e.error, e.batch])).toEqual([
      ['test.echo', 200, undefined, undefined],
      ['test.fail', 400, 'NOT_FOUND', undefined],
      ['test.echo', 200, undefined, true],
      ['test.list', 200, undefined, true],
      ['batch', 200, undefined, undefined],
      ['test.echo', 401, 'NO_AUTH_FOUND', undefined],
    ]);
    expect(journal.body.entries[0]).toMatchObject({ at: clock().toISOString(), userId: 1, clientId: sandbox.app.clientId });
    await request(`${sandbox.url}/sandbox/portals/${portal.memberId}/journal`, { method: 'DELETE' });
    expect(sandbox.journal(portal.memberId)).toEqual({ httpRequests: 0, batchSubCalls: 0, entries: [] });
  });

  test('expired tokens and rate-limit refusals are journaled too', async () => {
    const portal = sandbox.defaultPortal;
    sandbox.setLimits(portal.memberId, { bucket: { burst: 1 } });
    await callJson(portal.clientEndpoint, 'test.echo', {}, token);
    await callJson(portal.clientEndpoint, 'test.echo', {}, token);
    clock.advance(3600);
    await callJson(portal.clientEndpoint, 'test.echo', {}, token);
    expect(sandbox.journal(portal.memberId).entries.map((e) => [e.status, e.error])).toEqual([
      [200, undefined],
      [503, 'QUERY_LIMIT_EXCEEDED'],
      [401, 'expired_token'],
    ]);
  });

  test('errorRate makes that share of calls fail with 500 INTERNAL_SERVER_ERROR, repeatably with a seed', async () => {
    const portal = sandbox.defaultPortal;
    sandbox.setLimits(portal.memberId, { bucket: { enabled: false } });
    const run = async () => {
      await request(`${sandbox.url}/sandbox/portals/${portal.memberId}/faults`, json({ errorRate: 0.3, seed: 7 }));
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await callJson(portal.clientEndpoint, 'test.echo', {}, token)).status);
      return statuses;
    };
    const first = await run();
    const failures = first.filter((s) => s === 500).length;
    expect(failures).toBeGreaterThan(4);
    expect(failures).toBeLessThan(24);
    expect(await run()).toEqual(first);
    const failed = await (async () => {
      await request(`${sandbox.url}/sandbox/portals/${portal.memberId}/faults`, json({ errorRate: 1 }));
      return callJson(portal.clientEndpoint, 'test.echo', {}, token);
    })();
    expect(failed.body).toEqual({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' });
  });

  test('faults are validated and readable; dropHandlerCalls is kept for the bizproc part', async () => {
    const bad = await request(`${sandbox.url}/sandbox/portals/old.bitrix24.test/faults`, json({ errorRate: 2 }));
    expect(bad.status).toBe(400);
    await request(`${sandbox.url}/sandbox/portals/old.bitrix24.test/faults`, json({ dropHandlerCalls: 0.5, latencyMs: 1 }));
    expect(sandbox.defaultPortal.faults).toEqual({ errorRate: 0, latencyMs: 1, dropHandlerCalls: 0.5 });
    expect((await callJson(sandbox.defaultPortal.clientEndpoint, 'test.echo', {}, token)).status).toBe(200);
  });

  test('an unknown portal in the sandbox API is 404', async () => {
    const res = await request(`${sandbox.url}/sandbox/portals/nope/journal`);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('NOT_FOUND');
  });

  test('portals added through the API get their own member_id, time zone and limits', async () => {
    const res = await request(`${sandbox.url}/sandbox/portals`, json({ domain: 'kld.bitrix24.test', timeZone: 'Europe/Kaliningrad', plan: 'enterprise' }));
    expect(res.body).toMatchObject({ domain: 'kld.bitrix24.test', timeZone: 'Europe/Kaliningrad', plan: 'enterprise' });
    expect(res.body.memberId).toMatch(/^[0-9a-f]{32}$/);
    const portal = sandbox.portal('kld.bitrix24.test');
    const t = sandbox.issueTokens(portal, sandbox.app.clientId, 1).access_token;
    const echo = await callJson(portal.clientEndpoint, 'test.echo', {}, t);
    expect(echo.body.time.date_start).toBe('2024-08-29T09:34:19+02:00');
  });
});

describe('sandbox persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sandbox-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('state saved on close comes back on the next start: portals, apps, tokens, installations, part state', async () => {
    const stateFile = path.join(dir, 'sandbox.json');
    const clock = testClock();
    const quiet = { error: () => undefined };
    const first = await startSandbox({ parts: [testPart], clock, stateFile, logger: quiet, portals: [{ domain: 'keep.bitrix24.test', timeZone: 'Asia/Yekaterinburg' }] });
    const portal = first.defaultPortal;
    portal.state.test.counter = 41;
    const installation = createInstallation(portal, first.app.clientId);
    const tokens = first.issueTokens(portal, first.app.clientId, 2);
    first.renamePortal(portal.memberId, 'kept.bitrix24.test');
    first.setLimits(portal.memberId, { bucket: { burst: 7 } });
    const app = { clientId: first.app.clientId, clientSecret: first.app.clientSecret };
    await first.close();
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).version).toBe(1);

    const second = await startSandbox({ parts: [testPart], clock, stateFile, logger: quiet, portals: [{}, {}] });
    try {
      expect(second.portals.size).toBe(1);
      const restored = second.portal(portal.memberId);
      expect(restored).toMatchObject({ domain: 'kept.bitrix24.test', previousDomains: ['keep.bitrix24.test'], timeZone: 'Asia/Yekaterinburg' });
      expect(restored.limits.bucket.burst).toBe(7);
      expect(restored.state.test.counter).toBe(41);
      expect(second.app).toMatchObject(app);
      expect(second.applicationToken(restored, app.clientId)).toBe(installation.applicationToken);
      const echo = await callJson(restored.clientEndpoint, 'test.echo', {}, tokens.access_token);
      expect(echo.body.result.userId).toBe(2);
      const refreshed = await request(`${second.url}/oauth/token/?${new URLSearchParams({
        grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: tokens.refresh_token,
      })}`);
      expect(refreshed.status).toBe(200);
      // the client_endpoint follows the new listener's port
      expect(refreshed.body.client_endpoint).toBe(`${second.url}/kept.bitrix24.test/rest/`);
      // POST /sandbox/save writes the file on demand
      const saved = await request(`${second.url}/sandbox/save`, { method: 'POST' });
      expect(saved.body).toEqual({ saved: true });
    } finally {
      await second.close();
    }
  });

  test('a corrupt state file stops start-up with a message naming the file, and is left alone', async () => {
    const stateFile = path.join(dir, 'broken.json');
    writeFileSync(stateFile, '{not json');
    await expect(startSandbox({ parts: [testPart], stateFile })).rejects.toThrow(/broken\.json is not JSON/);
    expect(readFileSync(stateFile, 'utf8')).toBe('{not json');
  });
});
