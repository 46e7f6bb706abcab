/**
 * The client against the sandbox portal (src/sandbox): the same wire behaviour as the fake portal's tests, but from
 * the emulator every other part of the project develops against.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { createStore } from '../../src/store';
import type { Store } from '../../src/store/types';
import { createBitrixClient, type B24Error, type BatchCommand, type BitrixClient } from '../../src/bitrix';
import { portalRecord, quietLogger } from './helpers/setup';
import { virtualTime } from './helpers/time';

const hasDataPart = fs.existsSync(path.join(__dirname, '../../src/sandbox/data/index.ts'));
const itWithData = hasDataPart ? it : it.skip;

describe('client against the sandbox portal', () => {
  const time = virtualTime(Date.now());
  let sandbox: Sandbox;
  let store: Store;
  let client: BitrixClient;
  let memberId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ clock: time.clock, randomSeed: 7 });
    const portal = sandbox.defaultPortal;
    memberId = portal.memberId;
    store = await createStore('sqlite::memory:', { logger: quietLogger() });
    await store.upsertPortal({ ...portalRecord(portal, time.clock()), domain: portal.domain });
    const tokens = sandbox.issueTokens(portal, sandbox.app.clientId, 1);
    await store.saveToken({
      memberId,
      userId: 1,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt: new Date(tokens.expires * 1000),
      scope: tokens.scope,
      updatedAt: time.clock(),
    });
    client = createBitrixClient({
      store,
      oauth: { clientId: sandbox.app.clientId, clientSecret: sandbox.app.clientSecret, server: sandbox.url },
      clock: time.clock,
      sleep: time.sleep,
      portalCacheMs: 0,
    });
  });
  afterAll(async () => {
    await client.close();
    await store.close();
    await sandbox.close();
  });

  it('100 concurrent calls with the bucket on and expired tokens: all complete, one refresh, few requests', async () => {
    sandbox.expireTokens(memberId);
    const before = sandbox.journal(memberId).httpRequests;
    const refreshesBefore = client.metrics.refreshes;
    const b24 = client.forPortal(memberId);
    const methods = ['profile', 'app.info', 'server.time', 'scope'];

    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => b24.call(methods[i % 4])));

    expect(results.filter((r, i) => i % 4 === 0 && r.ID === '1')).toHaveLength(25);
    expect(client.metrics.refreshes - refreshesBefore).toBe(1);
    const requests = sandbox.journal(memberId).httpRequests - before;
    expect(requests).toBeLessThan(100);
    expect(requests).toBeLessThanOrEqual(4);
  });

  it('follows the portal to its new domain and stores it', async () => {
    const oldDomain = sandbox.defaultPortal.domain;
    sandbox.renamePortal(memberId, 'renamed-acme.bitrix24.test');

    const profile = await client.forPortal(memberId).call('profile');

    expect(profile.ID).toBe('1');
    const stored = (await store.getPortal(memberId))!;
    expect(stored.domain).toBe('renamed-acme.bitrix24.test');
    expect(stored.clientEndpoint).toBe(`${sandbox.url}/renamed-acme.bitrix24.test/rest/`);
    expect(stored.domain).not.toBe(oldDomain);
  });

  it('a batch reports each command on its own', async () => {
    const out = await client.forPortal(memberId).batch({ me: ['profile'], nope: ['no.such.method'] });
    expect((out.result.me as { ID: string }).ID).toBe('1');
    expect(out.errors.nope.error).toBe('ERROR_METHOD_NOT_FOUND');
  });

  itWithData('enumerates 2600 deals in 2 HTTP requests', async () => {
    const b24 = client.forPortal(memberId);
    const add: BatchCommand[] = Array.from({ length: 2600 }, (_, i) => [
      'crm.item.add',
      { entityTypeId: 2, fields: { title: `Сделка ${i + 1}` } },
    ]);
    // 2600 adds would exhaust crm.item.add's 10-minute operating budget (as on a real portal): not what this test is about
    sandbox.setLimits(memberId, { operating: { enabled: false } });
    const created = await b24.batch(add);
    expect(Object.keys(created.errors)).toEqual([]);
    sandbox.setLimits(memberId, { operating: { enabled: true } });
    const existing = await b24.callRaw('crm.item.list', { entityTypeId: 2, start: 0 });
    const before = sandbox.journal(memberId).httpRequests;

    const deals = await b24.listAll('crm.item.list', { entityTypeId: 2, select: ['id', 'title'] });

    expect(deals).toHaveLength(Number(existing.total));
    expect(new Set(deals.map((d) => d.id)).size).toBe(deals.length);
    expect(sandbox.journal(memberId).httpRequests - before).toBeLessThanOrEqual(Math.ceil((deals.length + 1) / 2500));
  });

  it('an unknown method fails with the portal code', async () => {
    const error = (await client.forPortal(memberId).call('no.such.method').catch((e) => e)) as B24Error;
    expect(error.code).toBe('ERROR_METHOD_NOT_FOUND');
    expect(error.status).toBe(404);
  });
});
