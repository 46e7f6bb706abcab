/**
 * Where a portal stands against the manifests, and what `register`, `unregister` and `sync` would change.
 *
 * The portal tells which CODEs of *our* app exist (`bizproc.robot.list` / `bizproc.activity.list` list only the
 * calling app's codes, PROTOCOL §1.5, so other apps' robots never show up here and are never touched); our records
 * (registered.ts) tell what fields we sent; the manifests tell what should be there. Per CODE:
 *   in-sync   on the portal, in the manifests, and what we sent equals the manifest
 *   changed   on the portal and in the manifests, but the fields differ (named), or we have no record of them
 *   missing   in the manifests, not on the portal
 *   stale     ours (in our records) and on the portal, but no longer in the manifests: `sync` removes it
 *   unknown   on the portal under our app, but neither in the manifests nor in our records: always left alone
 */
import { materializeManifest, type RegistrationPayload, type RobotManifest } from '../activities/manifest';
import type { RobotDefinition } from '../activities/types';
import type { B24 } from '../bitrix/types';
import type { PortalRecord, Store } from '../store/types';
import { CliError } from './errors';
import { canonicalJson, installRecords, payloadHash, readRecords, type RegisteredRecords, type RegistrationKind } from './registered';

export type EntryState = 'in-sync' | 'changed' | 'missing' | 'stale' | 'unknown' | 'unavailable';

export interface DesiredEntry {
  kind: RegistrationKind;
  code: string;
  /** The manifest (robot) code: `deal_notify` for both `deal_notify` and `deal_notify_bp`. */
  robot: string;
  payload: RegistrationPayload;
  hash: string;
}

export interface StatusEntry {
  kind: RegistrationKind;
  code: string;
  robot: string | null;
  inManifests: boolean;
  onPortal: boolean;
  /** Who registered what we know of it; null when we have no record. */
  recorded: 'cli' | 'install' | null;
  state: EntryState;
  /** For `changed`: the fields that differ, e.g. `PROPERTIES.text.Name`, `HANDLER`. */
  differences: string[];
  desired: DesiredEntry | null;
}

export interface PortalStatus {
  memberId: string;
  domain: string;
  entries: StatusEntry[];
  /** Kinds the portal's plan does not offer (`ERROR_METHOD_NOT_FOUND` on the list method, PROTOCOL §1.1). */
  unavailable: RegistrationKind[];
  /** Our records, with the install registration adopted when it matches. */
  records: RegisteredRecords;
}

export const NOT_RECORDED = '(fields not recorded)';

/** The payloads the manifests ask for on this portal: handler on our public URL, the installing admin as AUTH_USER_ID. */
export function desiredEntries(manifests: readonly RobotManifest[], options: { publicUrl: string; authUserId: number }): DesiredEntry[] {
  const entries: DesiredEntry[] = [];
  for (const manifest of manifests) {
    const { robot, activity } = materializeManifest(manifest, options);
    for (const [kind, payload] of [
      ['robot', robot],
      ['activity', activity],
    ] as const) {
      if (payload) entries.push({ kind, code: payload.CODE, robot: manifest.code, payload, hash: payloadHash(payload) });
    }
  }
  return entries;
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function propertyDifferences(prefix: string, before: Record<string, any> = {}, after: Record<string, any> = {}): string[] {
  const out: string[] = [];
  for (const code of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (!(code in before)) out.push(`${prefix}.${code} (new)`);
    else if (!(code in after)) out.push(`${prefix}.${code} (removed)`);
    else {
      const keys = [...new Set([...Object.keys(before[code] ?? {}), ...Object.keys(after[code] ?? {})])].sort();
      for (const key of keys) if (!same(before[code]?.[key], after[code]?.[key])) out.push(`${prefix}.${code}.${key}`);
    }
  }
  return out;
}

/** The fields that differ between what was registered and what the manifest asks for, by name. */
export function payloadDifferences(registered: RegistrationPayload, desired: RegistrationPayload): string[] {
  const before = registered as unknown as Record<string, unknown>;
  const after = desired as unknown as Record<string, unknown>;
  const out: string[] = [];
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
    if (same(before[key], after[key])) continue;
    if (key === 'PROPERTIES' || key === 'RETURN_PROPERTIES') {
      out.push(...propertyDifferences(key, before[key] as Record<string, any>, after[key] as Record<string, any>));
    } else {
      out.push(key);
    }
  }
  return out;
}

function listProblem(portal: PortalRecord, kind: string, failure: { error: string; error_description: string }): CliError {
  const text = `${failure.error}: ${failure.error_description}`;
  if (failure.error === 'ACCESS_DENIED') {
    return new CliError(
      'REGISTRATION_DENIED',
      `bizproc.${kind}.list on ${portal.domain} was refused (${text}): robots can be managed only with the token of a ` +
        `portal admin through the installed app; user ${portal.adminUserId} is no longer an admin: reinstall the app as an admin`,
    );
  }
  return new CliError('PORTAL_LIST_FAILED', `bizproc.${kind}.list on ${portal.domain} failed (${text}): try again, or run with --verbose`);
}

/** Reads the portal's codes (one `batch` for both lists), our records and the manifests, and compares them. */
export async function readPortalStatus(options: {
  b24: B24;
  store: Pick<Store, 'getState'>;
  portal: PortalRecord;
  manifests: readonly RobotManifest[];
  publicUrl: string;
  /** The robots the service registers at install (for adopting its registration as records). */
  robots: readonly RobotDefinition[];
}): Promise<PortalStatus> {
  const { b24, portal } = options;
  const answer = await b24.batch({ robot: ['bizproc.robot.list', {}], activity: ['bizproc.activity.list', {}] });
  const onPortal: Record<RegistrationKind, Set<string>> = { robot: new Set(), activity: new Set() };
  const unavailable: RegistrationKind[] = [];
  for (const kind of ['robot', 'activity'] as const) {
    const failure = answer.errors[kind];
    if (failure?.error === 'ERROR_METHOD_NOT_FOUND') unavailable.push(kind);
    else if (failure) throw listProblem(portal, kind, failure);
    else for (const code of (answer.result[kind] as unknown[] | undefined) ?? []) onPortal[kind].add(String(code));
  }

  const records = await readRecords(options.store, portal.memberId);
  const adopted = await installRecords(options.store, portal, options.robots, options.publicUrl);
  // Whichever registered a code last (the CLI, or the service at install or app update) sent what is there now.
  for (const [code, entry] of Object.entries(adopted)) {
    const own = records.entries[code];
    if (!own || Date.parse(entry.at) > Date.parse(own.at)) records.entries[code] = entry;
  }

  const desired = desiredEntries(options.manifests, { publicUrl: options.publicUrl, authUserId: portal.adminUserId });
  const entries: StatusEntry[] = [];
  const seen = new Set<string>();
  for (const want of desired) {
    seen.add(`${want.kind}:${want.code}`);
    const record = records.entries[want.code]?.kind === want.kind ? records.entries[want.code] : undefined;
    const present = onPortal[want.kind].has(want.code);
    let state: EntryState = 'missing';
    let differences: string[] = [];
    if (unavailable.includes(want.kind)) state = 'unavailable';
    else if (present && !record) [state, differences] = ['changed', [NOT_RECORDED]];
    else if (present && record) {
      differences = record.hash === want.hash ? [] : payloadDifferences(record.payload, want.payload);
      state = differences.length === 0 ? 'in-sync' : 'changed';
    }
    entries.push({ kind: want.kind, code: want.code, robot: want.robot, inManifests: true, onPortal: present, recorded: record?.by ?? null, state, differences, desired: want });
  }
  for (const kind of ['robot', 'activity'] as const) {
    for (const code of [...onPortal[kind]].sort()) {
      if (seen.has(`${kind}:${code}`)) continue;
      const record = records.entries[code]?.kind === kind ? records.entries[code] : undefined;
      entries.push({
        kind,
        code,
        robot: null,
        inManifests: false,
        onPortal: true,
        recorded: record?.by ?? null,
        state: record ? 'stale' : 'unknown',
        differences: [],
        desired: null,
      });
    }
  }
  entries.sort((a, b) => a.code.localeCompare(b.code) || a.kind.localeCompare(b.kind));
  return { memberId: portal.memberId, domain: portal.domain, entries, unavailable, records };
}

export type Verb = 'add' | 'update' | 'delete';
export type Mode = 'register' | 'unregister' | 'sync';

export interface PlannedAction {
  verb: Verb;
  kind: RegistrationKind;
  code: string;
  differences: string[];
  payload: RegistrationPayload | null;
}

/** Whether an entry is meant by a code given on the command line: its own CODE or its manifest's code. */
export function entryMatches(entry: Pick<StatusEntry, 'code' | 'robot'>, code: string): boolean {
  return entry.code === code || entry.robot === code;
}

/** What a mode changes for the selected entries (all when `selected` is undefined). Unknown codes are never touched. */
export function planActions(status: PortalStatus, mode: Mode, selected?: (entry: StatusEntry) => boolean): PlannedAction[] {
  const actions: PlannedAction[] = [];
  for (const entry of status.entries) {
    if (selected && !selected(entry)) continue;
    const payload = entry.desired?.payload ?? null;
    const put = mode === 'register' || mode === 'sync';
    if (put && entry.state === 'missing') actions.push({ verb: 'add', kind: entry.kind, code: entry.code, differences: [], payload });
    else if (put && entry.state === 'changed') {
      actions.push({ verb: 'update', kind: entry.kind, code: entry.code, differences: entry.differences, payload });
    } else if (mode === 'sync' && entry.state === 'stale') {
      actions.push({ verb: 'delete', kind: entry.kind, code: entry.code, differences: [], payload: null });
    } else if (mode === 'unregister' && entry.onPortal && (entry.inManifests || entry.recorded)) {
      actions.push({ verb: 'delete', kind: entry.kind, code: entry.code, differences: [], payload: null });
    }
  }
  return actions;
}

/** How a state reads in a table. */
export const STATE_TEXT: Record<EntryState, string> = {
  'in-sync': 'in sync',
  changed: 'changed',
  missing: 'missing on portal',
  stale: 'not in manifests',
  unknown: 'unknown to us',
  unavailable: 'not on this plan',
};
