/**
 * The REST envelope (PROTOCOL §5.1): `{result, total?, next?, time}` on success, `{error, error_description}`
 * with the error's HTTP status otherwise, always `application/json; charset=utf-8`.
 */
import type { Response } from 'express';
import type { RestError } from './contract';
import type { OperatingStatus } from './limits';
import { isoWithOffset } from './time-format';

export interface TimeInfo {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at?: number;
  operating?: number;
}

const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;

/**
 * The `time` object. `start` is the sandbox clock (so injected clocks show), `duration`/`processing` are the real
 * elapsed seconds. `operating`/`operating_reset_at` are added for top-level calls; `operating_reset_at` only while
 * something is counted (the app.info docs example has `operating: 0` and no reset time).
 */
export function timeObject(
  timeZone: string,
  startMs: number,
  durationSec: number,
  processingSec: number,
  operating?: OperatingStatus,
): TimeInfo {
  const start = startMs / 1000;
  const finish = start + durationSec;
  const time: TimeInfo = {
    start: round6(start),
    finish: round6(finish),
    duration: round6(durationSec),
    processing: round6(processingSec),
    date_start: isoWithOffset(new Date(startMs), timeZone),
    date_finish: isoWithOffset(new Date(finish * 1000), timeZone),
  };
  if (operating) {
    if (operating.resetAt !== undefined) time.operating_reset_at = operating.resetAt;
    time.operating = operating.operating;
  }
  return time;
}

/**
 * A batch result section as PHP's json_encode prints an array: `[]` when empty, a JSON array when the keys are
 * exactly 0..n-1 in order (numeric `cmd` keys), an object otherwise (PROTOCOL §5.4).
 */
export function phpSection(entries: Array<[string, unknown]>): unknown {
  if (entries.length === 0) return [];
  if (entries.every(([key], i) => key === String(i))) return entries.map(([, value]) => value);
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) out[key] = value;
  return out;
}

export function errorBody(error: RestError): Record<string, unknown> {
  return { error: error.error, error_description: error.description, ...error.extra };
}

export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.send(JSON.stringify(body));
}
