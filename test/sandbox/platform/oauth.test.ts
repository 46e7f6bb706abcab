import type { Sandbox } from '../../../src/sandbox';
import { createInstallation, finishInstallation, removeInstallation } from '../../../src/sandbox';
import { callJson, request, startTestSandbox, type TestClock } from './helpers';

describe('sandbox OAuth server and tokens', () => {
  let sandbox: Sandbox;
  let clock: TestClock;

  beforeEach(async () => {
    ({ sandbox, clock } = await startTestSandbox({ portals: [{ domain: 'acme.bitrix24.test', memberId: 'a223c6b3710f85df22e9377d6c4f7553' }] }));
  });
  afterEach(() => sandbox.close());

  const tokenUrl = () => `${sandbox.url}/oauth/token/`;
  function refreshQuery(refreshToken: string, secret = sandbox.app.clientSecret): string {
    const q = new URLSearchParams({ grant_type: 'refresh_token', client_id: sandbox.app.clientId, client_secret: secret, refresh_token: refreshToken });
    return `${tokenUrl()}?${q}`;
  }

  test('an access token expires after tokenTtlSeconds (3600 by default) with 401 expired_token', async () => {
    const portal = sandbox.defaultPortal;
    const tokens = sandbox.issueTokens(portal, sandbox.app.clientId, 1);
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.expires).toBe(clock().getTime() / 1000 + 3600);
    clock.advance(3599);
    expect((await callJson(portal.clientEndpoint, 'test.echo', {}, tokens.access_token)).status).toBe(200);
    clock.advance(1);
    const expired = await callJson(portal.clientEndpoint, 'test.echo', {}, tokens.access_token);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error: 'expired_token', error_description: 'The access token provided has expired' });
  });

  test('the token lifetime can be cut to seconds per portal (faults API)', async () => {
    const portal = sandbox.defaultPortal;
    const res = await request(`${sandbox.url}/sandbox/portals/${portal.memberId}/faults`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tokenTtlSeconds: 5 }),
    });
    expect(res.body.tokenTtlSeconds).toBe(5);
    const tokens = sandbox.issueTokens(portal, sandbox.app.clientId, 1);
    expect(tokens.expires_in).toBe(5);
    clock.advance(5);
    expect((await callJson(portal.clientEndpoint, 'test.echo', {}, tokens.access_token)).body.error).toBe('expired_token');
  });

  test('refresh returns the documented fields; domain is the OAuth server, and the new pair works', async () => {
    const portal = sandbox.defaultPortal;
    const first = sandbox.issueTokens(portal, sandbox.app.clientId, 1);
    clock.advance(4000);
    const res = await request(refreshQuery(first.refresh_token));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual([
      'access_token', 'client_endpoint', 'domain', 'expires', 'expires_in', 'member_id', 'refresh_token', 'scope', 'server_endpoint', 'status', 'user_id',
    ]);
    expect(res.body).toMatchObject({
      client_endpoint: portal.clientEndpoint,
      domain: new URL(sandbox.url).host,
      expires_in: 3600,
      member_id: 'a223c6b3710f85df22e9377d6c4f7553',
      server_endpoint: `${sandbox.url}/rest/`,
      status: 'L',
      user_id: 1,
    });
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
    expect((await callJson(portal.clientEndpoint, 'test.echo', {}, res.body.access_token)).status).toBe(200);
  });

  test('rotation: a used refresh token is dead (400 invalid_grant), the new one works', async () => {
    const first = sandbox.issueTokens(sandbox.defaultPortal, sandbox.app.clientId, 1);
    const second = await request(refreshQuery(first.refresh_token));
    expect(second.status).toBe(200);
    const reuse = await request(refreshQuery(first.refresh_token));
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    // the JS SDK posts the same parameters as a form body
    const third = await request(tokenUrl(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token', client_id: sandbox.app.clientId, client_secret: sandbox.app.clientSecret, refresh_token: second.body.refresh_token,
      }).toString(),
    });
    expect(third.status).toBe(200);
  });

  test('a wrong client_secret is invalid_client and does not burn the refresh token', async () => {
    const first = sandbox.issueTokens(sandbox.defaultPortal, sandbox.app.clientId, 1);
    const wrong = await request(refreshQuery(first.refresh_token, 'wrong-secret'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect((await request(refreshQuery(first.refresh_token))).status).toBe(200);
  });

  test('missing parameters are invalid_request', async () => {
    const res = await request(`${tokenUrl()}?grant_type=refresh_token`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  test('an authorization code from the sandbox API is exchanged once, within 30 s', async () => {
    const portal = sandbox.defaultPortal;
    const minted = await request(`${sandbox.url}/sandbox/portals/${portal.memberId}/auth-codes`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ state: 'xyz' }),
    });
    expect(minted.body).toMatchObject({ state: 'xyz', domain: 'acme.bitrix24.test', member_id: portal.memberId });
    const exchange = (code: string) => request(`${tokenUrl()}?${new URLSearchParams({
      grant_type: 'authorization_code', client_id: sandbox.app.clientId, client_secret: sandbox.app.clientSecret, code,
    })}`);
    const ok = await exchange(minted.body.code);
    expect(ok.status).toBe(200);
    expect(ok.body.member_id).toBe(portal.memberId);
    expect((await exchange(minted.body.code)).body.error).toBe('invalid_grant');
    const late = sandbox.createAuthCode(portal.memberId, sandbox.app.clientId);
    clock.advance(31);
    expect((await exchange(late)).body.error).toBe('invalid_grant');
  });

  test('expiring all tokens through the sandbox API: calls get expired_token, refresh still works', async () => {
    const portal = sandbox.defaultPortal;
    const tokens = sandbox.issueTokens(portal, sandbox.app.clientId, 1);
    const res = await request(`${sandbox.url}/sandbox/portals/${portal.domain}/tokens/expire`, { method: 'POST' });
    expect(res.body.expired).toBe(1);
    expect((await callJson(portal.clientEndpoint, 'test.echo', {}, tokens.access_token)).body.error).toBe('expired_token');
    expect((await request(refreshQuery(tokens.refresh_token))).status).toBe(200);
  });

  describe('app.info and installations', () => {
    test('app.info has the documented shape; INSTALLED follows the installation', async () => {
      const portal = sandbox.defaultPortal;
      const installation = createInstallation(portal, sandbox.app.clientId, { installed: false, version: 3 });
      expect(installation.applicationToken).toMatch(/^[0-9a-f]{32}$/);
      expect(sandbox.applicationToken(portal, sandbox.app.clientId)).toBe(installation.applicationToken);
      const token = sandbox.issueTokens(portal, sandbox.app.clientId, 1).access_token;
      const before = await callJson(portal.clientEndpoint, 'app.info', {}, token);
      expect(before.body.result).toEqual({
        ID: installation.id,
        CODE: sandbox.app.clientId,
        VERSION: 3,
        STATUS: 'L',
        INSTALLED: false,
        PAYMENT_EXPIRED: 'N',
        DAYS: null,
        LANGUAGE_ID: 'ru',
        LICENSE: 'ru_std',
        LICENSE_TYPE: 'std',
        LICENSE_FAMILY: 'std',
      });
      finishInstallation(portal, sandbox.app.clientId);
      const installed = await callJson(portal.clientEndpoint, 'app.info', {}, token);
      expect(installed.body.result.INSTALLED).toBe(true);
    });

    test('app.info at the OAuth server names the app and the portal the token was issued for', async () => {
      // the secure install check (PROTOCOL §4.4): the OAuth server's view of a token, not the portal's
      const portal = sandbox.defaultPortal;
      createInstallation(portal, sandbox.app.clientId, { installed: true, version: 2 });
      const tokens = sandbox.issueTokens(portal, sandbox.app.clientId, 1);
      const answer = await callJson(tokens.server_endpoint, 'app.info', {}, tokens.access_token);
      expect(answer.status).toBe(200);
      expect(answer.body.result).toMatchObject({
        client_id: sandbox.app.clientId,
        user_id: 1,
        install: { installed: true, version: 2, domain: portal.domain, member_id: portal.memberId, client_endpoint: portal.clientEndpoint },
      });
      const forged = await callJson(tokens.server_endpoint, 'app.info', {}, 'not-a-token');
      expect(forged.status).toBe(401);
    });

    test('removing the installation revokes the app tokens on that portal', async () => {
      const portal = sandbox.defaultPortal;
      createInstallation(portal, sandbox.app.clientId);
      const tokens = sandbox.issueTokens(portal, sandbox.app.clientId, 1);
      removeInstallation(portal, sandbox.app.clientId);
      expect(sandbox.applicationToken(portal, sandbox.app.clientId)).toBeNull();
      expect((await callJson(portal.clientEndpoint, 'test.echo', {}, tokens.access_token)).body.error).toBe('NO_AUTH_FOUND');
      expect((await request(refreshQuery(tokens.refresh_token))).body.error).toBe('invalid_grant');
    });

    test('events get tokens without a refresh token', () => {
      const tokens = sandbox.issueTokens(sandbox.defaultPortal, sandbox.app.clientId, 1, { withRefresh: false });
      expect(tokens.refresh_token).toBe('');
      expect(tokens.domain).toBe('acme.bitrix24.test');
    });
  });
});
