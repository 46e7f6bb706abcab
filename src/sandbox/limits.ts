/**
 * REST limits of a cloud portal (b24-docs/limits.md, PROTOCOL §5.2–5.3):
 *  - a leaky bucket per portal: every HTTP request adds 1, the counter drains by Y per second, and once it would pass
 *    X the request gets 503 QUERY_LIMIT_EXCEEDED (Enterprise X=250 Y=5, other plans X=50 Y=2); a batch is one request;
 *  - an operating-time budget per method and per app/webhook, summed over 10 one-minute baskets; each basket drops
 *    out 10 minutes after its first call; while the sum exceeds the limit the method answers 429 OPERATION_TIME_LIMIT.
 * Both read the sandbox clock, so tests move time instead of sleeping.
 */
import type { PortalLimits } from './contract';

export type Plan = 'standard' | 'enterprise';

export interface LimitsPatch {
  bucket?: Partial<PortalLimits['bucket']>;
  operating?: Partial<PortalLimits['operating']>;
  tokenTtlSeconds?: number;
}

export function defaultLimits(plan: Plan): PortalLimits {
  return {
    bucket: plan === 'enterprise'
      ? { enabled: true, burst: 250, drainPerSecond: 5 }
      : { enabled: true, burst: 50, drainPerSecond: 2 },
    // the docs' example limit is 480 s over 10 minutes
    operating: { enabled: true, limitSeconds: 480, windowSeconds: 600 },
    tokenTtlSeconds: 3600,
  };
}

function positive(value: unknown, name: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new RangeError(`limit "${name}" must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`);
  }
  return n;
}

/** Applies a partial change to limits, validating every number. */
export function mergeLimits(base: PortalLimits, patch: LimitsPatch = {}): PortalLimits {
  const out: PortalLimits = {
    bucket: { ...base.bucket },
    operating: { ...base.operating },
    tokenTtlSeconds: base.tokenTtlSeconds,
  };
  const b = patch.bucket ?? {};
  if (b.enabled !== undefined) out.bucket.enabled = Boolean(b.enabled);
  if (b.burst !== undefined) out.bucket.burst = positive(b.burst, 'bucket.burst');
  if (b.drainPerSecond !== undefined) out.bucket.drainPerSecond = positive(b.drainPerSecond, 'bucket.drainPerSecond', true);
  const o = patch.operating ?? {};
  if (o.enabled !== undefined) out.operating.enabled = Boolean(o.enabled);
  if (o.limitSeconds !== undefined) out.operating.limitSeconds = positive(o.limitSeconds, 'operating.limitSeconds', true);
  if (o.windowSeconds !== undefined) out.operating.windowSeconds = positive(o.windowSeconds, 'operating.windowSeconds');
  if (patch.tokenTtlSeconds !== undefined) out.tokenTtlSeconds = positive(patch.tokenTtlSeconds, 'tokenTtlSeconds');
  return out;
}

/** The per-portal request counter. */
export class LeakyBucket {
  private level = 0;
  private lastMs = 0;

  private drain(nowMs: number, drainPerSecond: number): void {
    if (this.lastMs !== 0 && nowMs > this.lastMs) {
      this.level = Math.max(0, this.level - ((nowMs - this.lastMs) / 1000) * drainPerSecond);
    }
    this.lastMs = Math.max(this.lastMs, nowMs);
  }

  /** Counts one request; false when it would push the counter past the burst (the request is refused and not counted). */
  take(nowMs: number, config: PortalLimits['bucket']): boolean {
    this.drain(nowMs, config.drainPerSecond);
    if (this.level + 1 > config.burst) return false;
    this.level += 1;
    return true;
  }

  current(nowMs: number, config: PortalLimits['bucket']): number {
    this.drain(nowMs, config.drainPerSecond);
    return this.level;
  }

  reset(): void {
    this.level = 0;
    this.lastMs = 0;
  }
}

interface Basket {
  slot: number;
  startedMs: number;
  seconds: number;
}

export interface OperatingStatus {
  /** Current sum of the live baskets, seconds. */
  operating: number;
  /** Unix seconds when the oldest live basket drops out; absent when nothing is counted. */
  resetAt?: number;
}

/** Operating time per `<app or webhook>|<method>` key. */
export class OperatingBudget {
  private readonly baskets = new Map<string, Basket[]>();

  private live(key: string, nowMs: number, config: PortalLimits['operating']): Basket[] {
    const windowMs = config.windowSeconds * 1000;
    const list = (this.baskets.get(key) ?? []).filter((b) => b.startedMs + windowMs > nowMs);
    if (list.length > 0) this.baskets.set(key, list);
    else this.baskets.delete(key);
    return list;
  }

  status(key: string, nowMs: number, config: PortalLimits['operating']): OperatingStatus {
    const list = this.live(key, nowMs, config);
    if (list.length === 0) return { operating: 0 };
    const operating = list.reduce((sum, b) => sum + b.seconds, 0);
    // the countdown of a basket starts at its first call and lasts the whole window
    const resetAt = Math.floor((list[0].startedMs + config.windowSeconds * 1000) / 1000);
    return { operating: Math.round(operating * 1e6) / 1e6, resetAt };
  }

  /** Checked before each call: blocked while the sum already exceeds the limit (the call that crosses it still runs). */
  isBlocked(key: string, nowMs: number, config: PortalLimits['operating']): boolean {
    if (!config.enabled) return false;
    return this.status(key, nowMs, config).operating > config.limitSeconds;
  }

  add(key: string, nowMs: number, seconds: number, config: PortalLimits['operating']): void {
    if (seconds <= 0) return;
    const list = this.live(key, nowMs, config);
    const slotMs = (config.windowSeconds * 1000) / 10; // 10 baskets per window: one minute each by default
    const slot = Math.floor(nowMs / slotMs);
    const last = list[list.length - 1];
    if (last && last.slot === slot) last.seconds += seconds;
    else list.push({ slot, startedMs: nowMs, seconds });
    this.baskets.set(key, list);
  }

  reset(): void {
    this.baskets.clear();
  }
}
