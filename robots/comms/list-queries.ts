/**
 * Many filtered list queries at once: one sub-call per query, 50 per `batch` request (PROTOCOL §5.4), each with keyset
 * paging (`order ID asc`, `start=-1`, §5.5) so a query whose first page came back full is finished from its last id by
 * the client's enumeration. This is how 50 companies are covered by one sub-call (`@OWNER_ID`, `@COMPANY_ID`,
 * `UF_CRM_TASK` lists) and 2500 by one request.
 */
import { commandError } from '../../src/bitrix/batch';
import type { B24, BatchCommand } from '../../src/bitrix/types';

/** list: the page size is fixed at 50 (PROTOCOL §5.5). */
export const PAGE = 50;

export interface ListQuery {
  method: string;
  /** Params without order/start; `filter` is the method's filter object. */
  params: Record<string, unknown> & { filter: Record<string, unknown> };
}

/** Rows of a page: a bare array, or `{tasks: […]}` for tasks.task.list. */
export function pageRows(result: unknown): Array<Record<string, any>> {
  if (Array.isArray(result)) return result as Array<Record<string, any>>;
  if (result && typeof result === 'object') {
    const arrays = Object.values(result as Record<string, unknown>).filter(Array.isArray);
    if (arrays.length === 1) return arrays[0] as Array<Record<string, any>>;
  }
  return [];
}

const idOf = (row: Record<string, any>) => Number(row.ID ?? row.id);

function orderFor(method: string): Record<string, string> {
  // tasks.task.list takes upper-case order keys (PROTOCOL §6.7); legacy crm lists too.
  return method.toLowerCase() === 'tasks.task.list' ? { ID: 'asc' } : { ID: 'ASC' };
}

/** Runs the queries and returns every row of each, in query order. Throws on a failed sub-call. */
export async function runListQueries(b24: B24, queries: ListQuery[]): Promise<Array<Array<Record<string, any>>>> {
  if (queries.length === 0) return [];
  const commands: BatchCommand[] = queries.map((query) => [
    query.method,
    { ...query.params, order: orderFor(query.method), start: -1 },
  ]);
  const answer = await b24.batch(commands);
  const out: Array<Array<Record<string, any>>> = [];
  for (let index = 0; index < queries.length; index++) {
    const key = String(index);
    const failure = answer.errors[key];
    if (failure) throw commandError(queries[index].method, failure, b24.memberId);
    const rows = [...pageRows(answer.result[key])];
    if (rows.length >= PAGE) {
      // A full first page: the rest, from the last id on, by the client's keyset enumeration.
      const { filter, ...rest } = queries[index].params;
      const more = await b24.listAll<Record<string, any>>(queries[index].method, {
        ...rest,
        filter: { ...filter, '>ID': idOf(rows[rows.length - 1]) },
      });
      rows.push(...more);
    }
    out.push(rows);
  }
  return out;
}

/** Splits ids into groups of 50: one filter list per sub-call. */
export function chunks<T>(items: T[], size = PAGE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
