/**
 * When a failed request may be sent again (DESIGN "The Bitrix24 client"):
 * - QUERY_LIMIT_EXCEEDED (503) and OPERATION_TIME_LIMIT (429): always — the portal refused before running the method;
 * - network errors and 5xx: only for reads. A write may have happened before the failure; whether to repeat it is the
 *   worker's decision (its step ledger), not this layer's;
 * - anything else: never.
 * Delays grow exponentially with full jitter and are bounded, as the docs ask ("increasing delays", PROTOCOL §5.2).
 */
import type { B24Error } from './errors';
import { ClientErrorCode } from './errors';

export interface RetryPolicy {
  /** Attempts for transient failures of reads (network, 5xx), the first included. */
  maxAttempts: number;
  /** Attempts when the portal refused for a limit (503 QUERY_LIMIT_EXCEEDED, 429 OPERATION_TIME_LIMIT). */
  maxLimitAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** 0..1; injected by tests to make jitter predictable. */
  random: () => number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  maxLimitAttempts: 10,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  random: Math.random,
};

const READ_SUFFIXES = new Set(['get', 'list', 'getlist', 'fields', 'getfields', 'current']);
const READ_METHODS = new Set(['profile', 'app.info', 'user.get', 'server.time', 'scope', 'methods', 'method.get']);

/** A method that only reads, so repeating it after an unclear failure is harmless. */
export function isReadMethod(method: string): boolean {
  const lower = method.toLowerCase().replace(/\.json$/, '');
  if (READ_METHODS.has(lower)) return true;
  const last = lower.slice(lower.lastIndexOf('.') + 1);
  return READ_SUFFIXES.has(last);
}

/** The method of a batch command string `crm.item.get?id=1`. */
export function commandMethod(command: string): string {
  const q = command.indexOf('?');
  return q === -1 ? command : command.slice(0, q);
}

/** A call is a read if its method is one; a `batch` is one if every command is. */
export function isReadCall(method: string, params?: unknown): boolean {
  if (method.toLowerCase() !== 'batch') return isReadMethod(method);
  const cmd = (params as { cmd?: unknown } | undefined)?.cmd;
  if (!cmd || typeof cmd !== 'object') return false;
  const commands = Object.values(cmd as Record<string, unknown>);
  return commands.length > 0 && commands.every((c) => typeof c === 'string' && isReadMethod(commandMethod(c)));
}

export function backoffMs(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (policy.random() * ceiling) / 2);
}

export type RetryKind = 'rate-limit' | 'operating' | 'transient';

export type RetryDecision = { retry: false } | { retry: true; kind: RetryKind; delayMs: number };

export function isTransient(error: B24Error): boolean {
  return error.code === ClientErrorCode.NETWORK_ERROR || error.status >= 500;
}

/**
 * Decides about attempt number `attempt` (1 = the first) that failed with `error`.
 * `limitAttempts` counts the limit refusals so far, `attempt` the transient failures.
 */
export function decideRetry(
  error: B24Error,
  context: { read: boolean; attempt: number; limitAttempts: number; policy: RetryPolicy },
): RetryDecision {
  const { policy } = context;
  if (error.code === 'QUERY_LIMIT_EXCEEDED') {
    if (context.limitAttempts >= policy.maxLimitAttempts) return { retry: false };
    return { retry: true, kind: 'rate-limit', delayMs: backoffMs(context.limitAttempts, policy) };
  }
  if (error.code === 'OPERATION_TIME_LIMIT') {
    if (context.limitAttempts >= policy.maxLimitAttempts) return { retry: false };
    // The wait is the operating budget's: the method is parked until operating_reset_at.
    return { retry: true, kind: 'operating', delayMs: 0 };
  }
  if (context.read && isTransient(error) && context.attempt < policy.maxAttempts) {
    return { retry: true, kind: 'transient', delayMs: backoffMs(context.attempt, policy) };
  }
  return { retry: false };
}
