/** Options shared by both store engines; everything external comes in here, with production defaults. */

/** The subset of a winston logger the store uses (RobotLogger and winston both satisfy it). */
export interface StoreLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** A clock: a function returning now, or an object with `now()`. */
export type StoreClock = (() => Date) | { now(): Date };

export interface StoreOptions {
  logger?: StoreLogger;
  /** Timestamps written by the store (createdAt, updatedAt, lock leases). Default: the system clock. */
  clock?: StoreClock;
  /** PostgreSQL only: the schema to use (created by migrate if missing). Default: the server's search_path. */
  schema?: string;
  /** Run migrations in createStore (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 5). */
  poolMax?: number;
  /** SQLite named-lock lease: a holder that dies without releasing blocks others this long at most (default 30 s). */
  lockLeaseMs?: number;
  /** SQLite: how long a write waits for another process's write transaction (default 5 s). */
  busyTimeoutMs?: number;
}

export function clockFunction(clock: StoreClock | undefined): () => Date {
  if (!clock) return () => new Date();
  if (typeof clock === 'function') return clock;
  return () => clock.now();
}

/** warn/error to stderr, nothing else: a store used without a logger still reports lost locks and pool errors. */
export const consoleLogger: StoreLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, meta) => console.warn(`[store] ${message}`, meta ?? ''),
  error: (message, meta) => console.error(`[store] ${message}`, meta ?? ''),
};
