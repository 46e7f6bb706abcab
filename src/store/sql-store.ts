/**
 * Everything both engines do with the same SQL. Statements use `?` placeholders; the PostgreSQL driver numbers them.
 * Engines supply the driver (all/run), migrations, the run claim and the cross-instance half of withLock.
 */
import { KeyedMutex } from './mutex';
import type { StoreLogger, StoreOptions } from './options';
import { clockFunction, consoleLogger } from './options';
import {
  PORTAL_COLUMNS, RUN_COLUMNS, SCHEDULE_COLUMNS, TOKEN_COLUMNS, isoOrNull, jsonText, newRunRecord, portalFromRow,
  portalParams, readJson, runFromRow, runParams, runPatchAssignments, scheduleFromRow, scheduleParams, tokenFromRow, tokenParams,
} from './rows';
import type {
  NewRun, PortalRecord, RunFilter, RunPatch, RunRecord, RunState, ScheduleRecord, Store, TokenRecord,
} from './types';

export type Row = Record<string, unknown>;

const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
/** Ticks older than this are pruned; the scheduler never claims a tick that old again. */
const TICK_RETENTION_MS = 30 * 24 * 3600_000;
const UNFINISHED: RunState[] = ['queued', 'running', 'waiting'];

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

function upsertSql(table: string, columns: readonly string[], key: readonly string[]): string {
  const updates = columns.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`);
  return (
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders(columns.length)}) ` +
    `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`
  );
}

export const SQL = {
  upsertPortal: upsertSql('portals', PORTAL_COLUMNS, ['member_id']),
  upsertToken: upsertSql('tokens', TOKEN_COLUMNS, ['member_id', 'user_id']),
  insertRun:
    `INSERT INTO runs (${RUN_COLUMNS.join(', ')}) VALUES (${placeholders(RUN_COLUMNS.length)}) ` +
    'ON CONFLICT (member_id, dedupe_key) DO NOTHING RETURNING *',
  selectRunByDedupe: 'SELECT * FROM runs WHERE member_id = ? AND dedupe_key = ?',
  upsertStep: upsertSql('steps', ['run_id', 'step_key', 'value', 'created_at'], ['run_id', 'step_key']),
  upsertSettings: upsertSql('settings', ['member_id', 'value', 'updated_at'], ['member_id']),
  upsertState: upsertSql('portal_state', ['member_id', 'state_key', 'value', 'updated_at'], ['member_id', 'state_key']),
  upsertSchedule: upsertSql('schedules', SCHEDULE_COLUMNS, ['id']),
};

export abstract class SqlStore implements Store {
  abstract readonly kind: 'sqlite' | 'postgres';
  protected readonly now: () => Date;
  protected readonly logger: StoreLogger;
  private readonly mutex = new KeyedMutex();

  constructor(options: StoreOptions) {
    this.now = clockFunction(options.clock);
    this.logger = options.logger ?? consoleLogger;
  }

  /** Rows of a query (or of an INSERT/UPDATE … RETURNING). */
  protected abstract all(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Executes a statement; resolves with the number of rows it changed. */
  protected abstract run(sql: string, params?: unknown[]): Promise<number>;
  /** Takes the cross-instance half of a named lock, polling until `deadline` (epoch ms); resolves with its release. */
  protected abstract acquireSharedLock(name: string, deadline: number, timeoutMs: number): Promise<() => Promise<void>>;

  abstract migrate(): Promise<void>;
  abstract close(): Promise<void>;
  abstract claimRuns(options: { owner: string; limit: number; leaseMs: number; now: Date }): Promise<RunRecord[]>;

  /** Ids of applied migrations, in order (not part of the Store contract; for diagnostics and tests). */
  async appliedMigrations(): Promise<string[]> {
    const rows = await this.all('SELECT id FROM schema_migrations ORDER BY id');
    return rows.map((row) => String(row.id));
  }

  async ping(): Promise<void> {
    await this.all('SELECT 1 AS ok');
  }

  // Installations

  async getPortal(memberId: string): Promise<PortalRecord | null> {
    const [row] = await this.all('SELECT * FROM portals WHERE member_id = ?', [memberId]);
    return row ? portalFromRow(row) : null;
  }

  async getPortalByDomain(domain: string): Promise<PortalRecord | null> {
    // A domain may have been reused by a reinstall under a new member_id: prefer the installed, most recent one.
    const [row] = await this.all(
      'SELECT * FROM portals WHERE lower(domain) = lower(?) ORDER BY (uninstalled_at IS NULL) DESC, updated_at DESC LIMIT 1',
      [domain],
    );
    return row ? portalFromRow(row) : null;
  }

  async listPortals(options: { includeUninstalled?: boolean } = {}): Promise<PortalRecord[]> {
    const where = options.includeUninstalled ? '' : ' WHERE uninstalled_at IS NULL';
    const rows = await this.all(`SELECT * FROM portals${where} ORDER BY domain, member_id`);
    return rows.map(portalFromRow);
  }

  async upsertPortal(portal: PortalRecord): Promise<void> {
    await this.run(SQL.upsertPortal, portalParams(portal));
  }

  async markPortalUninstalled(memberId: string, at: Date): Promise<void> {
    await this.run('UPDATE portals SET uninstalled_at = ?, updated_at = ? WHERE member_id = ?', [
      at.toISOString(), at.toISOString(), memberId,
    ]);
  }

  async touchPortal(memberId: string, at: Date): Promise<void> {
    await this.run('UPDATE portals SET last_activity_at = ? WHERE member_id = ?', [at.toISOString(), memberId]);
  }

  // Tokens

  async getToken(memberId: string, userId: number): Promise<TokenRecord | null> {
    const [row] = await this.all('SELECT * FROM tokens WHERE member_id = ? AND user_id = ?', [memberId, userId]);
    return row ? tokenFromRow(row) : null;
  }

  async saveToken(token: TokenRecord): Promise<void> {
    await this.run(SQL.upsertToken, tokenParams(token));
  }

  // Runs

  async enqueueRun(newRun: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    // The unique (member_id, dedupe_key) index decides, also between concurrent callers and instances.
    const [inserted] = await this.all(SQL.insertRun, runParams(newRunRecord(newRun, this.now())));
    if (inserted) return { run: runFromRow(inserted), created: true };
    const [existing] = await this.all(SQL.selectRunByDedupe, [newRun.memberId, newRun.dedupeKey]);
    if (!existing) throw new Error(`run ${newRun.memberId}/${newRun.dedupeKey} conflicted but cannot be read`);
    return { run: runFromRow(existing), created: false };
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const [row] = await this.all('SELECT * FROM runs WHERE id = ?', [id]);
    return row ? runFromRow(row) : null;
  }

  async updateRun(id: string, owner: string | null, patch: RunPatch): Promise<boolean> {
    const assignments = runPatchAssignments(patch);
    assignments.push(['updated_at', this.now().toISOString()]);
    const set = assignments.map(([column]) => `${column} = ?`).join(', ');
    const params = assignments.map(([, value]) => value);
    params.push(id);
    let sql = `UPDATE runs SET ${set} WHERE id = ?`;
    if (owner !== null) {
      sql += ' AND lease_owner = ?';
      params.push(owner);
    }
    return (await this.run(sql, params)) > 0;
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.memberId !== undefined) {
      conditions.push('member_id = ?');
      params.push(filter.memberId);
    }
    if (filter.state !== undefined) {
      conditions.push('state = ?');
      params.push(filter.state);
    }
    if (filter.robotCode !== undefined) {
      conditions.push('robot_code = ?');
      params.push(filter.robotCode);
    }
    let sql = 'SELECT * FROM runs';
    if (conditions.length > 0) sql += ` WHERE ${conditions.join(' AND ')}`;
    sql += ' ORDER BY created_at DESC, id DESC';
    if (filter.limit !== undefined) {
      sql += ' LIMIT ?';
      params.push(Math.max(0, Math.floor(filter.limit)));
    }
    return (await this.all(sql, params)).map(runFromRow);
  }

  async countRunsByState(): Promise<Record<RunState, number>> {
    const counts: Record<RunState, number> = { queued: 0, running: 0, waiting: 0, done: 0, failed: 0 };
    const rows = await this.all('SELECT state, COUNT(*) AS n FROM runs GROUP BY state');
    for (const row of rows) counts[String(row.state) as RunState] = Number(row.n);
    return counts;
  }

  async cancelPortalRuns(memberId: string, reason: string): Promise<number> {
    const now = this.now().toISOString();
    // Clearing the lease makes a worker still busy with one of these runs lose its updateRun calls.
    return this.run(
      'UPDATE runs SET state = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, finished_at = ?, updated_at = ? ' +
        `WHERE member_id = ? AND state IN (${placeholders(UNFINISHED.length)})`,
      ['failed', reason, now, now, memberId, ...UNFINISHED],
    );
  }

  // Step ledger

  async getStep(runId: string, key: string): Promise<{ value: unknown } | null> {
    const [row] = await this.all('SELECT value FROM steps WHERE run_id = ? AND step_key = ?', [runId, key]);
    return row ? { value: readJson(row.value) } : null;
  }

  async saveStep(runId: string, key: string, value: unknown): Promise<void> {
    await this.run(SQL.upsertStep, [runId, key, jsonText(value), this.now().toISOString()]);
  }

  // Settings and state

  async getSettings(memberId: string): Promise<Record<string, unknown>> {
    const [row] = await this.all('SELECT value FROM settings WHERE member_id = ?', [memberId]);
    return row ? ((readJson(row.value) ?? {}) as Record<string, unknown>) : {};
  }

  async saveSettings(memberId: string, settings: Record<string, unknown>): Promise<void> {
    await this.run(SQL.upsertSettings, [memberId, jsonText(settings), this.now().toISOString()]);
  }

  async getState<T = unknown>(memberId: string, key: string): Promise<T | null> {
    const [row] = await this.all('SELECT value FROM portal_state WHERE member_id = ? AND state_key = ?', [
      memberId, key,
    ]);
    return row ? (readJson(row.value) as T) : null;
  }

  async setState(memberId: string, key: string, value: unknown): Promise<void> {
    await this.run(SQL.upsertState, [memberId, key, jsonText(value), this.now().toISOString()]);
  }

  // Schedules

  async upsertSchedule(schedule: ScheduleRecord): Promise<void> {
    await this.run(SQL.upsertSchedule, scheduleParams(schedule));
  }

  async listSchedules(memberId?: string): Promise<ScheduleRecord[]> {
    const rows =
      memberId === undefined
        ? await this.all('SELECT * FROM schedules ORDER BY id')
        : await this.all('SELECT * FROM schedules WHERE member_id = ? ORDER BY id', [memberId]);
    return rows.map(scheduleFromRow);
  }

  async deleteSchedule(id: string): Promise<void> {
    await this.run('DELETE FROM schedules WHERE id = ?', [id]);
    await this.run('DELETE FROM schedule_ticks WHERE schedule_id = ?', [id]);
  }

  async claimTick(scheduleId: string, tickAt: Date): Promise<boolean> {
    const claimed = await this.run(
      'INSERT INTO schedule_ticks (schedule_id, tick_at, claimed_at) VALUES (?, ?, ?) ' +
        'ON CONFLICT (schedule_id, tick_at) DO NOTHING',
      [scheduleId, tickAt.toISOString(), this.now().toISOString()],
    );
    if (claimed === 0) return false;
    await this.run('DELETE FROM schedule_ticks WHERE schedule_id = ? AND tick_at < ?', [
      scheduleId, new Date(tickAt.getTime() - TICK_RETENTION_MS).toISOString(),
    ]);
    return true;
  }

  async markScheduleRun(scheduleId: string, lastRunAt: Date, nextRunAt: Date | null): Promise<void> {
    await this.run('UPDATE schedules SET last_run_at = ?, next_run_at = ? WHERE id = ?', [
      lastRunAt.toISOString(), isoOrNull(nextRunAt), scheduleId,
    ]);
  }

  // Locks

  async withLock<T>(name: string, fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    // Same-process callers queue here, so only one of them at a time polls or holds the shared lock.
    const releaseLocal = await this.mutex.acquire(name, timeoutMs);
    try {
      const releaseShared = await this.acquireSharedLock(name, deadline, timeoutMs);
      try {
        return await fn();
      } finally {
        await releaseShared().catch((error: unknown) =>
          this.logger.warn('store: releasing a lock failed', { lock: name, error: String(error) }),
        );
      }
    } finally {
      releaseLocal();
    }
  }
}

/** Waits between attempts at a lock held elsewhere: short at first, at most 100 ms. */
export function pollDelay(attempt: number): number {
  return Math.min(100, 5 * 2 ** Math.min(attempt, 5));
}
