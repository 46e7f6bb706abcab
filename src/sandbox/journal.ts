/**
 * The per-portal journal of REST calls, for tests and benchmarks: one entry per call (batch sub-calls flagged),
 * plus counters of HTTP requests versus sub-calls, so a benchmark can show how many round trips it needed.
 */

export interface JournalEntry {
  /** Lower-case method name as the portal resolved it. */
  method: string;
  /** ISO time of the call (sandbox clock). */
  at: string;
  /** The HTTP status the call got (for a sub-call: the status it would have had alone). */
  status: number;
  /** The error code, when it failed. */
  error?: string;
  /** True for a call made inside `batch`. */
  batch?: boolean;
  userId: number | null;
  /** The app's client_id; null for a webhook or an unauthenticated call. */
  clientId: string | null;
}

export interface JournalSnapshot {
  /** HTTP requests that reached this portal (a batch counts once). */
  httpRequests: number;
  /** Calls executed inside batches. */
  batchSubCalls: number;
  entries: JournalEntry[];
}

export class Journal {
  private entries: JournalEntry[] = [];
  private httpRequests = 0;
  private batchSubCalls = 0;

  constructor(private readonly maxEntries = 100_000) {}

  countHttpRequest(): void {
    this.httpRequests += 1;
  }

  record(entry: JournalEntry): void {
    if (entry.batch) this.batchSubCalls += 1;
    this.entries.push(entry);
    // keep memory bounded in long benchmark runs: the oldest entries go first
    if (this.entries.length > this.maxEntries) this.entries.splice(0, this.entries.length - this.maxEntries);
  }

  snapshot(): JournalSnapshot {
    return { httpRequests: this.httpRequests, batchSubCalls: this.batchSubCalls, entries: [...this.entries] };
  }

  clear(): void {
    this.entries = [];
    this.httpRequests = 0;
    this.batchSubCalls = 0;
  }
}
