/**
 * The one filter / order / paging engine behind every list method of the data part.
 *
 * Filter keys carry an operator prefix (b24-docs crm-item-list.md, user-get.md, lists-element-get.md):
 * `>=` `>` `<=` `<` `@` (IN) `!@` (NOT IN) `%` (substring LIKE) `=%`/`%=` (LIKE with `%` in the value) `!%`
 * (NOT substring) `!=%`/`!%=` (NOT LIKE pattern) `=` (default) `!=`/`!` (not equal). String comparison is
 * case-insensitive like the portal's MySQL collation. A multiple field matches when any of its values matches.
 * `logic: "OR"` with nested groups is only for methods that allow it (crm.item.list).
 */
import { parseDateInput } from './dates';
import { isPlainObject, toNumber } from './params';

export type FieldKind = 'number' | 'string' | 'date' | 'bool';
export type Op = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin' | 'like' | 'likePattern' | 'notLike' | 'notLikePattern';
export type Predicate<Row> = (row: Row) => boolean;

export interface QueryField<Row> {
  kind: FieldKind;
  /** The row's value: a scalar, null, or an array for multiple fields. */
  get(row: Row): unknown;
  /** A field with its own matching rules (e.g. activity BINDINGS) builds the predicate itself. */
  compile?(op: Op, value: unknown): Predicate<Row>;
}

export interface QuerySchema<Row> {
  /** Resolves a field name as the method spells it (after the prefix is removed); undefined when unknown. */
  field(name: string): QueryField<Row> | undefined;
  timeZone: string;
}

export interface FilterOptions {
  /** `logic: "OR"|"AND"` and nested groups (crm.item.list only; legacy methods ignore them). */
  allowLogic?: boolean;
  /** Unknown field: throw here (D7 methods answer INVALID_ARG_VALUE); by default the condition is ignored. */
  onUnknown?: (name: string) => void;
  /** `=` with a value containing `%` means LIKE (user.get: `{"NAME": "Iv%"}`). */
  percentMeansLike?: boolean;
}

const PREFIX = /^(!=%|!%=|>=|<=|!=|!@|!%|=%|%=|>|<|@|%|=|!)?([\s\S]*)$/;
const OPS: Record<string, Op> = {
  '': 'eq', '=': 'eq', '!=': 'neq', '!': 'neq', '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte',
  '@': 'in', '!@': 'nin', '%': 'like', '=%': 'likePattern', '%=': 'likePattern', '!%': 'notLike',
  '!=%': 'notLikePattern', '!%=': 'notLikePattern',
};

/** Splits `">=DATE_CREATE"` into the operator and the field name. */
export function splitFilterKey(key: string): { op: Op; name: string } {
  const m = PREFIX.exec(key) as RegExpExecArray;
  return { op: OPS[m[1] ?? ''], name: m[2] };
}

export function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

function normalize(kind: FieldKind, value: unknown, timeZone: string): number | string | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'number':
      if (typeof value === 'boolean') return value ? 1 : 0;
      return toNumber(value);
    case 'bool': {
      if (value === true || value === 1) return 1;
      if (value === false || value === 0) return 0;
      const v = String(value).trim().toUpperCase();
      if (v === 'Y' || v === '1' || v === 'TRUE') return 1;
      if (v === 'N' || v === '0' || v === 'FALSE' || v === '') return 0;
      return null;
    }
    case 'date':
      return parseDateInput(value, timeZone);
    default:
      return typeof value === 'object' ? JSON.stringify(value).toLowerCase() : String(value).toLowerCase();
  }
}

function likeRegex(pattern: string, substring: boolean): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (substring) return new RegExp(escaped, 'i');
  // SQL LIKE: % is any run, _ is one character
  return new RegExp('^' + escaped.replace(/%/g, '[\\s\\S]*').replace(/_/g, '[\\s\\S]') + '$', 'i');
}

function rowValues(field: QueryField<any>, row: unknown): unknown[] {
  const v = field.get(row);
  return Array.isArray(v) ? v : [v];
}

function compileCondition<Row>(field: QueryField<Row>, op: Op, raw: unknown, schema: QuerySchema<Row>, options: FilterOptions): Predicate<Row> {
  if (field.compile) return field.compile(op, raw);
  const tz = schema.timeZone;
  const kind = field.kind;
  const list = Array.isArray(raw) ? raw : isPlainObject(raw) ? Object.values(raw) : null;
  if (op === 'eq' && options.percentMeansLike && typeof raw === 'string' && raw.includes('%')) op = 'likePattern';
  if (list && (op === 'eq' || op === 'neq')) op = op === 'eq' ? 'in' : 'nin';
  const any = (row: Row, test: (v: unknown) => boolean): boolean => rowValues(field, row).some(test);

  switch (op) {
    case 'eq':
    case 'neq': {
      const emptyWanted = raw === null || raw === '' || (raw === false && kind !== 'bool');
      let positive: Predicate<Row>;
      if (emptyWanted) {
        positive = (row) => isEmptyValue(field.get(row));
      } else {
        const want = normalize(kind, raw, tz);
        positive = (row) => want !== null && any(row, (v) => normalize(kind, v, tz) === want);
      }
      return op === 'eq' ? positive : (row) => !positive(row);
    }
    case 'in':
    case 'nin': {
      const wanted = new Set((list ?? [raw]).map((v) => normalize(kind, v, tz)).filter((v) => v !== null));
      const positive: Predicate<Row> = (row) => any(row, (v) => wanted.has(normalize(kind, v, tz) as never));
      return op === 'in' ? positive : (row) => !positive(row);
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const want = normalize(kind, list ? list[0] : raw, tz);
      if (want === null) return () => false;
      const cmp = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);
      const ok = { gt: (c: number) => c > 0, gte: (c: number) => c >= 0, lt: (c: number) => c < 0, lte: (c: number) => c <= 0 }[op];
      return (row) => any(row, (v) => {
        const have = normalize(kind, v, tz);
        return have !== null && ok(cmp(have, want));
      });
    }
    default: {
      const text = String(list ? list[0] : raw ?? '');
      const re = likeRegex(text, op === 'like' || op === 'notLike');
      const positive: Predicate<Row> = (row) => any(row, (v) => v !== null && v !== undefined && re.test(String(v)));
      return op === 'like' || op === 'likePattern' ? positive : (row) => !positive(row);
    }
  }
}

/** Compiles a filter object into a predicate. */
export function compileFilter<Row>(filter: unknown, schema: QuerySchema<Row>, options: FilterOptions = {}): Predicate<Row> {
  if (!isPlainObject(filter)) return () => true;
  const parts: Predicate<Row>[] = [];
  let logic: 'AND' | 'OR' = 'AND';
  for (const [key, value] of Object.entries(filter)) {
    if (key.toUpperCase() === 'LOGIC') {
      if (options.allowLogic && String(value).toUpperCase() === 'OR') logic = 'OR';
      continue;
    }
    const { op, name } = splitFilterKey(key);
    const field = schema.field(name);
    if (!field) {
      if (isPlainObject(value) && (options.allowLogic || /^\d+$/.test(key))) {
        // a nested group: `{"0": {"logic": "OR", "0": {...}, "1": {...}}}`; legacy methods ignore it
        if (options.allowLogic) parts.push(compileFilter(value, schema, options));
        continue;
      }
      options.onUnknown?.(name);
      continue;
    }
    parts.push(compileCondition(field, op, value, schema, options));
  }
  if (parts.length === 0) return () => true;
  if (logic === 'OR') return (row) => parts.some((p) => p(row));
  return (row) => parts.every((p) => p(row));
}

export interface OrderOptions {
  onUnknown?: (name: string) => void;
  onBadDirection?: (name: string, direction: string) => void;
}

/** Compiles `{"TITLE": "ASC", "ID": "desc"}` into a comparator, or null when there is nothing to sort by. */
export function compileOrder<Row>(order: unknown, schema: QuerySchema<Row>, options: OrderOptions = {}): ((a: Row, b: Row) => number) | null {
  if (!isPlainObject(order)) return null;
  const keys: { field: QueryField<Row>; sign: number }[] = [];
  for (const [name, dir] of Object.entries(order)) {
    const field = schema.field(name);
    if (!field) {
      options.onUnknown?.(name);
      continue;
    }
    const d = String(dir).trim().toUpperCase();
    if (d !== 'ASC' && d !== 'DESC') {
      options.onBadDirection?.(name, String(dir));
      continue;
    }
    keys.push({ field, sign: d === 'DESC' ? -1 : 1 });
  }
  if (keys.length === 0) return null;
  const tz = schema.timeZone;
  const key = (field: QueryField<Row>, row: Row): number | string | null => {
    const v = field.get(row);
    return normalize(field.kind, Array.isArray(v) ? v[0] : v, tz);
  };
  return (a, b) => {
    for (const { field, sign } of keys) {
      const x = key(field, a);
      const y = key(field, b);
      if (x === y) continue;
      // MySQL sorts NULL first in ascending order
      if (x === null) return -sign;
      if (y === null) return sign;
      if (typeof x === 'string' && typeof y === 'string') {
        const c = x.localeCompare(y, 'ru');
        if (c !== 0) return c * sign;
        continue;
      }
      return (x < y ? -1 : 1) * sign;
    }
    return 0;
  };
}

/** Filters and sorts rows (the rows array is not modified). */
export function selectRows<Row>(rows: Iterable<Row>, predicate: Predicate<Row>, comparator: ((a: Row, b: Row) => number) | null): Row[] {
  const out: Row[] = [];
  for (const row of rows) if (predicate(row)) out.push(row);
  if (comparator) out.sort(comparator);
  return out;
}

/** List methods page by 50 (b24-docs list-methods-pecularities: the page size is fixed). */
export const PAGE_SIZE = 50;

export interface Page<Row> {
  rows: Row[];
  total: number;
  next?: number;
}

/**
 * One page from `start`. `start = -1` skips the count: the first 50 rows, `total` 0 and no `next` (PROTOCOL §5.5,
 * b24-docs huge-data.md). Methods whose paging ignores a negative start (legacy `task.*`) pass
 * `negativeSkipsCount: false` and get page 1 with the full count.
 */
export function pageRows<Row>(rows: Row[], start: number, options: { negativeSkipsCount: boolean; pageSize?: number }): Page<Row> {
  const size = options.pageSize ?? PAGE_SIZE;
  if (start < 0) {
    if (options.negativeSkipsCount) return { rows: rows.slice(0, size), total: 0 };
    start = 0;
  }
  const slice = rows.slice(start, start + size);
  const page: Page<Row> = { rows: slice, total: rows.length };
  if (start + size < rows.length) page.next = start + size;
  return page;
}
