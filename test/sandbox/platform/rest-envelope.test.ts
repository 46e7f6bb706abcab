import type { Sandbox } from '../../../src/sandbox';
import { callJson, request, startTestSandbox, type TestClock } from './helpers';

describe('sandbox REST: envelope, auth and errors', () => {
  let sandbox: Sandbox;
  let clock: TestClock;
  let endpoint: string;
  let token: string;

  beforeAll(async () => {
    ({ sandbox, clock } = await startTestSandbox({ portals: [{ domain: 'acme.bitrix24.test', timeZone: 'Europe/Moscow' }] }));
    endpoint = sandbox.defaultPortal.clientEndpoint;
    token = sandbox.issueTokens(sandbox.defaultPortal, sandbox.app.clientId, 1).access_token;
  });
  afterAll(() => sandbox.close());
  // keep the leaky bucket drained between tests (2 requests per second)
  afterEach(() => clock.advance(60));

  test('client_endpoint is the portal domain under the sandbox url', () => {
    expect(endpoint).toBe(`${sandbox.url}/acme.bitrix24.test/rest/`);
  });

  test('a success has result and a time object like the docs example, as application/json; charset=utf-8', async () => {
    clock.set(Date.UTC(2024, 7, 29, 7, 34, 19));
    const res = await callJson(endpoint, 'test.echo', { a: 1 }, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body.result.params).toEqual({ a: 1 });
    expect(Object.keys(res.body.time)).toEqual([
      'start', 'finish', 'duration', 'processing', 'date_start', 'date_finish', 'operating_reset_at', 'operating',
    ]);
    // the injected clock, printed in the portal's time zone with its offset
    expect(res.body.time.start).toBe(Date.UTC(2024, 7, 29, 7, 34, 19) / 1000);
    expect(res.body.time.date_start).toBe('2024-08-29T10:34:19+03:00');
    expect(res.body.time.operating).toBe(0.05);
    expect(res.body.time.operating_reset_at).toBe(Date.UTC(2024, 7, 29, 7, 44, 19) / 1000);
  });

  test('the token is taken from auth or access_token, in the body or the query, and removed from params', async () => {
    const inQuery = await request(`${endpoint}test.echo?auth=${token}&x=1`);
    expect(inQuery.body.result.params).toEqual({ x: '1' });
    const accessToken = await callJson(endpoint, 'test.echo', { access_token: token, y: 2 });
    expect(accessToken.status).toBe(200);
    expect(accessToken.body.result.params).toEqual({ y: 2 });
  });

  test('form bodies with PHP bracket keys arrive as nested objects, like JSON', async () => {
    const res = await request(`${endpoint}test.echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `auth=${token}&filter%5B%3ESTAGE_ID%5D=NEW&select%5B0%5D=ID&select%5B1%5D=TITLE&fields%5BTITLE%5D=Hello+world`,
    });
    expect(res.status).toBe(200);
    expect(res.body.result.params).toEqual({ filter: { '>STAGE_ID': 'NEW' }, select: ['ID', 'TITLE'], fields: { TITLE: 'Hello world' } });
  });

  test('multipart/form-data fields nest like a form; a file arrives as [name, base64]', async () => {
    const form = new FormData();
    form.append('auth', token);
    form.append('fields[TITLE]', 'Счёт №1');
    form.append('fields[FILE]', new Blob([Buffer.from([0, 255, 1])]), 'a.bin');
    const res = await request(`${endpoint}test.echo`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(res.body.result.params).toEqual({ fields: { TITLE: 'Счёт №1', FILE: ['a.bin', Buffer.from([0, 255, 1]).toString('base64')] } });
  });

  test('method names are case-insensitive and may end in .json', async () => {
    for (const name of ['TEST.Echo', 'test.echo.json', 'Test.ECHO.json']) {
      const res = await callJson(endpoint, name, {}, token);
      expect(res.status).toBe(200);
    }
  });

  test('/rest/ without a domain works for every portal: the token names the portal', async () => {
    const res = await callJson(`${sandbox.url}/rest/`, 'test.echo', {}, token);
    expect(res.status).toBe(200);
    expect(res.body.result.userId).toBe(1);
  });

  test('an unknown method is 404 ERROR_METHOD_NOT_FOUND "Method not found!"', async () => {
    const res = await callJson(endpoint, 'crm.nothing.here', {}, token);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
  });

  test('no token or an unknown token is 401 NO_AUTH_FOUND "Wrong authorization data"', async () => {
    for (const t of [undefined, 'notatoken', '__proto__']) {
      const res = await callJson(endpoint, 'test.echo', {}, t);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' });
    }
  });

  test("a token does not work on another portal's domain", async () => {
    const other = sandbox.addPortal({ domain: 'other.bitrix24.test' });
    const res = await callJson(other.clientEndpoint, 'test.echo', {}, token);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('NO_AUTH_FOUND');
  });

  test("a method's RestError keeps its status; an unexpected exception is 500 INTERNAL_SERVER_ERROR", async () => {
    const fail = await callJson(endpoint, 'test.fail', {}, token);
    expect(fail.status).toBe(400);
    expect(fail.body).toEqual({ error: 'NOT_FOUND', error_description: 'Element not found' });
    const crash = await callJson(endpoint, 'test.crash', {}, token);
    expect(crash.status).toBe(500);
    expect(crash.body).toEqual({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' });
  });

  test('a list answer puts total and next at the top level; the last page has no next', async () => {
    const first = await callJson(endpoint, 'test.list', {}, token);
    expect(first.body.result).toHaveLength(50);
    expect(first.body.total).toBe(120);
    expect(first.body.next).toBe(50);
    const last = await callJson(endpoint, 'test.list', { start: 100 }, token);
    expect(last.body.result).toHaveLength(20);
    expect(last.body.total).toBe(120);
    expect(last.body).not.toHaveProperty('next');
  });

  test('a method needing a scope the app lacks is 401 insufficient_scope', async () => {
    const app = sandbox.addApp({ scope: ['task'] });
    const narrow = sandbox.issueTokens(sandbox.defaultPortal, app.clientId, 1).access_token;
    const res = await callJson(endpoint, 'test.crm', {}, narrow);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('insufficient_scope');
  });

  test('an admin-only method refuses a non-admin with 403 "Access denied!"', async () => {
    const manager = sandbox.issueTokens(sandbox.defaultPortal, sandbox.app.clientId, 2).access_token;
    const res = await callJson(endpoint, 'test.admin', {}, manager);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied!' });
    expect((await callJson(endpoint, 'test.admin', {}, token)).body.result).toBe('admin ok');
  });

  test('a token of an inactive user is refused with authorization_error', async () => {
    const fired = sandbox.issueTokens(sandbox.defaultPortal, sandbox.app.clientId, 3).access_token;
    const res = await callJson(endpoint, 'test.echo', {}, fired);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('authorization_error');
  });

  describe('incoming webhooks', () => {
    test('a webhook URL calls methods as its user, without app context', async () => {
      const hook = sandbox.createWebhook(sandbox.defaultPortal.memberId, { userId: 1 });
      expect(hook.url).toBe(`${endpoint}1/${hook.code}/`);
      const echo = await callJson(hook.url, 'test.echo', { a: 1 });
      expect(echo.status).toBe(200);
      expect(echo.body.result).toEqual({ params: { a: 1 }, userId: 1, clientId: null });
      // PROTOCOL §1.1: no app context → "Access denied! Application context required" (403)
      const appOnly = await callJson(hook.url, 'test.app', {});
      expect(appOnly.status).toBe(403);
      expect(appOnly.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied! Application context required' });
      // app.info's own docs answer 400 for the same error
      const info = await callJson(hook.url, 'app.info', {});
      expect(info.status).toBe(400);
      expect(info.body.error).toBe('ACCESS_DENIED');
    });

    test('a webhook without the scope gets 403 insufficient_scope with the docs text', async () => {
      const hook = sandbox.createWebhook(sandbox.defaultPortal.memberId, { userId: 1, scope: ['task'] });
      const res = await callJson(hook.url, 'test.crm', {});
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the webhook token',
      });
    });

    test('a wrong user id or code in the webhook path is NO_AUTH_FOUND', async () => {
      const hook = sandbox.createWebhook(sandbox.defaultPortal.memberId, { userId: 1 });
      expect((await callJson(`${endpoint}2/${hook.code}/`, 'test.echo')).status).toBe(401);
      expect((await callJson(`${endpoint}1/wrongcode/`, 'test.echo')).body.error).toBe('NO_AUTH_FOUND');
    });
  });

  test('profile answers the token user with the well-known fields', async () => {
    clock.set(Date.UTC(2024, 7, 29, 7, 34, 19));
    const res = await callJson(endpoint, 'profile', {}, token);
    expect(res.body.result).toEqual({
      ID: '1', ADMIN: true, NAME: 'Anna', LAST_NAME: 'Admin', PERSONAL_GENDER: '', PERSONAL_PHOTO: '', TIME_ZONE: null, TIME_ZONE_OFFSET: 10800,
    });
  });
});
