import express from 'express';
import { inspect } from 'node:util';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { B24Error, redactSecrets } from '../../src/bitrix';
import { isReadCall } from '../../src/bitrix/retry';
import { startFakePortal, type FakePortal } from './helpers/fake-portal';
import { ADMIN, captureLogger, clientFor, installedStore } from './helpers/setup';
import { virtualTime } from './helpers/time';

/** The portal's old address: answers every REST call with 302 to the new domain (PROTOCOL §4.5). */
async function startOldDomain(target: string) {
  const seen: { method: string; httpMethod: string }[] = [];
  const app = express();
  app.all('/rest/:method', (req, res) => {
    seen.push({ method: String(req.params.method), httpMethod: req.method });
    res.redirect(302, `${target}/rest/${req.params.method}`);
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('transport', () => {
  let portal: FakePortal;
  const time = virtualTime();
  beforeAll(async () => {
    portal = await startFakePortal({ clock: time.clock });
    portal.handle('crm.item.update', ({ params }) => ({ item: { id: Number(params.id), ...params.fields } }));
    portal.handle('crm.item.get', ({ params }) => ({ item: { id: Number(params.id) } }));
    portal.handle('crm.deal.add', () => 394);
    portal.handle('profile', ({ userId }) => ({ ID: String(userId) }));
  });
  afterAll(() => portal.close());

  it('follows a 302 by re-posting the body to the new domain, and stores the new domain', async () => {
    const old = await startOldDomain(portal.url);
    const time2 = virtualTime();
    const store = await installedStore(portal, time2, `${old.url}/rest/`);
    const client = clientFor(store, portal, time2);
    const b24 = client.forPortal(portal.memberId);

    const updated = await b24.call('crm.item.update', { entityTypeId: 2, id: 123, fields: { stageId: 'C1:WON' } });

    expect(updated).toEqual({ item: { id: 123, stageId: 'C1:WON' } });
    const arrived = portal.requests('crm.item.update').at(-1)!;
    expect(arrived.body).toMatchObject({ entityTypeId: 2, id: 123, fields: { stageId: 'C1:WON' } });
    expect(old.seen).toEqual([{ method: 'crm.item.update', httpMethod: 'POST' }]);
    const stored = (await store.getPortal(portal.memberId))!;
    expect(stored.clientEndpoint).toBe(`${portal.url}/rest/`);
    expect(stored.domain).toBe(new URL(portal.url).host);

    // The next call goes to the new address directly.
    await b24.call('crm.item.get', { entityTypeId: 2, id: 1 });
    expect(old.seen).toHaveLength(1);
    await client.close();
    await store.close();
    await old.close();
  });

  it('retries a read after a 500, but never a write', async () => {
    const store = await installedStore(portal, time);
    const client = clientFor(store, portal, time, { coalesceWindowMs: 0 });
    const b24 = client.forPortal(portal.memberId);
    const internal = JSON.stringify({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' });

    portal.fault('crm.item.get', 500, internal);
    await expect(b24.call('crm.item.get', { entityTypeId: 2, id: 5 })).resolves.toEqual({ item: { id: 5 } });

    portal.fault('crm.deal.add', 500, internal);
    const before = portal.requests('crm.deal.add').length;
    const error = await b24.call('crm.deal.add', { fields: { TITLE: 'x' } }).catch((e) => e);
    expect(error).toBeInstanceOf(B24Error);
    expect(error.status).toBe(500);
    expect(portal.requests('crm.deal.add').length - before).toBe(1);
    expect(client.metrics.requests.get('crm.item.get|500')).toBe(1);
    expect(client.metrics.requests.get('crm.item.get|200')).toBe(1);
    await client.close();
    await store.close();
  });

  it('a network failure is retried for reads and reported with status 0', async () => {
    const dead = await startOldDomain('http://127.0.0.1:9');
    await dead.close(); // nothing listens there any more
    const store = await installedStore(portal, time, `${dead.url}/rest/`);
    const client = clientFor(store, portal, time, { coalesceWindowMs: 0 });
    const error = await client.forPortal(portal.memberId).call('profile').catch((e) => e);
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.status).toBe(0);
    expect(client.metrics.requests.get('profile|0')).toBe(4); // maxAttempts of the default policy
    await client.close();
    await store.close();
  });

  it('never puts tokens or secrets into thrown errors or logs', async () => {
    const store = await installedStore(portal, time);
    const token = (await store.getToken(portal.memberId, ADMIN))!;
    const logger = captureLogger();
    const client = clientFor(store, portal, time, { coalesceWindowMs: 0, logger });
    const b24 = client.forPortal(portal.memberId);
    // A broken proxy echoes the request (with `auth`) in an HTML page; a portal error quotes the token.
    portal.fault('crm.deal.add', 502, '<html>Bad gateway: {body}</html>');
    portal.fault(
      'crm.deal.add',
      400,
      JSON.stringify({ error: 'INVALID_REQUEST', error_description: `bad request auth=${token.accessToken}&x=1` }),
    );
    portal.fault('crm.item.get', 503, 'overloaded', 10);

    const errors = [
      await b24.call('crm.deal.add', { fields: { TITLE: 'x' } }).catch((e) => e),
      await b24.call('crm.deal.add', { fields: { TITLE: 'x' } }).catch((e) => e),
      await b24.call('crm.item.get', { entityTypeId: 2, id: 1 }).catch((e) => e),
    ];

    for (const error of errors) {
      expect(error).toBeInstanceOf(B24Error);
      expect((error as Error).cause).toBeUndefined();
      const text = `${error.message} ${error.description} ${JSON.stringify(error)} ${inspect(error)}`;
      expect(text).not.toContain(token.accessToken);
      expect(text).not.toContain(token.refreshToken);
    }
    expect(errors[0].status).toBe(502);
    expect(errors[0].description).toContain('[redacted]');
    const logs = logger.lines.join('\n');
    expect(logs).not.toContain(token.accessToken);
    expect(logs).not.toContain(portal.clientSecret);
    await client.close();
    await store.close();
  });
});

describe('secrets redaction', () => {
  it('strips auth, access_token, refresh_token and client_secret in form, JSON and bracket shapes', () => {
    const text =
      'auth=abc123456789&client_secret=s3cr3t-value-x "refresh_token":"r-987654321" auth[access_token]=tok-55555555 ok=1';
    const clean = redactSecrets(text);
    for (const secret of ['abc123456789', 's3cr3t-value-x', 'r-987654321', 'tok-55555555']) {
      expect(clean).not.toContain(secret);
    }
    expect(clean).toContain('ok=1');
  });
});

describe('what counts as a read', () => {
  it.each([
    ['crm.item.get', true],
    ['crm.item.list', true],
    ['task.elapseditem.getlist', true],
    ['crm.deal.fields', true],
    ['profile', true],
    ['app.info', true],
    ['user.get', true],
    ['crm.item.add', false],
    ['bizproc.event.send', false],
    ['crm.timeline.comment.add', false],
  ])('%s → %s', (method, read) => {
    expect(isReadCall(method)).toBe(read);
  });

  it('a batch is a read only if every command is', () => {
    expect(isReadCall('batch', { cmd: { a: 'crm.item.get?id=1', b: 'user.get' } })).toBe(true);
    expect(isReadCall('batch', { cmd: { a: 'crm.item.get?id=1', b: 'crm.deal.add?fields[TITLE]=x' } })).toBe(false);
  });
});
