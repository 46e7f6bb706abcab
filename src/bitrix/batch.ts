/**
 * `batch` (PROTOCOL §5.4): up to 50 commands per request, each a `method?query` string whose query is a PHP bracket
 * form (the portal `parse_str`s it, then resolves `$result[key][field]…` references). The answer carries per-command
 * sections `result`, `result_error`, `result_total`, `result_next`, `result_time`; PHP serialises an empty section as
 * `[]` and a section with keys 0..n-1 as an array, so every section is normalised to a record keyed like `cmd`.
 */
import { encodeBracketForm, type EncodableValue } from '../util/bracket-form';
import { B24Error, statusForCode } from './errors';
import type { BatchCommand, BatchResult, RestParams, RestResponse, RestTime } from './types';

/** batch: max 50 commands; from the 51st on each gets ERROR_BATCH_LENGTH_EXCEEDED. */
export const BATCH_LIMIT = 50;

function asRecord(params: RestParams | undefined): Record<string, EncodableValue> {
  if (!params) return {};
  if (Array.isArray(params)) return Object.fromEntries(params.map((v, i) => [String(i), v as EncodableValue]));
  return params as Record<string, EncodableValue>;
}

/** `crm.item.get?entityTypeId=2&id=5`; references like `$result[p0][items][49][id]` survive (decoded before use). */
export function buildCommand(method: string, params?: RestParams): string {
  const query = encodeBracketForm(asRecord(params));
  return query ? `${method}?${query}` : method;
}

/**
 * Whether params survive the trip through a form query unchanged. JSON can say things a PHP form cannot: null,
 * an empty array (clearing a multiple field) and an empty object are dropped by http_build_query.
 */
export function isFormSafe(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.length > 0 && value.every(isFormSafe);
  if (typeof value === 'object') {
    const entries = Object.values(value as Record<string, unknown>);
    return entries.length > 0 && entries.every(isFormSafe);
  }
  return false;
}

/** `[]` → `{}`, `[a, b]` → `{"0": a, "1": b}`, objects as they are. */
export function normaliseSection<T = unknown>(section: unknown): Record<string, T> {
  if (Array.isArray(section)) return Object.fromEntries(section.map((v, i) => [String(i), v as T]));
  if (section && typeof section === 'object') return section as Record<string, T>;
  return {};
}

export interface BatchAnswer extends BatchResult {
  time: Record<string, Partial<RestTime>>;
}

/** Reads the envelope of one `batch` request. */
export function parseBatchEnvelope(envelope: RestResponse<unknown>): BatchAnswer {
  const body = (envelope.result ?? {}) as Record<string, unknown>;
  const errors: BatchResult['errors'] = {};
  for (const [key, raw] of Object.entries(normaliseSection<any>(body.result_error))) {
    errors[key] = {
      error: raw?.error === null || raw?.error === undefined ? '' : String(raw.error),
      error_description: String(raw?.error_description ?? ''),
    };
  }
  const numbers = (section: unknown) =>
    Object.fromEntries(Object.entries(normaliseSection(section)).map(([k, v]) => [k, Number(v)]));
  return {
    result: normaliseSection(body.result),
    errors,
    total: numbers(body.result_total),
    next: numbers(body.result_next),
    time: normaliseSection<Partial<RestTime>>(body.result_time),
  };
}

/** The B24Error for a failed command (a sub-call carries no HTTP status of its own). */
export function commandError(
  method: string,
  failure: { error: string; error_description: string },
  memberId?: string,
): B24Error {
  return new B24Error({
    code: failure.error,
    status: statusForCode(failure.error),
    description: failure.error_description,
    method,
    ...(memberId ? { memberId } : {}),
  });
}

/** Sends one `batch` request of ≤ 50 `cmd` strings and returns the parsed answer. */
export type SendBatch = (cmd: Record<string, string>, halt: boolean) => Promise<BatchAnswer>;

/**
 * Runs any number of commands, 50 per request, in order. Keys of an array input are its indices. `$result`
 * references work within a chunk, so callers keep a chain in one group of ≤ 50.
 */
export async function runBatch(
  send: SendBatch,
  commands: Record<string, BatchCommand> | BatchCommand[],
  options: { halt?: boolean; memberId?: string } = {},
): Promise<BatchResult> {
  const entries: [string, BatchCommand][] = Array.isArray(commands)
    ? commands.map((c, i) => [String(i), c])
    : Object.entries(commands);
  const out: BatchResult = { result: {}, errors: {}, total: {}, next: {} };
  const halt = options.halt ?? false;

  for (let start = 0; start < entries.length; start += BATCH_LIMIT) {
    const chunk = entries.slice(start, start + BATCH_LIMIT);
    const cmd = Object.fromEntries(chunk.map(([key, [method, params]]) => [key, buildCommand(method, params)]));
    const answer = await send(cmd, halt);
    for (const [key] of chunk) {
      if (key in answer.result) out.result[key] = answer.result[key];
      if (answer.errors[key]) out.errors[key] = answer.errors[key];
      if (key in answer.total) out.total[key] = answer.total[key];
      if (key in answer.next) out.next[key] = answer.next[key];
    }
    if (halt) {
      const failed = chunk.find(([key]) => out.errors[key]);
      if (failed) throw commandError(failed[1][0], out.errors[failed[0]], options.memberId);
    }
  }
  return out;
}
