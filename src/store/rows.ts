/**
 * Row ↔ record mapping shared by both engines. Writes: instants as ISO-8601 UTC strings, JSON as JSON text, booleans
 * as 1/0 (SQLite binds no booleans; PostgreSQL's boolean input accepts '1'/'0'). Reads accept either engine's shape:
 * ISO text or Date for instants, JSON text (the PostgreSQL pool is configured to return json/jsonb as text),
 * 0/1 or boolean for flags, and bigint counts as strings.
 */
import { randomUUID } from 'node:crypto';
import type { NewRun, PortalRecord, RunPatch, RunRecord, RunState, ScheduleRecord, TokenRecord } from './types';

type Row = Record<string, unknown>;

export function isoOrNull(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** JSON text of a value; `undefined` (a step that returned nothing) is stored as null. */
export function jsonText(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

export function jsonTextOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function flag(value: boolean): number {
  return value ? 1 : 0;
}

export function readDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return new Date(value.getTime());
  return new Date(String(value));
}

function requireDate(value: unknown, column: string): Date {
  const date = readDate(value);
  if (!date) throw new Error(`store row has no ${column}`);
  return date;
}

export function readJson(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? JSON.parse(value) : value;
}

function readFlag(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

function readIntOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export const PORTAL_COLUMNS = [
  'member_id', 'domain', 'client_endpoint', 'server_endpoint', 'application_token', 'status', 'scope', 'plan',
  'time_zone', 'culture', 'admin_user_id', 'app_version', 'installed_at', 'updated_at', 'uninstalled_at',
  'last_activity_at',
] as const;

export function portalParams(portal: PortalRecord): unknown[] {
  return [
    portal.memberId, portal.domain, portal.clientEndpoint, portal.serverEndpoint, portal.applicationToken,
    portal.status, portal.scope, portal.plan, portal.timeZone, portal.culture, portal.adminUserId, portal.appVersion,
    portal.installedAt.toISOString(), portal.updatedAt.toISOString(), isoOrNull(portal.uninstalledAt),
    isoOrNull(portal.lastActivityAt),
  ];
}

export function portalFromRow(row: Row): PortalRecord {
  return {
    memberId: String(row.member_id),
    domain: String(row.domain),
    clientEndpoint: String(row.client_endpoint),
    serverEndpoint: String(row.server_endpoint),
    applicationToken: String(row.application_token),
    status: String(row.status),
    scope: String(row.scope),
    plan: row.plan === 'enterprise' ? 'enterprise' : 'standard',
    timeZone: String(row.time_zone),
    culture: String(row.culture),
    adminUserId: Number(row.admin_user_id),
    appVersion: Number(row.app_version),
    installedAt: requireDate(row.installed_at, 'installed_at'),
    updatedAt: requireDate(row.updated_at, 'updated_at'),
    uninstalledAt: readDate(row.uninstalled_at),
    lastActivityAt: readDate(row.last_activity_at),
  };
}

export const TOKEN_COLUMNS = [
  'member_id', 'user_id', 'access_token', 'refresh_token', 'expires_at', 'scope', 'updated_at',
] as const;

export function tokenParams(token: TokenRecord): unknown[] {
  return [
    token.memberId, token.userId, token.accessToken, token.refreshToken, token.expiresAt.toISOString(), token.scope,
    token.updatedAt.toISOString(),
  ];
}

export function tokenFromRow(row: Row): TokenRecord {
  return {
    memberId: String(row.member_id),
    userId: Number(row.user_id),
    accessToken: String(row.access_token),
    refreshToken: String(row.refresh_token),
    expiresAt: requireDate(row.expires_at, 'expires_at'),
    scope: String(row.scope),
    updatedAt: requireDate(row.updated_at, 'updated_at'),
  };
}

export const RUN_COLUMNS = [
  'id', 'member_id', 'robot_code', 'source', 'dedupe_key', 'workflow_id', 'event_token', 'document_id',
  'document_type', 'properties', 'user_id', 'use_subscription', 'fired_at', 'state', 'attempts', 'available_at',
  'lease_owner', 'lease_until', 'return_values', 'log_message', 'last_error', 'event_sent_at', 'created_at',
  'updated_at', 'finished_at',
] as const;

/** The record of a freshly enqueued run: queued, no lease, available now unless the caller said otherwise. */
export function newRunRecord(newRun: NewRun, now: Date): RunRecord {
  return {
    id: randomUUID(),
    memberId: newRun.memberId,
    robotCode: newRun.robotCode,
    source: newRun.source,
    dedupeKey: newRun.dedupeKey,
    workflowId: newRun.workflowId,
    eventToken: newRun.eventToken,
    documentId: newRun.documentId,
    documentType: newRun.documentType,
    properties: newRun.properties,
    userId: newRun.userId,
    useSubscription: newRun.useSubscription,
    firedAt: newRun.firedAt,
    state: 'queued',
    attempts: 0,
    availableAt: newRun.availableAt ?? now,
    leaseOwner: null,
    leaseUntil: null,
    returnValues: null,
    logMessage: null,
    lastError: null,
    eventSentAt: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  };
}

export function runParams(run: RunRecord): unknown[] {
  return [
    run.id, run.memberId, run.robotCode, run.source, run.dedupeKey, run.workflowId, run.eventToken,
    jsonTextOrNull(run.documentId), jsonTextOrNull(run.documentType), jsonText(run.properties), run.userId,
    flag(run.useSubscription), run.firedAt.toISOString(), run.state, run.attempts, run.availableAt.toISOString(),
    run.leaseOwner, isoOrNull(run.leaseUntil), jsonTextOrNull(run.returnValues), run.logMessage, run.lastError,
    isoOrNull(run.eventSentAt), run.createdAt.toISOString(), run.updatedAt.toISOString(), isoOrNull(run.finishedAt),
  ];
}

export function runFromRow(row: Row): RunRecord {
  return {
    id: String(row.id),
    memberId: String(row.member_id),
    robotCode: String(row.robot_code),
    source: String(row.source) as RunRecord['source'],
    dedupeKey: String(row.dedupe_key),
    workflowId: textOrNull(row.workflow_id),
    eventToken: textOrNull(row.event_token),
    documentId: readJson(row.document_id) as string[] | null,
    documentType: readJson(row.document_type) as string[] | null,
    properties: (readJson(row.properties) ?? {}) as Record<string, unknown>,
    userId: readIntOrNull(row.user_id),
    useSubscription: readFlag(row.use_subscription),
    firedAt: requireDate(row.fired_at, 'fired_at'),
    state: String(row.state) as RunState,
    attempts: Number(row.attempts),
    availableAt: requireDate(row.available_at, 'available_at'),
    leaseOwner: textOrNull(row.lease_owner),
    leaseUntil: readDate(row.lease_until),
    returnValues: readJson(row.return_values) as Record<string, unknown> | null,
    logMessage: textOrNull(row.log_message),
    lastError: textOrNull(row.last_error),
    eventSentAt: readDate(row.event_sent_at),
    createdAt: requireDate(row.created_at, 'created_at'),
    updatedAt: requireDate(row.updated_at, 'updated_at'),
    finishedAt: readDate(row.finished_at),
  };
}

/** `[column, encoded value]` for each field present in a run patch. */
export function runPatchAssignments(patch: RunPatch): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  if (patch.state !== undefined) out.push(['state', patch.state]);
  if (patch.attempts !== undefined) out.push(['attempts', patch.attempts]);
  if (patch.availableAt !== undefined) out.push(['available_at', patch.availableAt.toISOString()]);
  if (patch.leaseOwner !== undefined) out.push(['lease_owner', patch.leaseOwner]);
  if (patch.leaseUntil !== undefined) out.push(['lease_until', isoOrNull(patch.leaseUntil)]);
  if (patch.returnValues !== undefined) out.push(['return_values', jsonTextOrNull(patch.returnValues)]);
  if (patch.logMessage !== undefined) out.push(['log_message', patch.logMessage]);
  if (patch.lastError !== undefined) out.push(['last_error', patch.lastError]);
  if (patch.eventSentAt !== undefined) out.push(['event_sent_at', isoOrNull(patch.eventSentAt)]);
  if (patch.finishedAt !== undefined) out.push(['finished_at', isoOrNull(patch.finishedAt)]);
  return out;
}

export const SCHEDULE_COLUMNS = [
  'id', 'member_id', 'job', 'cron', 'time_zone', 'enabled', 'last_run_at', 'next_run_at',
] as const;

export function scheduleParams(schedule: ScheduleRecord): unknown[] {
  return [
    schedule.id, schedule.memberId, schedule.job, schedule.cron, schedule.timeZone, flag(schedule.enabled),
    isoOrNull(schedule.lastRunAt), isoOrNull(schedule.nextRunAt),
  ];
}

export function scheduleFromRow(row: Row): ScheduleRecord {
  return {
    id: String(row.id),
    memberId: String(row.member_id),
    job: String(row.job),
    cron: String(row.cron),
    timeZone: String(row.time_zone),
    enabled: readFlag(row.enabled),
    lastRunAt: readDate(row.last_run_at),
    nextRunAt: readDate(row.next_run_at),
  };
}
