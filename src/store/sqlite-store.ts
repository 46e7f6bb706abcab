/**
 * SQLite engine (better-sqlite3): one file, nothing to install. WAL with synchronous=FULL, because a robot call is
 * answered 200 only after its run is stored and Bitrix24 never resends it: the commit must survive a power cut or a
 * SIGKILL. Several processes may share the file: claims run in IMMEDIATE transactions and named locks are lease rows.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { StoreError, lockTimeout } from './errors';
import { MIGRATIONS, schemaMigrationsDdl } from './migrations';
import type { StoreOptions } from './options';
import { newRunRecord, runFromRow, runParams } from './rows';
import { SQL, SqlStore, pollDelay } from './sql-store';
import type { Row } from './sql-store';
import type { NewRun, RunRecord } from './types';

type Enqueued = { run: RunRecord; created: boolean };

interface PendingEnqueue {
  run: NewRun;
  resolve(result: Enqueued): void;
  reject(error: unknown): void;
}

export const SQLITE_MEMORY = ':memory:';

const CLAIM_SQL =
  "UPDATE runs SET state = 'running', lease_owner = ?, lease_until = ?, updated_at = ? WHERE id IN (" +
  "SELECT id FROM runs WHERE (state IN ('queued', 'waiting') AND available_at <= ?) " +
  "OR (state = 'running' AND lease_until <= ?) ORDER BY available_at, created_at LIMIT ?) RETURNING *";

// Takes the lock if free or if its holder's lease ran out (a dead process); 0 changes while someone else holds it.
const TAKE_LOCK_SQL =
  'INSERT INTO locks (name, owner, lease_until) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE ' +
  'SET owner = excluded.owner, lease_until = excluded.lease_until WHERE locks.lease_until <= ?';

export class SqliteStore extends SqlStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly instanceId = randomUUID();
  private readonly lockLeaseMs: number;
  private readonly heartbeats = new Set<NodeJS.Timeout>();
  private pendingEnqueues: PendingEnqueue[] = [];

  constructor(readonly filename: string, options: StoreOptions = {}) {
    super(options);
    if (filename !== SQLITE_MEMORY) mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename, { timeout: options.busyTimeoutMs ?? 5_000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.lockLeaseMs = options.lockLeaseMs ?? 30_000;
  }

  protected async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.statement(sql).all(...params) as Row[];
  }

  protected async run(sql: string, params: unknown[] = []): Promise<number> {
    return this.statement(sql).run(...params).changes;
  }

  async migrate(): Promise<void> {
    this.db.exec(schemaMigrationsDdl('sqlite'));
    for (const migration of MIGRATIONS) {
      // Checked inside the IMMEDIATE transaction: a second process migrating the same file waits, then skips.
      const apply = this.db.transaction(() => {
        if (this.db.prepare('SELECT 1 FROM schema_migrations WHERE id = ?').get(migration.id)) return;
        this.db.exec(migration.sql('sqlite'));
        this.db
          .prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)')
          .run(migration.id, this.now().toISOString());
      });
      try {
        apply.immediate();
      } catch (error) {
        throw new StoreError(
          'STORE_MIGRATION_FAILED',
          `migration ${migration.id} failed on ${this.filename}: ${String(error)}; ` +
            'fix the database file or point DATABASE_URL at a new one',
          { cause: error },
        );
      }
    }
  }

  /**
   * Group commit: robot calls arriving in one event-loop turn are stored in one transaction, so one fsync
   * (synchronous=FULL) covers all of them. Each caller still resolves only after its run is committed.
   */
  override enqueueRun(run: NewRun): Promise<Enqueued> {
    return new Promise((resolve, reject) => {
      this.pendingEnqueues.push({ run, resolve, reject });
      if (this.pendingEnqueues.length === 1) setImmediate(() => this.flushEnqueues());
    });
  }

  async claimRuns(options: { owner: string; limit: number; leaseMs: number; now: Date }): Promise<RunRecord[]> {
    const now = options.now.toISOString();
    const leaseUntil = new Date(options.now.getTime() + options.leaseMs).toISOString();
    const claim = this.db.transaction(
      () => this.statement(CLAIM_SQL).all(options.owner, leaseUntil, this.now().toISOString(), now, now, options.limit) as Row[],
    );
    const rows = claim.immediate();
    return rows.map(runFromRow).sort(
      (a, b) => a.availableAt.getTime() - b.availableAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime(),
    );
  }

  protected async acquireSharedLock(name: string, deadline: number, timeoutMs: number): Promise<() => Promise<void>> {
    const owner = `${this.instanceId}:${randomUUID()}`;
    for (let attempt = 0; ; attempt++) {
      const now = this.now();
      const until = new Date(now.getTime() + this.lockLeaseMs).toISOString();
      if (this.statement(TAKE_LOCK_SQL).run(name, owner, until, now.toISOString()).changes > 0) break;
      const left = deadline - Date.now();
      if (left <= 0) throw lockTimeout(name, timeoutMs);
      await sleep(Math.min(pollDelay(attempt), left));
    }
    // Renew the lease while fn runs, so a long holder is not mistaken for a dead one.
    const heartbeat = setInterval(() => this.renewLock(name, owner), Math.max(10, this.lockLeaseMs / 3));
    heartbeat.unref();
    this.heartbeats.add(heartbeat);
    return async () => {
      clearInterval(heartbeat);
      this.heartbeats.delete(heartbeat);
      if (this.db.open) this.statement('DELETE FROM locks WHERE name = ? AND owner = ?').run(name, owner);
    };
  }

  async close(): Promise<void> {
    if (this.db.open) this.flushEnqueues();
    for (const heartbeat of this.heartbeats) clearInterval(heartbeat);
    this.heartbeats.clear();
    this.statements.clear();
    if (this.db.open) this.db.close();
  }

  private flushEnqueues(): void {
    const batch = this.pendingEnqueues;
    this.pendingEnqueues = [];
    if (batch.length === 0) return;
    let results: Enqueued[];
    try {
      results = this.db.transaction(() => batch.map((item) => this.insertRun(item.run))).immediate();
    } catch {
      // One bad run (or a busy file) must not fail the others: store each in its own transaction.
      for (const item of batch) {
        try {
          item.resolve(this.insertRun(item.run));
        } catch (error) {
          item.reject(error);
        }
      }
      return;
    }
    batch.forEach((item, i) => item.resolve(results[i]));
  }

  private insertRun(newRun: NewRun): Enqueued {
    // The unique (member_id, dedupe_key) index decides, also against other processes on the file.
    const [inserted] = this.statement(SQL.insertRun).all(...runParams(newRunRecord(newRun, this.now()))) as Row[];
    if (inserted) return { run: runFromRow(inserted), created: true };
    const existing = this.statement(SQL.selectRunByDedupe).get(newRun.memberId, newRun.dedupeKey) as Row | undefined;
    if (!existing) throw new Error(`run ${newRun.memberId}/${newRun.dedupeKey} conflicted but cannot be read`);
    return { run: runFromRow(existing), created: false };
  }

  private renewLock(name: string, owner: string): void {
    if (!this.db.open) return;
    const until = new Date(this.now().getTime() + this.lockLeaseMs).toISOString();
    try {
      const renewed = this.statement('UPDATE locks SET lease_until = ? WHERE name = ? AND owner = ?').run(until, name, owner);
      if (renewed.changes === 0) {
        this.logger.error('store: a lock lease was taken over by another process while held', { lock: name });
      }
    } catch (error) {
      // A busy file delays this renewal; the next one retries well before the lease ends.
      this.logger.warn('store: renewing a lock lease failed', { lock: name, error: String(error) });
    }
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
