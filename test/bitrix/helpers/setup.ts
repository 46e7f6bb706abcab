/** Wires a real store (SQLite in memory), an installed portal record with the admin's token, and a client. */
import { createStore } from '../../../src/store';
import type { PortalRecord, Store } from '../../../src/store/types';
import { createBitrixClient, type BitrixClientOptions } from '../../../src/bitrix';
import type { ClientLogger } from '../../../src/bitrix';
import type { FakePortal } from './fake-portal';
import type { TestTime } from './time';
import { portalRecord as fixturePortal } from '../../fixtures/portal';

export const ADMIN = 1;

export function portalRecord(portal: { memberId: string; clientEndpoint: string }, now: Date): PortalRecord {
  const url = new URL(portal.clientEndpoint);
  return fixturePortal({
    memberId: portal.memberId,
    domain: url.host,
    clientEndpoint: portal.clientEndpoint,
    applicationToken: 'app-token-51f0c9e8d7b6a5',
    scope: 'crm,task,user,bizproc',
    adminUserId: ADMIN,
    installedAt: now,
    updatedAt: now,
  });
}

/** Stores a fresh token pair the fake portal issued for `userId`. */
export async function grantToken(store: Store, portal: FakePortal, userId: number, now: Date) {
  const pair = portal.issue(userId);
  await store.saveToken({
    memberId: portal.memberId,
    userId,
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    expiresAt: new Date(now.getTime() + 3600_000),
    scope: 'crm,task,user,bizproc',
    updatedAt: now,
  });
  return pair;
}

export async function installedStore(portal: FakePortal, time: TestTime, clientEndpoint = portal.clientEndpoint) {
  const store = await createStore('sqlite::memory:', { logger: quietLogger() });
  await store.upsertPortal(portalRecord({ memberId: portal.memberId, clientEndpoint }, time.clock()));
  await grantToken(store, portal, ADMIN, time.clock());
  return store;
}

export function clientFor(store: Store, portal: FakePortal, time: TestTime, extra: Partial<BitrixClientOptions> = {}) {
  return createBitrixClient({
    store,
    oauth: { clientId: portal.clientId, clientSecret: portal.clientSecret, server: portal.url },
    clock: time.clock,
    sleep: time.sleep,
    retry: { baseDelayMs: 10, maxDelayMs: 200, random: () => 0.5 },
    ...extra,
  });
}

export interface CapturedLogger extends ClientLogger {
  lines: string[];
}

/** A logger that keeps every line (message + meta as JSON) for assertions. */
export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const write = (level: string) => (message: string, meta?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  return { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export function quietLogger() {
  const noop = () => undefined;
  return { debug: noop, info: noop, warn: noop, error: noop };
}
