/**
 * A leaky bucket per portal that mirrors the portal's own (PROTOCOL §5.2): every HTTP request adds 1, the level
 * drains by `drainPerSecond`, and above `burst` the portal answers 503 QUERY_LIMIT_EXCEEDED. We wait instead of
 * failing, in arrival order, and treat a 503 as "the portal's bucket is full" (other apps from our IP share it).
 */
import type { LimitConfig, ClientMetrics } from './types';
import type { Clock, Sleep } from './runtime';

export interface RateLimiter {
  /** Resolves when one more request fits the portal's bucket; the time spent waiting is added to the metrics. */
  acquire(memberId: string, limits: LimitConfig): Promise<void>;
  /** The portal answered QUERY_LIMIT_EXCEEDED: our picture was too optimistic, the bucket is full now. */
  markFull(memberId: string, limits: LimitConfig): void;
  /** The current level (for metrics and tests). */
  level(memberId: string, limits: LimitConfig): number;
  /** How long a request made now would wait for its turn, counting the requests already in line (0: it goes at once). */
  delayMs(memberId: string, limits: LimitConfig): number;
}

interface Bucket {
  level: number;
  at: number;
  /** The last waiter in line: requests of one portal pass in arrival order. */
  tail: Promise<void>;
  /** Requests in line that have not taken their place in the bucket yet. */
  waiting: number;
}

/** Standard plans 50 burst, 2/s; Enterprise 250, 5/s (PROTOCOL §5.2); 480 s operating budget (docs example). */
export function defaultLimits(plan: 'standard' | 'enterprise'): LimitConfig {
  return plan === 'enterprise'
    ? { burst: 250, drainPerSecond: 5, operatingLimitSeconds: 480 }
    : { burst: 50, drainPerSecond: 2, operatingLimitSeconds: 480 };
}

export function createRateLimiter(options: { clock: Clock; sleep: Sleep; metrics: ClientMetrics }): RateLimiter {
  const { clock, sleep, metrics } = options;
  const buckets = new Map<string, Bucket>();

  function bucketOf(memberId: string): Bucket {
    let bucket = buckets.get(memberId);
    if (!bucket) {
      bucket = { level: 0, at: clock().getTime(), tail: Promise.resolve(), waiting: 0 };
      buckets.set(memberId, bucket);
    }
    return bucket;
  }

  function drain(bucket: Bucket, limits: LimitConfig): void {
    const now = clock().getTime();
    const drained = ((now - bucket.at) / 1000) * limits.drainPerSecond;
    bucket.level = Math.max(0, bucket.level - drained);
    bucket.at = now;
  }

  async function take(bucket: Bucket, limits: LimitConfig): Promise<void> {
    while (true) {
      drain(bucket, limits);
      if (bucket.level + 1 <= limits.burst) {
        bucket.level += 1;
        return;
      }
      const waitMs = Math.ceil(((bucket.level + 1 - limits.burst) / limits.drainPerSecond) * 1000);
      metrics.rateLimitWaitMs += waitMs;
      await sleep(waitMs);
    }
  }

  return {
    acquire(memberId, limits) {
      const bucket = bucketOf(memberId);
      bucket.waiting += 1;
      const turn = bucket.tail.then(() => take(bucket, limits)).finally(() => {
        bucket.waiting -= 1;
      });
      bucket.tail = turn.catch(() => undefined); // one failed wait must not block the line behind it
      return turn;
    },
    markFull(memberId, limits) {
      const bucket = bucketOf(memberId);
      bucket.level = limits.burst;
      bucket.at = clock().getTime();
    },
    level(memberId, limits) {
      const bucket = bucketOf(memberId);
      drain(bucket, limits);
      return bucket.level;
    },
    delayMs(memberId, limits) {
      const bucket = bucketOf(memberId);
      drain(bucket, limits);
      const excess = bucket.level + bucket.waiting + 1 - limits.burst;
      return excess <= 0 ? 0 : Math.ceil((excess / limits.drainPerSecond) * 1000);
    },
  };
}
