/**
 * The per-method operating (CPU-time) budget (PROTOCOL §5.3): each response's `time.operating` is the method's
 * execution time summed over a sliding 10-minute window, `time.operating_reset_at` when the oldest minute drops out.
 * Over the limit, the portal blocks THAT method with 429 OPERATION_TIME_LIMIT; other methods keep working. So we
 * park only that method's calls until the reset, and let everything else through.
 */
import type { LimitConfig, RestTime } from './types';
import type { Clock, Sleep } from './runtime';

/** When a 429 arrives and no reset time is known (or it already passed): one minute bucket (PROTOCOL §5.3). */
const FALLBACK_PARK_MS = 60_000;

export interface OperatingBudget {
  /** Resolves once calls of `method` may go to the portal again. */
  ready(memberId: string, method: string): Promise<void>;
  /** Reads `time` of a response (or of a batch sub-call); parks the method ahead of time when the sum is over the limit. */
  record(memberId: string, method: string, time: Partial<RestTime> | undefined, limits: LimitConfig): void;
  /** The portal answered 429 OPERATION_TIME_LIMIT for `method`. */
  park(memberId: string, method: string, resetAtSeconds?: number): void;
  /** Epoch ms until which the method is parked, or null. */
  parkedUntil(memberId: string, method: string): number | null;
}

interface MethodBudget {
  operating: number;
  resetAtMs: number | null;
  parkedUntilMs: number | null;
}

export function createOperatingBudget(options: { clock: Clock; sleep: Sleep }): OperatingBudget {
  const { clock, sleep } = options;
  const budgets = new Map<string, MethodBudget>();
  const keyOf = (memberId: string, method: string) => `${memberId}|${method.toLowerCase()}`;

  function budgetOf(memberId: string, method: string): MethodBudget {
    const key = keyOf(memberId, method);
    let budget = budgets.get(key);
    if (!budget) {
      budget = { operating: 0, resetAtMs: null, parkedUntilMs: null };
      budgets.set(key, budget);
    }
    return budget;
  }

  function parkedUntil(memberId: string, method: string): number | null {
    const budget = budgets.get(keyOf(memberId, method));
    if (!budget?.parkedUntilMs) return null;
    if (budget.parkedUntilMs <= clock().getTime()) {
      budget.parkedUntilMs = null;
      return null;
    }
    return budget.parkedUntilMs;
  }

  return {
    async ready(memberId, method) {
      while (true) {
        const until = parkedUntil(memberId, method);
        if (until === null) return;
        await sleep(until - clock().getTime());
      }
    },
    record(memberId, method, time, limits) {
      if (!time || typeof time.operating !== 'number') return;
      const budget = budgetOf(memberId, method);
      budget.operating = time.operating;
      if (typeof time.operating_reset_at === 'number') budget.resetAtMs = time.operating_reset_at * 1000;
      // The portal checks the sum before each call: over the limit, the next call would only earn a 429.
      if (budget.operating > limits.operatingLimitSeconds && budget.resetAtMs && budget.resetAtMs > clock().getTime()) {
        budget.parkedUntilMs = budget.resetAtMs;
      }
    },
    park(memberId, method, resetAtSeconds) {
      const budget = budgetOf(memberId, method);
      const now = clock().getTime();
      // Docs: first retry at operating_reset_at of the last successful response; if it persists, the next bucket.
      const candidates = [resetAtSeconds ? resetAtSeconds * 1000 : null, budget.resetAtMs];
      const future = candidates.filter((t): t is number => t !== null && t > now);
      budget.parkedUntilMs = future.length > 0 ? Math.min(...future) : now + FALLBACK_PARK_MS;
      budget.resetAtMs = null; // used once: a second 429 waits for the next bucket
    },
    parkedUntil,
  };
}
