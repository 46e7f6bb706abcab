/**
 * Wall-clock time in a portal's IANA time zone, computed with Intl only (no time-zone library).
 * Robot properties carry dates without an offset (PROTOCOL §2.5: culture format), so they are read as the portal's
 * local time; dates sent back carry the portal's offset so Bitrix24 stores the same instant.
 */

export interface WallTime {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

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
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True for a time zone name Intl knows, e.g. `Europe/Moscow`. */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time of an instant in a time zone. */
export function toWallTime(instant: Date, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour === 24 ? 0 : parts.hour,
    minute: parts.minute,
    second: parts.second,
    millisecond: instant.getUTCMilliseconds(),
  };
}

function wallAsUtc(wall: WallTime): number {
  const utc = new Date(0);
  utc.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  utc.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return utc.getTime();
}

/** Offset of the zone from UTC at an instant, in minutes (Moscow: +180). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const wall = toWallTime(instant, timeZone);
  return Math.round((wallAsUtc(wall) - instant.getTime()) / 60_000);
}

/**
 * The instant at which the zone's clocks show `wall`. Two passes settle DST edges; a wall time skipped by a
 * forward jump resolves to the instant after the jump.
 */
export function fromWallTime(wall: WallTime, timeZone: string): Date {
  const local = wallAsUtc(wall);
  const firstOffset = zoneOffsetMinutes(new Date(local), timeZone);
  let instant = local - firstOffset * 60_000;
  const secondOffset = zoneOffsetMinutes(new Date(instant), timeZone);
  if (secondOffset !== firstOffset) instant = local - secondOffset * 60_000;
  return new Date(instant);
}

/** Midnight of the instant's calendar day in the zone. */
export function startOfDay(instant: Date, timeZone: string): Date {
  const wall = toWallTime(instant, timeZone);
  return fromWallTime({ ...wall, hour: 0, minute: 0, second: 0, millisecond: 0 }, timeZone);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2024-12-31`: the calendar day of the instant in the zone. */
export function formatIsoDate(instant: Date, timeZone: string): string {
  const wall = toWallTime(instant, timeZone);
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
}

/** `2024-12-31T18:00:00+03:00`: ISO 8601 with the zone's offset, as REST returns dates (PROTOCOL §5.6). */
export function formatIsoDateTime(instant: Date, timeZone: string): string {
  const wall = toWallTime(instant, timeZone);
  const offset = zoneOffsetMinutes(instant, timeZone);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}
