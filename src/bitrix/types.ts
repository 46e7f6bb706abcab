/**
 * The Bitrix24 client contract: the only code that talks to a portal. It owns tokens, the rate limit,
 * retries, batching, coalescing and list enumeration. Robots see only `B24` (portal- and user-scoped).
 */

/** The REST envelope of a successful call (PROTOCOL §5.1). */
export interface RestTime {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating?: number;
  operating_reset_at?: number;
}

export interface RestResponse<T = unknown> {
  result: T;
  total?: number;
  next?: number;
  time?: RestTime;
}

/** Params as sent to a method: JSON-serialisable. */
export type RestParams = Record<string, unknown> | unknown[];

/** One command of a batch: the method and its params. */
export type BatchCommand = [method: string, params?: RestParams];

export interface BatchResult {
  /** Results by command key; absent for failed commands. */
  result: Record<string, unknown>;
  /** Errors by command key (`{error, error_description}`). */
  errors: Record<string, { error: string; error_description: string }>;
  total: Record<string, number>;
  next: Record<string, number>;
}

/** Thrown for every failed call: REST errors keep Bitrix24's code and description. */
export interface B24ErrorShape {
  /** Bitrix24 error code, e.g. `QUERY_LIMIT_EXCEEDED`, `NOT_FOUND`, `expired_token`, '' for legacy crm errors. */
  code: string;
  /** HTTP status, or 0 for a network failure. */
  status: number;
  description: string;
  method: string;
}

/** A client scoped to one portal and one user: what a robot handler gets as `b24`. */
export interface B24 {
  readonly memberId: string;
  /** Calls a method and returns `result`. Calls issued within a few ms by concurrent callers may be coalesced into one `batch`. */
  call<T = any>(method: string, params?: RestParams): Promise<T>;
  /** Calls a method and returns the whole envelope (`result`, `total`, `next`, `time`). Never coalesced. */
  callRaw<T = any>(method: string, params?: RestParams): Promise<RestResponse<T>>;
  /** Runs commands in `batch` requests of at most 50 (`$result[...]` references stay within one chunk when given as one
   *  array/record of ≤ 50). Per-command results and errors; never throws for a failed command unless `halt`. */
  batch(commands: Record<string, BatchCommand> | BatchCommand[], options?: { halt?: boolean }): Promise<BatchResult>;
  /** Enumerates every row of a list method with keyset paging (`order ID asc`, `>ID`, `start=-1`), 50 pages per batch.
   *  Unwraps `items`/`tasks` wrappers; falls back to `start`/`next` paging for methods that ignore `start=-1`. */
  listAll<T = any>(
    method: string,
    params?: Record<string, unknown>,
    options?: { limit?: number; pagesPerRequest?: number },
  ): Promise<T[]>;
  /** Same, page by page. (`options` added by the client: stop after `limit` rows; pages per batch request, 1..50.) */
  listPages<T = any>(
    method: string,
    params?: Record<string, unknown>,
    options?: { limit?: number; pagesPerRequest?: number },
  ): AsyncIterable<T[]>;
}

export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  /** e.g. `https://oauth.bitrix.info`; the only OAuth server the service talks to. */
  server: string;
}

export interface LimitConfig {
  /** Leaky bucket: burst X, drain Y per second (standard 50/2, enterprise 250/5). */
  burst: number;
  drainPerSecond: number;
  /** Operating budget per method over the sliding 10-minute window, seconds (docs example 480). */
  operatingLimitSeconds: number;
}

/** Counters for /metrics. */
export interface ClientMetrics {
  requests: Map<string, number>; // key `${method}|${status}`
  rateLimitWaitMs: number;
  refreshes: number;
}

/** The process-wide client: hands out portal-scoped `B24`s. */
export interface BitrixClient {
  /** A client for the portal, acting as `userId` (default: the installing admin). */
  forPortal(memberId: string, options?: { userId?: number | null }): B24;
  readonly metrics: ClientMetrics;
  /** Stops timers (coalescer, limiter). */
  close(): Promise<void>;
}
