/**
 * The worker: claims runs from the store (leases that expire if the process dies), processes up to `concurrency`
 * at a time, and stops gracefully. `runOnce`/`drain` process what is runnable now, for tests and the CLI.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { runLogMeta } from '../activities/context';
import type { RobotRegistry } from '../activities/registry';
import type { RobotLogger } from '../activities/types';
import type { BitrixClient } from '../bitrix/types';
import type { RunRecord, Store } from '../store/types';
import { exponentialBackoff, type Backoff } from './backoff';
import { createWorkerMetrics, recordAttempt, type RunFinished, type WorkerMetrics } from './metrics';
import { processRun, type AttemptResult, type RunnerDeps } from './process-run';

/** A clock: a function returning now, or an object with `now()` (the store's convention). */
export type WorkerClock = (() => Date) | { now(): Date };

export interface WorkerOptions {
  store: Store;
  client: BitrixClient;
  registry: RobotRegistry;
  logger: RobotLogger;
  clock?: WorkerClock;
  /** Lease holder name, unique per process (default `<host>:<pid>:<random>`). */
  owner?: string;
  /** How long a claim lasts without renewal (default 60 s); renewed every leaseMs/3 while a handler runs. */
  leaseMs?: number;
  /** Renewal period (default leaseMs / 3). */
  renewEveryMs?: number;
  /** Idle poll period (default 1 s). */
  pollMs?: number;
  /** Runs processed at the same time (default 4). */
  concurrency?: number;
  /** Handler attempts before the failure is reported to the workflow (default 5). */
  maxAttempts?: number;
  /** Delay before attempt n+1 after attempt n failed transiently (default exponential from 10 s, max 10 min). */
  backoff?: Backoff;
  /** Called after every attempt (metrics export). */
  onRunFinished?: (event: RunFinished) => void;
}

export interface Worker {
  readonly owner: string;
  readonly metrics: WorkerMetrics;
  /** Starts polling in the background. */
  start(): void;
  /** Stops claiming, waits for the runs in progress to finish. */
  stop(): Promise<void>;
  /** Claims up to `concurrency` runnable runs and processes them; returns how many were claimed. */
  runOnce(): Promise<number>;
  /** Repeats runOnce until nothing is runnable now; returns how many attempts were made. */
  drain(options?: { maxRounds?: number }): Promise<number>;
  /** Wakes an idle polling loop (e.g. the receiver just stored a run). */
  wake(): void;
}

function clockFunction(clock: WorkerClock | undefined): () => Date {
  if (!clock) return () => new Date();
  if (typeof clock === 'function') return clock;
  return () => clock.now();
}

export function createWorker(options: WorkerOptions): Worker {
  const now = clockFunction(options.clock);
  const leaseMs = options.leaseMs ?? 60_000;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const pollMs = options.pollMs ?? 1_000;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const metrics = createWorkerMetrics();
  const deps: RunnerDeps = {
    store: options.store,
    client: options.client,
    registry: options.registry,
    logger: options.logger,
    now,
    owner,
    leaseMs,
    renewEveryMs: options.renewEveryMs ?? Math.max(10, Math.floor(leaseMs / 3)),
    maxAttempts: Math.max(1, options.maxAttempts ?? 5),
    backoff: options.backoff ?? exponentialBackoff(),
  };

  const inFlight = new Set<Promise<AttemptResult>>();
  let running = false;
  let loop: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;

  async function processOne(run: RunRecord): Promise<AttemptResult> {
    const started = now().getTime();
    const outcome = await processRun(deps, run);
    const event: RunFinished = {
      runId: run.id,
      memberId: run.memberId,
      robotCode: run.robotCode,
      attempt: run.attempts + 1,
      state: outcome.state,
      result: outcome.result,
      durationMs: Math.max(0, now().getTime() - started),
    };
    recordAttempt(metrics, event);
    options.logger.info('run finished', {
      ...runLogMeta(run),
      attempt: event.attempt,
      state: event.state,
      result: event.result,
      durationMs: event.durationMs,
    });
    try {
      options.onRunFinished?.(event);
    } catch (error) {
      options.logger.warn('onRunFinished hook failed', { error: (error as Error).message });
    }
    return outcome;
  }

  function track(run: RunRecord): Promise<AttemptResult> {
    const job = processOne(run).finally(() => {
      inFlight.delete(job);
      wakeUp?.();
    });
    inFlight.add(job);
    return job;
  }

  async function claim(limit: number): Promise<RunRecord[]> {
    if (limit <= 0) return [];
    return options.store.claimRuns({ owner, limit, leaseMs, now: now() });
  }

  async function runOnce(): Promise<number> {
    const claimed = await claim(concurrency);
    await Promise.all(claimed.map(track));
    return claimed.length;
  }

  async function pollLoop(): Promise<void> {
    while (running) {
      let claimedAll = false;
      try {
        const free = concurrency - inFlight.size;
        const claimed = await claim(free);
        claimed.forEach(track);
        claimedAll = free > 0 && claimed.length === free;
      } catch (error) {
        options.logger.error('claiming runs failed', { error: (error as Error).message });
      }
      if (!running) break;
      if (claimedAll && inFlight.size < concurrency) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollMs);
        function done(): void {
          clearTimeout(timer);
          wakeUp = null;
          resolve();
        }
        wakeUp = done;
      });
    }
  }

  return {
    owner,
    metrics,
    start() {
      if (running) return;
      running = true;
      loop = pollLoop();
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
      loop = null;
      await Promise.all([...inFlight]);
    },
    runOnce,
    async drain(drainOptions = {}) {
      const maxRounds = drainOptions.maxRounds ?? 1_000;
      let total = 0;
      for (let round = 0; round < maxRounds; round++) {
        const count = await runOnce();
        if (count === 0) break;
        total += count;
      }
      return total;
    },
    wake() {
      wakeUp?.();
    },
  };
}
