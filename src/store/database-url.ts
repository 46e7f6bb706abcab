/** Which engine and where, from DATABASE_URL. */
import { StoreError } from './errors';
import { SQLITE_MEMORY } from './sqlite-store';

export type DatabaseTarget = { engine: 'sqlite'; filename: string } | { engine: 'postgres'; url: string };

/** Where the default SQLite file lives, relative to the working directory. */
export const DEFAULT_SQLITE_FILE = './data/b24-robots.sqlite';

/**
 * Accepted: unset or empty (the default SQLite file), `sqlite:/path/file.db`, `sqlite:///path/file.db`,
 * `file:/path/file.db`, `sqlite::memory:` (tests), a bare path, `postgres://…` and `postgresql://…`.
 */
export function parseDatabaseUrl(databaseUrl: string | undefined): DatabaseTarget {
  const url = (databaseUrl ?? '').trim();
  if (url === '') return { engine: 'sqlite', filename: DEFAULT_SQLITE_FILE };
  if (/^postgres(ql)?:\/\//i.test(url)) return { engine: 'postgres', url };
  const prefixed = /^(sqlite|file):(.*)$/i.exec(url);
  if (prefixed) {
    const rest = prefixed[2];
    if (rest === SQLITE_MEMORY) return { engine: 'sqlite', filename: SQLITE_MEMORY };
    // sqlite:///abs/file.db and file:///abs/file.db carry an empty authority before the path.
    const filename = rest.startsWith('//') ? rest.slice(2) : rest;
    if (filename !== '') return { engine: 'sqlite', filename: decodeURIComponent(filename) };
  } else if (!/^[a-z][a-z0-9+.-]+:/i.test(url)) {
    return { engine: 'sqlite', filename: url };
  }
  throw new StoreError(
    'STORE_BAD_URL',
    `DATABASE_URL "${redactUrl(url)}" is not supported: use postgres://user:password@host:5432/db, ` +
      'sqlite:/path/to/file.db, or leave it unset for ./data/b24-robots.sqlite',
  );
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
