/**
 * Report periods: `--from 2025-01 --to 2025-03` means January to March inclusive, read in the portal's time zone
 * (RULES.md: dates use the portal's time zone). Days (`2025-01-15`) work too.
 */
import { fromWallTime, toWallTime } from '../activities/time-zone';

export interface ReportRange {
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

export class ReportRangeError extends Error {
  readonly code = 'BAD_REPORT_RANGE';
  constructor(message: string) {
    super(message);
    this.name = 'ReportRangeError';
  }
}

interface Parsed {
  year: number;
  month: number;
  day: number | null;
}

function parse(text: string, option: string): Parsed {
  const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text.trim());
  const month = match ? Number(match[2]) : 0;
  const day = match?.[3] ? Number(match[3]) : null;
  if (!match || month < 1 || month > 12 || (day !== null && (day < 1 || day > 31))) {
    throw new ReportRangeError(`${option} "${text}" is not a month or a day: write 2025-01 or 2025-01-15`);
  }
  return { year: Number(match[1]), month, day };
}

const midnight = (year: number, month: number, day: number, timeZone: string) =>
  fromWallTime({ year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0 }, timeZone);

/** Defaults: the last 12 months including the current one. */
export function parseReportRange(options: { from?: string; to?: string }, timeZone: string, now: Date): ReportRange {
  const today = toWallTime(now, timeZone);
  let from: Date;
  if (options.from) {
    const start = parse(options.from, '--from');
    from = midnight(start.year, start.month, start.day ?? 1, timeZone);
  } else {
    const back = today.year * 12 + (today.month - 1) - 11;
    from = midnight(Math.floor(back / 12), (back % 12) + 1, 1, timeZone);
  }
  let to: Date;
  if (options.to) {
    const end = parse(options.to, '--to');
    // Date.UTC rolls day 32 / month 13 over, so "the day after" needs no calendar arithmetic of ours.
    const next = end.day === null ? new Date(Date.UTC(end.year, end.month, 1)) : new Date(Date.UTC(end.year, end.month - 1, end.day + 1));
    to = midnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone);
  } else {
    const next = new Date(Date.UTC(today.year, today.month, 1));
    to = midnight(next.getUTCFullYear(), next.getUTCMonth() + 1, 1, timeZone);
  }
  if (to.getTime() <= from.getTime()) throw new ReportRangeError('--to is before --from: swap them');
  return { from, to };
}
