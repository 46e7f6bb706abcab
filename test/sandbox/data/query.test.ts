import { compileFilter, compileOrder, pageRows, selectRows, splitFilterKey, type QuerySchema } from '../../../src/sandbox/data/query';

interface Row {
  id: number;
  title: string | null;
  amount: number | null;
  created: string;
  tags: string[];
  flag: 'Y' | 'N';
}

const rows: Row[] = [
  { id: 1, title: 'Хостинг сайта', amount: 1000, created: '2025-01-10T09:00:00Z', tags: ['a'], flag: 'Y' },
  { id: 2, title: 'Домен acme.ru', amount: 500, created: '2025-02-01T09:00:00Z', tags: [], flag: 'N' },
  { id: 3, title: 'SSL-сертификат', amount: null, created: '2025-02-20T21:30:00Z', tags: ['a', 'b'], flag: 'N' },
  { id: 4, title: '', amount: 20000, created: '2024-12-31T20:59:59Z', tags: ['c'], flag: 'Y' },
  { id: 5, title: null, amount: 7000, created: '2025-03-01T00:00:00Z', tags: [], flag: 'Y' },
];

const schema: QuerySchema<Row> = {
  timeZone: 'Europe/Moscow',
  field(name) {
    const f: Record<string, any> = {
      ID: { kind: 'number', get: (r: Row) => r.id },
      TITLE: { kind: 'string', get: (r: Row) => r.title },
      AMOUNT: { kind: 'number', get: (r: Row) => r.amount },
      CREATED: { kind: 'date', get: (r: Row) => r.created },
      TAG: { kind: 'string', get: (r: Row) => r.tags },
      FLAG: { kind: 'bool', get: (r: Row) => r.flag },
    };
    return f[name.toUpperCase()];
  },
};

const ids = (filter: Record<string, unknown>, options = {}): number[] => rows.filter(compileFilter(filter, schema, options)).map((r) => r.id);

describe('the shared filter engine (prefixes of b24-docs crm-item-list.md)', () => {
  test('the prefix is split from the field name, longest prefix first', () => {
    expect(splitFilterKey('>=DATE_CREATE')).toEqual({ op: 'gte', name: 'DATE_CREATE' });
    expect(splitFilterKey('!=%TITLE')).toEqual({ op: 'notLikePattern', name: 'TITLE' });
    expect(splitFilterKey('!%=TITLE')).toEqual({ op: 'notLikePattern', name: 'TITLE' });
    expect(splitFilterKey('=%TITLE')).toEqual({ op: 'likePattern', name: 'TITLE' });
    expect(splitFilterKey('%=TITLE')).toEqual({ op: 'likePattern', name: 'TITLE' });
    expect(splitFilterKey('!@ID')).toEqual({ op: 'nin', name: 'ID' });
    expect(splitFilterKey('TITLE')).toEqual({ op: 'eq', name: 'TITLE' });
  });

  test('comparisons >=, >, <=, < compare numbers as numbers, whatever the JSON type', () => {
    expect(ids({ '>=AMOUNT': '1000' })).toEqual([1, 4, 5]);
    expect(ids({ '>AMOUNT': 1000 })).toEqual([4, 5]);
    expect(ids({ '<=AMOUNT': 1000 })).toEqual([1, 2]);
    expect(ids({ '<AMOUNT': '1000' })).toEqual([2]);
  });

  test('dates compare as instants; a date without offset is portal time (Moscow)', () => {
    // 2025-01-01 00:00 Moscow is 2024-12-31 21:00 UTC: row 4 (20:59:59 UTC) is before it
    expect(ids({ '>=CREATED': '2025-01-01' })).toEqual([1, 2, 3, 5]);
    expect(ids({ '<CREATED': '2025-01-01T00:00:00+03:00' })).toEqual([4]);
    // 2025-02-21 00:30 Moscow = row 3; the ru culture format is accepted too
    expect(ids({ '>=CREATED': '21.02.2025', '<CREATED': '01.03.2025 03:00:01' })).toEqual([3, 5]);
  });

  test('@ is IN and !@ is NOT IN; an array after = means IN', () => {
    expect(ids({ '@ID': [1, 3, 9] })).toEqual([1, 3]);
    expect(ids({ '!@ID': ['1', '3'] })).toEqual([2, 4, 5]);
    expect(ids({ ID: [2, 4] })).toEqual([2, 4]);
  });

  test('% is a case-insensitive substring, =% and %= take % wildcards, !% and !=% negate', () => {
    expect(ids({ '%TITLE': 'домен' })).toEqual([2]);
    expect(ids({ '=%TITLE': 'ssl%' })).toEqual([3]);
    expect(ids({ '%=TITLE': '%сайта' })).toEqual([1]);
    expect(ids({ '!%TITLE': 'с' })).toEqual([2, 4, 5]);
    expect(ids({ '!=%TITLE': '%.ru' })).toEqual([1, 3, 4, 5]);
  });

  test('= is exact (case-insensitive like MySQL), != and ! are not-equal', () => {
    expect(ids({ TITLE: 'хостинг САЙТА' })).toEqual([1]);
    expect(ids({ '=ID': '2' })).toEqual([2]);
    expect(ids({ '!=ID': 2 })).toEqual([1, 3, 4, 5]);
    expect(ids({ '!ID': 2 })).toEqual([1, 3, 4, 5]);
  });

  test('an empty value asks for empty fields; !="" asks for filled ones (the docs lead example)', () => {
    expect(ids({ TITLE: '' })).toEqual([4, 5]);
    expect(ids({ '!=TITLE': '' })).toEqual([1, 2, 3]);
  });

  test('a multiple field matches when any of its values does', () => {
    expect(ids({ TAG: 'a' })).toEqual([1, 3]);
    expect(ids({ '@TAG': ['b', 'c'] })).toEqual([3, 4]);
    expect(ids({ '!TAG': 'a' })).toEqual([2, 4, 5]);
  });

  test('Y/N flags match Y/N, 1/0 and booleans (boolean UF filters take 1 or 0)', () => {
    expect(ids({ FLAG: 'Y' })).toEqual([1, 4, 5]);
    expect(ids({ FLAG: 1 })).toEqual([1, 4, 5]);
    expect(ids({ FLAG: false })).toEqual([2, 3]);
  });

  test('logic OR with nested groups works where allowed, and is ignored elsewhere', () => {
    const filter = { 0: { logic: 'OR', 0: { '<AMOUNT': 600 }, 1: { '>AMOUNT': 10000 } }, '!=ID': 99 };
    expect(ids(filter, { allowLogic: true })).toEqual([2, 4]);
    expect(ids(filter)).toEqual([1, 2, 3, 4, 5]);
  });

  test('unknown fields are ignored by default and reported when the method asks', () => {
    expect(ids({ NOPE: 1 })).toEqual([1, 2, 3, 4, 5]);
    expect(() => ids({ '>NOPE': 1 }, { onUnknown: (n: string) => { throw new Error(`bad ${n}`); } })).toThrow('bad NOPE');
  });

  test('a value with % is a LIKE pattern where the method says so (user.get NAME: "Iv%")', () => {
    expect(ids({ TITLE: 'ssl%' }, { percentMeansLike: true })).toEqual([3]);
    expect(ids({ TITLE: 'ssl%' })).toEqual([]);
  });
});

describe('order and paging', () => {
  test('order by several keys, directions case-insensitive; NULL sorts first ascending', () => {
    const byAmount = selectRows(rows, () => true, compileOrder({ amount: 'asc' }, schema));
    expect(byAmount.map((r) => r.id)).toEqual([3, 2, 1, 5, 4]);
    const byFlagThenId = selectRows(rows, () => true, compileOrder({ FLAG: 'DESC', ID: 'desc' }, schema));
    expect(byFlagThenId.map((r) => r.id)).toEqual([5, 4, 1, 3, 2]);
  });

  test('an unknown order field or direction is reported to the method', () => {
    const seen: string[] = [];
    compileOrder({ NOPE: 'ASC', ID: 'UP' }, schema, { onUnknown: (n) => seen.push(n), onBadDirection: (n, d) => seen.push(`${n}:${d}`) });
    expect(seen).toEqual(['NOPE', 'ID:UP']);
  });

  const many = Array.from({ length: 120 }, (_, i) => i + 1);

  test('pages of 50 with next and total', () => {
    expect(pageRows(many, 0, { negativeSkipsCount: true })).toMatchObject({ total: 120, next: 50 });
    const last = pageRows(many, 100, { negativeSkipsCount: true });
    expect(last.rows).toEqual(many.slice(100));
    expect(last.next).toBeUndefined();
  });

  test('start=-1 gives the first 50 rows without a count: total 0 and no next', () => {
    const fast = pageRows(many, -1, { negativeSkipsCount: true });
    expect(fast.rows).toHaveLength(50);
    expect(fast.total).toBe(0);
    expect(fast.next).toBeUndefined();
  });

  test('methods that ignore a negative start return page 1 with the full count', () => {
    const legacy = pageRows(many, -1, { negativeSkipsCount: false });
    expect(legacy.rows[0]).toBe(1);
    expect(legacy).toMatchObject({ total: 120, next: 50 });
  });
});
