/**
 * The store contract. Two implementations share it and one test suite:
 * SQLite (better-sqlite3, default, one file under ./data/) and PostgreSQL (pg).
 * Every method is async so callers never care which engine is behind it.
 */

export type Plan = 'standard' | 'enterprise';

/** One installed portal (one app installation). Keyed by `member_id`, the stable tenant key. */
export interface PortalRecord {
  memberId: string;
  /** Portal domain, e.g. `acme.bitrix24.ru`; updated after a 302 domain change. */
  domain: string;
  /** REST base of the portal, e.g. `https://acme.bitrix24.ru/rest/`. All REST calls go here, never to a URL from a request. */
  clientEndpoint: string;
  /** OAuth server REST base as reported at install, e.g. `https://oauth.bitrix.info/rest/` (informational only). */
  serverEndpoint: string;
  /** Per-app, per-portal secret from ONAPPINSTALL; compared in constant time on every inbound call. */
  applicationToken: string;
  /** App status: L (local), F, D, T, P. */
  status: string;
  scope: string;
  plan: Plan;
  /** IANA time zone of the portal, e.g. `Europe/Moscow`. */
  timeZone: string;
  /** Culture of the portal: decides the date format robots receive (`ru`: 31.12.2024, `en`: 12/31/2024 06:00:00 pm). */
  culture: string;
  /** The installing admin: registration of robots uses this user's token. */
  adminUserId: number;
  /** App version the portal last installed/updated to. */
  appVersion: number;
  installedAt: Date;
  updatedAt: Date;
  /** Set by ONAPPUNINSTALL: all work for the portal stops. */
  uninstalledAt: Date | null;
  lastActivityAt: Date | null;
}

/** An OAuth token pair of one user on one portal. */
export interface TokenRecord {
  memberId: string;
  userId: number;
  accessToken: string;
  refreshToken: string;
  /** When the access token expires. */
  expiresAt: Date;
  scope: string;
  updatedAt: Date;
}

/** queued: waiting to be claimed; running: leased by a worker; waiting: parked until availableAt (backoff, rate limit);
 *  done: event.send delivered (or not needed); failed: given up, reported to the workflow. */
export type RunState = 'queued' | 'running' | 'waiting' | 'done' | 'failed';

/** Where a run came from. */
export type RunSource = 'robot' | 'event' | 'schedule' | 'manual';

export interface NewRun {
  memberId: string;
  robotCode: string;
  source: RunSource;
  /** Unique per portal: the event_token for robot calls, `<job>@<tick ISO>` for schedules, etc. A second enqueue with the
   *  same key returns the existing run and `created: false`. */
  dedupeKey: string;
  workflowId: string | null;
  /** Opaque token for bizproc.event.send; null for runs that answer no workflow. Secret: never log it. */
  eventToken: string | null;
  /** `document_id` triple as received, e.g. ['crm', 'CCrmDocumentDeal', 'DEAL_12']. */
  documentId: string[] | null;
  documentType: string[] | null;
  /** Raw `properties` from the wire (strings, arrays, objects), coerced by the worker. */
  properties: Record<string, unknown>;
  /** User whose token the call carried (auth[user_id]); null if none. */
  userId: number | null;
  useSubscription: boolean;
  /** `ts` of the call, or the tick time. */
  firedAt: Date;
  availableAt?: Date;
}

export interface RunRecord extends NewRun {
  id: string;
  state: RunState;
  attempts: number;
  availableAt: Date;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  /** Return values sent (or to be sent) with event.send. */
  returnValues: Record<string, unknown> | null;
  logMessage: string | null;
  lastError: string | null;
  /** When bizproc.event.send was acknowledged by the portal; set once. */
  eventSentAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export type RunPatch = Partial<
  Pick<
    RunRecord,
    | 'state'
    | 'attempts'
    | 'availableAt'
    | 'leaseOwner'
    | 'leaseUntil'
    | 'returnValues'
    | 'logMessage'
    | 'lastError'
    | 'eventSentAt'
    | 'finishedAt'
  >
>;

export interface RunFilter {
  memberId?: string;
  state?: RunState;
  robotCode?: string;
  limit?: number;
}

/** A per-portal cron job (weekly distribution, daily sweep, …). */
export interface ScheduleRecord {
  /** `<memberId>:<job name>` */
  id: string;
  memberId: string;
  job: string;
  /** node-cron expression, evaluated in the portal's time zone. */
  cron: string;
  timeZone: string;
  enabled: boolean;
  lastRunAt: Date | null;
  nextRunAt: Date | null;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema; safe to call on every start and from several instances. */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;

  // Installations
  getPortal(memberId: string): Promise<PortalRecord | null>;
  getPortalByDomain(domain: string): Promise<PortalRecord | null>;
  listPortals(options?: { includeUninstalled?: boolean }): Promise<PortalRecord[]>;
  upsertPortal(portal: PortalRecord): Promise<void>;
  markPortalUninstalled(memberId: string, at: Date): Promise<void>;
  touchPortal(memberId: string, at: Date): Promise<void>;

  // Tokens per (portal, user)
  getToken(memberId: string, userId: number): Promise<TokenRecord | null>;
  saveToken(token: TokenRecord): Promise<void>;

  // Runs
  enqueueRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }>;
  getRun(id: string): Promise<RunRecord | null>;
  /** Atomically leases up to `limit` runs that are queued/waiting with availableAt <= now, or running with an expired
   *  lease (a dead worker). Increments nothing; the worker updates attempts. PostgreSQL: FOR UPDATE SKIP LOCKED. */
  claimRuns(options: { owner: string; limit: number; leaseMs: number; now: Date }): Promise<RunRecord[]>;
  /** Applies the patch only while `owner` holds the lease (pass null to skip the check); false if the lease was lost. */
  updateRun(id: string, owner: string | null, patch: RunPatch): Promise<boolean>;
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  countRunsByState(): Promise<Record<RunState, number>>;
  /** Marks every unfinished run of a portal failed with the given reason (uninstall). Returns how many. */
  cancelPortalRuns(memberId: string, reason: string): Promise<number>;

  // Step ledger: the recorded result of each side effect of a run
  getStep(runId: string, key: string): Promise<{ value: unknown } | null>;
  saveStep(runId: string, key: string, value: unknown): Promise<void>;

  // Per-portal settings (validated JSON; validation is the caller's job)
  getSettings(memberId: string): Promise<Record<string, unknown>>;
  saveSettings(memberId: string, settings: Record<string, unknown>): Promise<void>;

  // Per-portal robot state (cursors, markers): small JSON values by key
  getState<T = unknown>(memberId: string, key: string): Promise<T | null>;
  setState(memberId: string, key: string, value: unknown): Promise<void>;

  // Schedules
  upsertSchedule(schedule: ScheduleRecord): Promise<void>;
  listSchedules(memberId?: string): Promise<ScheduleRecord[]>;
  deleteSchedule(id: string): Promise<void>;
  /** Records that the tick `tickAt` of `scheduleId` fired; true only for the first caller across all instances. */
  claimTick(scheduleId: string, tickAt: Date): Promise<boolean>;
  markScheduleRun(scheduleId: string, lastRunAt: Date, nextRunAt: Date | null): Promise<void>;

  /** Runs fn while holding a named lock that excludes other holders in this process and in other instances
   *  (PostgreSQL advisory lock; SQLite a lease row). */
  withLock<T>(name: string, fn: () => Promise<T>, options?: { timeoutMs?: number }): Promise<T>;
}
