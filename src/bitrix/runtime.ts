/**
 * The small things every part of the client is handed: a logger (winston-compatible subset), the clock and a sleep
 * that tests can make instant.
 */
import type { ClientMetrics } from './types';

/** The subset of a winston logger the client uses. Meta never carries tokens or secrets. */
export interface ClientLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export const silentLogger: ClientLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export type Clock = () => Date;
export type Sleep = (ms: number) => Promise<void>;

export const systemClock: Clock = () => new Date();
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export function createMetrics(): ClientMetrics {
  return { requests: new Map(), rateLimitWaitMs: 0, refreshes: 0 };
}

export function countRequest(metrics: ClientMetrics, method: string, status: number): void {
  const key = `${method.toLowerCase()}|${status}`;
  metrics.requests.set(key, (metrics.requests.get(key) ?? 0) + 1);
}
