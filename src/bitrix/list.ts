/**
 * Enumerating every row of a list method with as few requests as the batch limit allows (PROTOCOL §5.5):
 * keyset paging — order by id ascending, filter `>id` with the last id seen, `start=-1` (no COUNT(*)) — sent as
 * chains of up to 50 pages in ONE `batch`, each page's filter pointing at the previous page's 50th row through
 * `$result[pK][items][49][id]`. The chain is read up to its first short page; later pages (whose reference could
 * not resolve) are ignored. Methods that ignore start=-1 page with start/next instead, batched by offsets.
 */
import { BATCH_LIMIT, buildCommand, commandError, type BatchAnswer } from './batch';
import { B24Error, ClientErrorCode } from './errors';
import { extractRows, rowId, type ListSpec } from './list-specs';
import type { Scope } from './executor';
import type { RestParams, RestResponse } from './types';

/** list: the page size is fixed at 50. */
export const PAGE_SIZE = 50;
/** A chain broken by limit refusals this many times in a row gives up. */
const MAX_LIMIT_REFUSALS = 10;

export interface ListOptions {
  /** Stop after this many rows. */
  limit?: number;
  /** Pages per batch request (1..50, default 50). */
  pagesPerRequest?: number;
}

export interface ListDeps {
  execute: (scope: Scope, method: string, params?: RestParams) => Promise<RestResponse<unknown>>;
  sendBatch: (scope: Scope, cmd: Record<string, string>, halt: boolean) => Promise<BatchAnswer>;
}

function withSelectId(params: Record<string, unknown>, spec: ListSpec): Record<string, unknown> {
  if (!spec.selectParam) return params;
  const select = params[spec.selectParam];
  if (!Array.isArray(select) || select.length === 0) return params;
  const has = select.some((f) => typeof f === 'string' && (f === '*' || f.toLowerCase() === spec.selectId.toLowerCase()));
  return has ? params : { ...params, [spec.selectParam]: [...select, spec.selectId] };
}

/** The path of page `key`'s last row id inside a batch result, e.g. `$result[p0][items][49][id]`. */
function lastIdReference(key: string, spec: ListSpec): string {
  const wrapper = spec.wrapper ? `[${spec.wrapper}]` : '';
  return `$result[${key}]${wrapper}[${PAGE_SIZE - 1}][${spec.idField}]`;
}

function isLimitRefusal(code: string): boolean {
  return code === 'OPERATION_TIME_LIMIT' || code === 'QUERY_LIMIT_EXCEEDED';
}

function requireId(row: unknown, spec: ListSpec, method: string, scope: Scope): string | number {
  const id = rowId(row, spec);
  if (id !== undefined) return id;
  throw new B24Error({
    code: ClientErrorCode.LIST_NOT_SUPPORTED,
    status: 0,
    method,
    memberId: scope.memberId,
    description: `rows of ${method} carry no "${spec.idField}": add the id to select or configure the method's list spec`,
  });
}

async function* keysetPages<T>(
  deps: ListDeps,
  scope: Scope,
  method: string,
  params: Record<string, unknown>,
  spec: ListSpec,
  options: ListOptions,
): AsyncGenerator<T[]> {
  const base = withSelectId({ ...params, ...spec.orderParams, start: -1 }, spec);
  const userFilter = { ...((params[spec.filterParam] as Record<string, unknown> | undefined) ?? {}) };
  // A caller resuming from a cursor passes `>ID` itself: start from there.
  let lastId: unknown = userFilter[spec.greaterKey] ?? 0;
  delete userFilter[spec.greaterKey];
  const pageParams = (after: unknown) => ({ ...base, [spec.filterParam]: { ...userFilter, [spec.greaterKey]: after } });
  let remaining = options.limit ?? Infinity;
  const perRequest = Math.max(1, Math.min(BATCH_LIMIT, options.pagesPerRequest ?? BATCH_LIMIT));
  let refusals = 0;

  while (remaining > 0) {
    const pages = Math.min(perRequest, Math.ceil(remaining / PAGE_SIZE));
    if (pages === 1) {
      // One page needs no batch.
      const envelope = await deps.execute(scope, method, pageParams(lastId));
      const rows = extractRows<T>(envelope.result, spec);
      if (rows.length === 0) return;
      lastId = requireId(rows[rows.length - 1], spec, method, scope);
      remaining -= rows.length;
      yield rows;
      if (rows.length < PAGE_SIZE) return;
      continue;
    }
    const cmd: Record<string, string> = {};
    for (let k = 0; k < pages; k++) {
      const after = k === 0 ? lastId : lastIdReference(`p${k - 1}`, spec);
      cmd[`p${k}`] = buildCommand(method, pageParams(after));
    }
    const answer = await deps.sendBatch(scope, cmd, false);
    for (let k = 0; k < pages; k++) {
      const key = `p${k}`;
      const failure = answer.errors[key];
      if (failure) {
        // Pages before k were full, so k's reference resolved: this is a real error of page k.
        if (isLimitRefusal(failure.error) && ++refusals <= MAX_LIMIT_REFUSALS) break; // resume from lastId
        throw commandError(method, failure, scope.memberId);
      }
      refusals = 0;
      const rows = extractRows<T>(answer.result[key], spec);
      if (rows.length > 0) {
        lastId = requireId(rows[rows.length - 1], spec, method, scope);
        remaining -= rows.length;
        yield rows;
      }
      if (rows.length < PAGE_SIZE || remaining <= 0) return;
    }
  }
}

async function* offsetPages<T>(
  deps: ListDeps,
  scope: Scope,
  method: string,
  params: Record<string, unknown>,
  spec: ListSpec,
  options: ListOptions,
): AsyncGenerator<T[]> {
  let remaining = options.limit ?? Infinity;
  const first = await deps.execute(scope, method, { ...params, start: 0 });
  const firstRows = extractRows<T>(first.result, spec);
  if (firstRows.length > 0) yield firstRows;
  remaining -= firstRows.length;
  if (first.next === undefined || first.next === null || remaining <= 0) return;
  // Once `total` is known every remaining page's `start` is known: ask for up to 50 of them per batch.
  const total = Number(first.total ?? 0);
  let offsets: number[] = [];
  for (let start = Number(first.next); start < total; start += PAGE_SIZE) offsets.push(start);
  let refusals = 0;
  while (offsets.length > 0 && remaining > 0) {
    const take = Math.min(offsets.length, BATCH_LIMIT, Math.ceil(remaining / PAGE_SIZE));
    const chunk = offsets.slice(0, take);
    const cmd = Object.fromEntries(chunk.map((start) => [`s${start}`, buildCommand(method, { ...params, start })]));
    const answer = await deps.sendBatch(scope, cmd, false);
    let done = 0;
    for (const start of chunk) {
      const failure = answer.errors[`s${start}`];
      if (failure) {
        if (isLimitRefusal(failure.error) && ++refusals <= MAX_LIMIT_REFUSALS) break;
        throw commandError(method, failure, scope.memberId);
      }
      refusals = 0;
      done += 1;
      const rows = extractRows<T>(answer.result[`s${start}`], spec);
      if (rows.length === 0) return; // rows were deleted meanwhile: nothing further
      remaining -= rows.length;
      yield rows;
      if (remaining <= 0) return;
    }
    offsets = offsets.slice(done);
  }
}

export function listPages<T>(
  deps: ListDeps,
  scope: Scope,
  method: string,
  params: Record<string, unknown>,
  spec: ListSpec,
  options: ListOptions = {},
): AsyncGenerator<T[]> {
  return spec.keyset
    ? keysetPages<T>(deps, scope, method, params, spec, options)
    : offsetPages<T>(deps, scope, method, params, spec, options);
}

export async function listAll<T>(
  deps: ListDeps,
  scope: Scope,
  method: string,
  params: Record<string, unknown>,
  spec: ListSpec,
  options: ListOptions = {},
): Promise<T[]> {
  const rows: T[] = [];
  for await (const page of listPages<T>(deps, scope, method, params, spec, options)) rows.push(...page);
  return options.limit !== undefined ? rows.slice(0, options.limit) : rows;
}
