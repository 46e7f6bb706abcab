/**
 * PostgreSQL engine (pg): the shared store for several instances. Runs are claimed with FOR UPDATE SKIP LOCKED,
 * named locks are session advisory locks, migrations run under an advisory lock so instances starting together
 * do not race.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Pool, types as pgTypes } from 'pg';
import type { ClientConfig, PoolClient } from 'pg';
import { StoreError, lockTimeout } from './errors';
import { MIGRATIONS, schemaMigrationsDdl } from './migrations';
import type { StoreOptions } from './options';
import { runFromRow } from './rows';
import { SqlStore, pollDelay } from './sql-store';
import type { Row } from './sql-store';
import type { RunRecord } from './types';

/** First key of every advisory lock we take ('b24r'), so we never collide with other users of the database. */
const LOCK_NAMESPACE = 0x62323472;
const JSON_OID = 114;
const JSONB_OID = 3802;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// json/jsonb come back as text so rows.ts parses both engines alike (a jsonb string "abc" would be ambiguous otherwise).
const jsonAsText = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === JSON_OID || oid === JSONB_OID ? (value: string) => value : pgTypes.getTypeParser(oid, format)) as
    typeof pgTypes.getTypeParser,
};

const CLAIM_SQL = `WITH picked AS (
  SELECT id FROM runs
  WHERE (state IN ('queued', 'waiting') AND available_at <= $1) OR (state = 'running' AND lease_until <= $1)
  ORDER BY available_at, created_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED
)
UPDATE runs SET state = 'running', lease_owner = $3, lease_until = $4, updated_at = $5
FROM picked WHERE runs.id = picked.id
RETURNING runs.*`;

/** `?` placeholders numbered for pg (our shared SQL has no `?` inside literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export class PostgresStore extends SqlStore {
  readonly kind = 'postgres' as const;
  readonly schema: string | undefined;
  private readonly config: ClientConfig;
  private readonly pool: Pool;
  private readonly sqlCache = new Map<string, string>();
  /** One session holds every advisory lock of this instance (try-lock polling never blocks it), so locks never take
   *  connections from the pool that the lock holders themselves need. */
  private lockSession: Promise<Client> | null = null;
  private closed = false;

  constructor(url: string, options: StoreOptions = {}) {
    super(options);
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new StoreError(
        'STORE_BAD_SCHEMA',
        `schema "${options.schema}" is not a plain lower-case identifier: use letters, digits and _ only`,
      );
    }
    this.schema = options.schema;
    this.config = {
      connectionString: url,
      application_name: 'b24-robots',
      connectionTimeoutMillis: 10_000,
      types: jsonAsText,
      ...(this.schema ? { options: `-c search_path=${this.schema}` } : {}),
    };
    this.pool = new Pool({ ...this.config, max: options.poolMax ?? 5, idleTimeoutMillis: 10_000 });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', (error) => this.logger.warn('store: an idle PostgreSQL connection failed', { error: error.message }));
  }

  protected async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(this.toPg(sql), params)).rows as Row[];
  }

  protected async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.pool.query(this.toPg(sql), params)).rowCount ?? 0;
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    const key = `migrate:${this.schema ?? ''}`;
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_NAMESPACE, key]);
      try {
        await this.applyMigrations(client);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, key]).catch((error: Error) => {
          broken = error;
        });
      }
    } finally {
      // A client whose unlock failed is destroyed, which ends its session and so its advisory lock.
      client.release(broken ?? undefined);
    }
  }

  async claimRuns(options: { owner: string; limit: number; leaseMs: number; now: Date }): Promise<RunRecord[]> {
    const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
    const { rows } = await this.pool.query(CLAIM_SQL, [
      options.now.toISOString(), options.limit, options.owner, leaseUntil.toISOString(), this.now().toISOString(),
    ]);
    return (rows as Row[]).map(runFromRow).sort(
      (a, b) => a.availableAt.getTime() - b.availableAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime(),
    );
  }

  protected async acquireSharedLock(name: string, deadline: number, timeoutMs: number): Promise<() => Promise<void>> {
    const session = await this.session();
    const key = `lock:${this.schema ?? ''}:${name}`;
    for (let attempt = 0; ; attempt++) {
      const { rows } = await session.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [LOCK_NAMESPACE, key]);
      if (rows[0]?.locked === true) break;
      const left = deadline - Date.now();
      if (left <= 0) throw lockTimeout(name, timeoutMs);
      await sleep(Math.min(pollDelay(attempt), left));
    }
    return async () => {
      await session.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, key]);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const session = this.lockSession;
    this.lockSession = null;
    if (session) await session.then((client) => client.end()).catch(() => undefined);
    await this.pool.end();
  }

  private async applyMigrations(client: PoolClient): Promise<void> {
    if (this.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    await client.query(schemaMigrationsDdl('postgres'));
    const { rows } = await client.query('SELECT id FROM schema_migrations');
    const applied = new Set(rows.map((row: Row) => String(row.id)));
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.id)) continue;
      try {
        await client.query('BEGIN');
        await client.query(migration.sql('postgres'));
        await client.query('INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)', [
          migration.id, this.now().toISOString(),
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new StoreError(
          'STORE_MIGRATION_FAILED',
          `migration ${migration.id} failed${this.schema ? ` in schema ${this.schema}` : ''}: ${String(error)}; ` +
            'check that the DATABASE_URL user may create tables',
          { cause: error },
        );
      }
    }
  }

  private session(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error('store is closed: withLock needs an open store'));
    if (this.lockSession) return this.lockSession;
    const client = new Client(this.config);
    const session = client.connect().then(() => client);
    this.lockSession = session;
    const forget = (): void => {
      if (this.lockSession === session) this.lockSession = null;
    };
    session.catch(forget);
    client.on('error', (error) => {
      // PostgreSQL drops a session's advisory locks with the session: holders are no longer exclusive.
      this.logger.error('store: the PostgreSQL lock session failed; locks held by this instance are released', {
        error: error.message,
      });
      forget();
      client.end().catch(() => undefined);
    });
    client.on('end', forget);
    return session;
  }

  private toPg(sql: string): string {
    let text = this.sqlCache.get(sql);
    if (text === undefined) {
      text = numbered(sql);
      this.sqlCache.set(sql, text);
    }
    return text;
  }
}
