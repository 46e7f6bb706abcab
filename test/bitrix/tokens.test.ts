import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { createStore } from '../../src/store';
import type { Store } from '../../src/store/types';
import { B24Error } from '../../src/bitrix';
import { crmItemList, startFakePortal, type FakePortal } from './helpers/fake-portal';
import { ADMIN, captureLogger, clientFor, grantToken, installedStore, portalRecord, quietLogger } from './helpers/setup';
import { virtualTime } from './helpers/time';

describe('tokens: refresh on expired_token, once per portal+user', () => {
  let portal: FakePortal;
  const time = virtualTime();

  beforeAll(async () => {
    portal = await startFakePortal({ clock: time.clock });
    portal.handle('profile', ({ userId }) => ({ ID: String(userId), ADMIN: userId === ADMIN }));
    portal.handle('crm.item.list', crmItemList(10));
  });
  afterAll(() => portal.close());

  it('50 concurrent calls with an expired token make exactly one refresh and all succeed', async () => {
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time, { coalesceWindowMs: 0 });
    portal.expireAccessTokens();
    const before = portal.refreshCount();

    const b24 = client.forPortal(portal.memberId);
    const profiles = await Promise.all(Array.from({ length: 50 }, () => b24.call('profile')));

    expect(profiles.every((p) => p.ID === String(ADMIN))).toBe(true);
    expect(portal.refreshCount() - before).toBe(1);
    expect(client.metrics.refreshes).toBe(1);
    await client.close();
    await store.close();
  });

  it('two clients sharing one store refresh once between them', async () => {
    const store = await installedStore(portal, time);
    const first = clientFor(store, portal, time, { coalesceWindowMs: 0 });
    const second = clientFor(store, portal, time, { coalesceWindowMs: 0 });
    portal.expireAccessTokens();
    const before = portal.refreshCount();

    const calls = Array.from({ length: 20 }, (_, i) => (i % 2 ? first : second).forPortal(portal.memberId).call('profile'));
    await Promise.all(calls);

    expect(portal.refreshCount() - before).toBe(1);
    expect(first.metrics.refreshes + second.metrics.refreshes).toBe(1);
    await Promise.all([first.close(), second.close()]);
    await store.close();
  });

  it('two instances with their own store on one database refresh once (the store lock spans instances)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'b24-tokens-'));
    const url = `sqlite:${path.join(dir, 'shared.db')}`;
    const storeA = await createStore(url, { logger: quietLogger() });
    const storeB = await createStore(url, { logger: quietLogger() });
    await storeA.upsertPortal(portalRecord(portal, time.clock()));
    await grantToken(storeA, portal, ADMIN, time.clock());
    const a = clientFor(storeA, portal, time, { coalesceWindowMs: 0 });
    const b = clientFor(storeB, portal, time, { coalesceWindowMs: 0 });
    portal.expireAccessTokens();
    const before = portal.refreshCount();

    await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).forPortal(portal.memberId).call('profile')),
    );

    expect(portal.refreshCount() - before).toBe(1);
    await Promise.all([a.close(), b.close()]);
    await Promise.all([storeA.close(), storeB.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the rotated pair is saved before it is used', async () => {
    const base = await installedStore(portal, time);
    const events: string[] = [];
    const store: Store = Object.create(base);
    store.saveToken = async (token) => {
      events.push(`save ${token.accessToken}`);
      return base.saveToken(token);
    };
    const http = axios.create();
    http.interceptors.request.use((config) => {
      const auth = (config.data as { auth?: string } | undefined)?.auth;
      if (auth) events.push(`use ${auth}`);
      return config;
    });
    const client = clientFor(store, portal, time, { http, coalesceWindowMs: 0 });
    portal.expireAccessTokens();

    await client.forPortal(portal.memberId).call('profile');

    const saved = await base.getToken(portal.memberId, ADMIN);
    const saveAt = events.indexOf(`save ${saved!.accessToken}`);
    const firstUse = events.indexOf(`use ${saved!.accessToken}`);
    expect(saveAt).toBeGreaterThanOrEqual(0);
    expect(firstUse).toBeGreaterThan(saveAt);
    // The old refresh token was spent: the stored one is the new one.
    expect(portal.oauthJournal.at(-1)!.body.refresh_token).not.toBe(saved!.refreshToken);
    await client.close();
    await base.close();
  });

  it('sends the refresh grant as a form POST body, never in the URL', async () => {
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time, { coalesceWindowMs: 0 });
    portal.expireAccessTokens();
    await client.forPortal(portal.memberId).call('profile');
    const last = portal.oauthJournal.at(-1)!;
    expect(last.body.grant_type).toBe('refresh_token');
    expect(last.body.client_secret).toBe(portal.clientSecret);
    expect(last.query).toEqual({});
    await client.close();
    await store.close();
  });

  it('a dead refresh token ends in invalid_grant naming the fix, without leaking secrets', async () => {
    const store = await installedStore(portal, time);
    const stored = (await store.getToken(portal.memberId, ADMIN))!;
    // Someone else spent our refresh token (e.g. a copy of the database refreshed elsewhere).
    await axios.post(
      `${portal.url}/oauth/token/`,
      new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: portal.clientId,
        client_secret: portal.clientSecret,
        refresh_token: stored.refreshToken,
      }).toString(),
    );
    portal.expireAccessTokens();
    const logger = captureLogger();
    const client = clientFor(store, portal, time, { coalesceWindowMs: 0, logger });

    const error: B24Error = await client.forPortal(portal.memberId).call('profile').catch((e) => e);

    expect(error).toBeInstanceOf(B24Error);
    expect(error.code).toBe('invalid_grant');
    expect(error.message).toContain(`reinstall the app on ${new URL(portal.url).host}`);
    const everything = `${error.message} ${JSON.stringify(error)} ${logger.lines.join('\n')}`;
    for (const secret of [stored.refreshToken, stored.accessToken, portal.clientSecret]) {
      expect(everything).not.toContain(secret);
    }
    await client.close();
    await store.close();
  });

  it('invalid_token (a revoked access token) is refreshed once and the call repeated', async () => {
    const store = await installedStore(portal, time);
    const stored = (await store.getToken(portal.memberId, ADMIN))!;
    await store.saveToken({ ...stored, accessToken: 'revoked-access-token-0001' });
    const client = clientFor(store, portal, time, { coalesceWindowMs: 0 });
    const before = portal.refreshCount();

    await expect(client.forPortal(portal.memberId).call('profile')).resolves.toEqual({ ID: '1', ADMIN: true });
    expect(portal.refreshCount() - before).toBe(1);
    expect(client.metrics.requests.get('profile|401')).toBe(1);
    await client.close();
    await store.close();
  });

  it("a user without a token of their own works with the admin's", async () => {
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time, { coalesceWindowMs: 0 });
    const asManager = client.forPortal(portal.memberId, { userId: 7 });
    expect((await asManager.call('profile')).ID).toBe(String(ADMIN));

    await grantToken(store, portal, 7, time.clock());
    expect((await asManager.call('profile')).ID).toBe('7');
    await client.close();
    await store.close();
  });

  it('an unknown portal fails with a message naming the fix', async () => {
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time);
    const error = await client.forPortal('no-such-member').call('profile').catch((e) => e);
    expect(error.code).toBe('PORTAL_NOT_INSTALLED');
    expect(error.message).toContain('open the app in Bitrix24 once, or run `b24robots portals`');
    await client.close();
    await store.close();
  });
});
