/**
 * Next fire time of a cron expression in a portal's time zone, from any instant (so tests and missed-tick
 * catch-up can ask "what was due after T" without waiting for a real timer). Parsing and validation are node-cron's.
 */
import cron from 'node-cron';
import { zonedParts, zonedTimeToInstant } from '../util/zoned-time';

export class CronExpressionError extends Error {
  readonly code = 'CRON_EXPRESSION_INVALID';
}

interface Fields {
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  /** Both day fields restricted: cron matches either (POSIX), otherwise both. */
  dayOr: boolean;
}

const cache = new Map<string, Fields>();

function fieldsOf(expression: string): Fields {
  let fields = cache.get(expression);
  if (fields) return fields;
  if (!cron.validate(expression)) {
    throw new CronExpressionError(`invalid cron expression "${expression}": use five fields, e.g. "0 9 * * 1" (Monday 09:00)`);
  }
  const parsed = cron.parse(expression);
  const numbers = (values: (number | string)[]) => new Set(values.filter((v): v is number => typeof v === 'number'));
  const dayOfMonth = numbers(parsed.dayOfMonth);
  const dayOfWeek = numbers(parsed.dayOfWeek);
  fields = {
    minute: new Set(parsed.minute),
    hour: new Set(parsed.hour),
    dayOfMonth,
    month: new Set(parsed.month),
    dayOfWeek,
    dayOr: dayOfMonth.size < 31 && dayOfWeek.size < 7,
  };
  cache.set(expression, fields);
  return fields;
}

export function assertCron(expression: string): void {
  fieldsOf(expression);
}

/** The first instant strictly after `after` (to the minute) at which `expression` fires in `timeZone`; null if none within ~4 years. */
export function nextRunAfter(expression: string, timeZone: string, after: Date): Date | null {
  const f = fieldsOf(expression);
  const start = zonedParts(new Date(after.getTime() + 60_000), timeZone);
  // Walk local calendar days, then the matching hours and minutes of each day.
  let day = Date.UTC(start.year, start.month - 1, start.day);
  for (let i = 0; i < 1500; i++, day += 86_400_000) {
    const d = new Date(day);
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth() + 1;
    const dom = d.getUTCDate();
    if (!f.month.has(month)) continue;
    const domOk = f.dayOfMonth.has(dom);
    const dowOk = f.dayOfWeek.has(d.getUTCDay());
    if (f.dayOr ? !(domOk || dowOk) : !(domOk && dowOk)) continue;
    const hours = [...f.hour].sort((a, b) => a - b);
    const minutes = [...f.minute].sort((a, b) => a - b);
    for (const hour of hours) {
      for (const minute of minutes) {
        const instant = zonedTimeToInstant({ year, month, day: dom, hour, minute }, timeZone);
        // A wall time skipped by a DST jump maps elsewhere: keep only exact matches.
        const back = zonedParts(instant, timeZone);
        if (back.hour !== hour || back.minute !== minute || back.day !== dom) continue;
        if (instant.getTime() > after.getTime()) return instant;
      }
    }
  }
  return null;
}
