/**
 * Our record of what we registered on each portal. `bizproc.robot.list` / `bizproc.activity.list` return codes only
 * (PROTOCOL §1.1, §1.5), so the fields of what is on a portal are known only from what we sent: the exact payload of
 * every successful add/update is kept per portal in the store (state key `robots:registered`).
 *
 * Registrations done by the service at install (`app:registration`, which keeps only a fingerprint of the whole set)
 * count as records too when that fingerprint matches what the current robots would register.
 */
import { createHash } from 'node:crypto';
import type { RegistrationPayload } from '../activities/manifest';
import { planRegistration } from '../activities/registration';
import type { RobotDefinition } from '../activities/types';
import type { PortalRecord, Store } from '../store/types';

export const REGISTERED_STATE_KEY = 'robots:registered';
/** Written by the service's install flow (src/http/portal-registrar.ts). */
export const INSTALL_STATE_KEY = 'app:registration';

export type RegistrationKind = 'robot' | 'activity';

export interface RegisteredEntry {
  kind: RegistrationKind;
  code: string;
  hash: string;
  payload: RegistrationPayload;
  /** ISO time of the add/update. */
  at: string;
  /** Who registered it: this CLI, or the service at install (adopted from its fingerprint). */
  by: 'cli' | 'install';
}

export interface RegisteredRecords {
  version: 1;
  /** By CODE: robots and activities of one app share one CODE namespace (PROTOCOL §1.1). */
  entries: Record<string, RegisteredEntry>;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** JSON with object keys sorted: equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value)) ?? 'undefined';
}

/** Hash of a payload that ignores key order (a manifest rewritten with other key order is not a change). */
export function payloadHash(payload: RegistrationPayload): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex').slice(0, 16);
}

export async function readRecords(store: Pick<Store, 'getState'>, memberId: string): Promise<RegisteredRecords> {
  const stored = await store.getState<RegisteredRecords>(memberId, REGISTERED_STATE_KEY);
  if (!stored || typeof stored !== 'object' || typeof stored.entries !== 'object' || stored.entries === null) {
    return { version: 1, entries: {} };
  }
  return { version: 1, entries: { ...stored.entries } };
}

export async function writeRecords(store: Pick<Store, 'setState'>, memberId: string, records: RegisteredRecords): Promise<void> {
  await store.setState(memberId, REGISTERED_STATE_KEY, records);
}

interface InstallState {
  status?: string;
  fingerprint?: string;
  at?: string;
}

/**
 * What the service registered at install, when its recorded fingerprint is the one the given robots produce for this
 * portal (same robots, public URL and admin): then every payload of that plan is known exactly. Empty otherwise.
 */
export async function installRecords(
  store: Pick<Store, 'getState'>,
  portal: PortalRecord,
  robots: readonly RobotDefinition[],
  publicUrl: string,
): Promise<Record<string, RegisteredEntry>> {
  const state = await store.getState<InstallState>(portal.memberId, INSTALL_STATE_KEY);
  if (!state || state.status !== 'done' || !state.fingerprint) return {};
  let plan;
  try {
    plan = planRegistration(robots, { publicUrl, authUserId: portal.adminUserId });
  } catch {
    return {};
  }
  if (plan.fingerprint !== state.fingerprint) return {};
  const at = state.at ?? new Date(0).toISOString();
  return Object.fromEntries(
    plan.entries.map((entry) => [
      entry.code,
      { kind: entry.kind, code: entry.code, hash: payloadHash(entry.payload), payload: entry.payload, at, by: 'install' as const },
    ]),
  );
}
