/**
 * Wall-clock parts of an instant in an IANA time zone, with Intl only.
 * Portals live in their own time zones: the month a client joined, Monday 09:00 of a schedule and
 * culture-format dates are all read in the portal's zone (RULES.md: "dates use the portal's time zone").
 */

export interface ZonedParts {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday, as in cron. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws a RangeError naming the zone when it is not a valid IANA time zone. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatterFor(timeZone);
  } catch {
    throw new RangeError(`unknown time zone "${timeZone}": use an IANA name such as Europe/Moscow`);
  }
}

/** Raw wall clock from Intl (slow: used once per zone and quarter hour, see zoneOffsetMinutes). */
function intlParts(instant: Date, timeZone: string): ZonedParts {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday],
  };
}

// Offsets only change on a quarter hour (UTC) in every zone of the tz database, so one Intl call per zone and
// quarter hour is enough; formatToParts dominated the sandbox's time when every date went through it.
const QUARTER_HOUR = 15 * 60_000;
const offsetCache = new Map<string, number>();

/** Offset of the zone from UTC at that instant, in minutes (Moscow: +180). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const bucket = Math.floor(instant.getTime() / QUARTER_HOUR);
  const key = `${timeZone}|${bucket}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    const at = new Date(bucket * QUARTER_HOUR);
    const p = intlParts(at, timeZone);
    offset = Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - at.getTime()) / 60000);
    if (offsetCache.size > 50_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  const wall = new Date(instant.getTime() + zoneOffsetMinutes(instant, timeZone) * 60000);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: wall.getUTCDay(),
  };
}

/** The instant at which the wall clock of `timeZone` shows the given local time. */
export function zonedTimeToInstant(
  local: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number },
  timeZone: string,
): Date {
  const guess = Date.UTC(local.year, local.month - 1, local.day, local.hour ?? 0, local.minute ?? 0, local.second ?? 0);
  return wallClockMsToInstant(guess, timeZone);
}

/**
 * The instant at which the zone's clocks show the wall time `wallMs` (that wall time read as if it were UTC, in
 * epoch milliseconds). Two passes settle the offset around DST changes; a wall time skipped by a forward jump
 * resolves to the instant after the jump.
 */
export function wallClockMsToInstant(wallMs: number, timeZone: string): Date {
  let instant = wallMs - zoneOffsetMinutes(new Date(wallMs), timeZone) * 60000;
  instant = wallMs - zoneOffsetMinutes(new Date(instant), timeZone) * 60000;
  return new Date(instant);
}

/** ISO 8601 with the zone's offset, as Bitrix24 REST writes dates (`2024-07-18T14:00:14+03:00`). */
export function toZonedIso(instant: Date, timeZone: string): string {
  const p = zonedParts(instant, timeZone);
  const offset = zoneOffsetMinutes(instant, timeZone);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}
