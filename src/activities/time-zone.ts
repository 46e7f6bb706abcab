/**
 * Wall-clock time in a portal's IANA time zone, computed with Intl only (no time-zone library).
 * Robot properties carry dates without an offset (PROTOCOL §2.5: culture format), so they are read as the portal's
 * local time; dates sent back carry the portal's offset so Bitrix24 stores the same instant.
 */
import {
  assertTimeZone,
  toZonedIso,
  wallClockMsToInstant,
  zonedParts,
  zoneOffsetMinutes,
  type ZonedParts,
} from '../util/zoned-time';

/** A zone's wall clock (month 1..12) down to the millisecond. */
export interface WallTime extends Omit<ZonedParts, 'weekday'> {
  millisecond: number;
}

/** True for a time zone name Intl knows, e.g. `Europe/Moscow`. */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    assertTimeZone(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time of an instant in a time zone. */
export function toWallTime(instant: Date, timeZone: string): WallTime {
  const { year, month, day, hour, minute, second } = zonedParts(instant, timeZone);
  return { year, month, day, hour, minute, second, millisecond: instant.getUTCMilliseconds() };
}

function wallAsUtc(wall: WallTime): number {
  const utc = new Date(0);
  utc.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  utc.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return utc.getTime();
}

export { zoneOffsetMinutes };

/**
 * The instant at which the zone's clocks show `wall`. Two passes settle DST edges; a wall time skipped by a
 * forward jump resolves to the instant after the jump.
 */
export function fromWallTime(wall: WallTime, timeZone: string): Date {
  return wallClockMsToInstant(wallAsUtc(wall), timeZone);
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
  return toZonedIso(instant, timeZone);
}
