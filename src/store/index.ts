/**
 * The store's entry point: picks the engine from DATABASE_URL, opens it, runs migrations.
 *
 *   const store = await createStore(process.env.DATABASE_URL, { logger });
 */
import { parseDatabaseUrl } from './database-url';
import type { StoreOptions } from './options';
import { PostgresStore } from './postgres-store';
import type { SqlStore } from './sql-store';
import { SqliteStore } from './sqlite-store';
import type { Store } from './types';

export { DEFAULT_SQLITE_FILE, parseDatabaseUrl, redactUrl } from './database-url';
export type { DatabaseTarget } from './database-url';
export { StoreError } from './errors';
export type { StoreErrorCode } from './errors';
export type { StoreClock, StoreLogger, StoreOptions } from './options';
export type * from './types';

/**
 * Opens the store for `databaseUrl` (undefined or '' → SQLite at ./data/b24-robots.sqlite, directory created;
 * `sqlite:/path/file.db`, `file:…`, `sqlite::memory:`; `postgres://`/`postgresql://` → PostgreSQL) and migrates it
 * unless `options.migrate` is false. The store is closed again if migration fails.
 */
export async function createStore(databaseUrl: string | undefined, options: StoreOptions = {}): Promise<Store> {
  const target = parseDatabaseUrl(databaseUrl);
  const store: SqlStore =
    target.engine === 'postgres' ? new PostgresStore(target.url, options) : new SqliteStore(target.filename, options);
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  }
  return store;
}

/** Ids of the migrations applied to a store made by createStore (diagnostics: `b24robots doctor`, tests). */
export function appliedMigrations(store: Store): Promise<string[]> {
  if (!('appliedMigrations' in store) || typeof store.appliedMigrations !== 'function') {
    throw new TypeError('appliedMigrations needs a store made by createStore');
  }
  return (store as SqlStore).appliedMigrations();
}
