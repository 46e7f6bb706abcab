/**
 * How each list method pages (PROTOCOL §5.5, §6): where rows sit in `result` (`items`/`tasks` wrappers or a bare
 * array), the id field (`id` in D7 answers, `ID` in legacy ones), the filter and order parameter shapes, and whether
 * `start=-1` keyset paging works at all (legacy `task.*` item methods ignore a negative start and return page 1).
 */

export interface ListSpec {
  /** Key of the row array inside `result` (`items` for crm.item.list, `tasks` for tasks.task.list); null: `result` is the array. */
  wrapper: string | null;
  /** Field holding a row's numeric id in the answer. */
  idField: string;
  /** Name of the filter parameter (`filter`, or `FILTER` for user.get). */
  filterParam: string;
  /** The "greater than id" filter key (`>id` for crm.item.list, `>ID` elsewhere). */
  greaterKey: string;
  /** Params that sort by id ascending. */
  orderParams: Record<string, unknown>;
  /** Name of the select parameter and the id as select wants it; a given select gets the id added. */
  selectParam: string | null;
  selectId: string;
  /** false: the method ignores start=-1, so page with start/next (batched by offsets once total is known). */
  keyset: boolean;
}

const legacy: ListSpec = {
  wrapper: null,
  idField: 'ID',
  filterParam: 'filter',
  greaterKey: '>ID',
  orderParams: { order: { ID: 'ASC' } },
  selectParam: 'select',
  selectId: 'ID',
  keyset: true,
};

const d7 = (wrapper: string): ListSpec => ({
  wrapper,
  idField: 'id',
  filterParam: 'filter',
  greaterKey: '>id',
  orderParams: { order: { id: 'ASC' } },
  selectParam: 'select',
  selectId: 'id',
  keyset: true,
});

export const DEFAULT_LIST_SPECS: Record<string, Partial<ListSpec>> = {
  'crm.item.list': d7('items'),
  'crm.type.list': d7('types'),
  'crm.item.productrow.list': d7('productRows'),
  // tasks.task.list: rows in result.tasks, camelCase `id` in the answer, but filter/order/select keys upper-case.
  'tasks.task.list': {
    wrapper: 'tasks',
    idField: 'id',
    filterParam: 'filter',
    greaterKey: '>ID',
    orderParams: { order: { ID: 'asc' } },
    selectParam: 'select',
    selectId: 'ID',
    keyset: true,
  },
  // user.get: sort/order as two scalars, FILTER upper-case, always a bare array; start=-1 supported (§6.9).
  'user.get': {
    ...legacy,
    filterParam: 'FILTER',
    orderParams: { sort: 'ID', order: 'ASC' },
    selectParam: null,
  },
};

/** Legacy task.* item methods ignore start=-1 (PROTOCOL §5.5). */
function ignoresNegativeStart(method: string): boolean {
  return method.startsWith('task.');
}

export function listSpecFor(
  method: string,
  overrides: Record<string, Partial<ListSpec>> = {},
  offsetMethods: ReadonlySet<string> = new Set(),
): ListSpec {
  const name = method.toLowerCase();
  const spec: ListSpec = { ...legacy, ...(DEFAULT_LIST_SPECS[name] ?? {}), ...(overrides[name] ?? {}) };
  if (ignoresNegativeStart(name) || offsetMethods.has(name)) spec.keyset = false;
  return spec;
}

/** The rows of one page, whatever the wrapper: a bare array, the spec's wrapper, or an object's single array. */
export function extractRows<T = unknown>(result: unknown, spec: ListSpec): T[] {
  if (Array.isArray(result)) return result as T[];
  if (!result || typeof result !== 'object') return [];
  const record = result as Record<string, unknown>;
  if (spec.wrapper && Array.isArray(record[spec.wrapper])) return record[spec.wrapper] as T[];
  const arrays = Object.values(record).filter(Array.isArray);
  if (arrays.length === 1) return arrays[0] as T[];
  // PHP serialises an array with non-sequential keys as an object: {"12": {...}, "15": {...}}.
  const values = Object.values(record);
  if (values.length > 0 && values.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
    return values as T[];
  }
  return [];
}

/** The id of a row under the spec's field, tolerating the other case. */
export function rowId(row: unknown, spec: ListSpec): string | number | undefined {
  if (!row || typeof row !== 'object') return undefined;
  const r = row as Record<string, unknown>;
  const value = r[spec.idField] ?? r.id ?? r.ID;
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}
