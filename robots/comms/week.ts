/**
 * Weeks and days as the portal sees them (RULES.md: "dates use the portal's time zone"). The distribution is once per
 * ISO week (Monday to Sunday) in the portal's zone: Monday 00:30 in Moscow is already the new week even though a UTC
 * server still shows Sunday.
 */
import { fromWallTime, toWallTime } from '../../src/activities/time-zone';

const DAY_MS = 86_400_000;

export interface IsoWeek {
  /** The ISO week-numbering year (the year of the week's Thursday). */
  year: number;
  /** 1..53 */
  week: number;
}

/** The calendar day of an instant in the zone, as a UTC midnight (for day arithmetic free of DST). */
function wallDay(instant: Date, timeZone: string): Date {
  const wall = toWallTime(instant, timeZone);
  return new Date(Date.UTC(wall.year, wall.month - 1, wall.day));
}

export function isoWeekOf(instant: Date, timeZone: string): IsoWeek {
  const day = wallDay(instant, timeZone);
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(day.getTime() + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return { year, week };
}

/** `2025-W03`: the key of a week in the distribution state and in step names. */
export function weekKey(instant: Date, timeZone: string): string {
  const { year, week } = isoWeekOf(instant, timeZone);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The instant at `hour`:00 portal time, `days` days after the Monday of the instant's week. */
export function weekMoment(instant: Date, timeZone: string, days: number, hour: number): Date {
  const day = wallDay(instant, timeZone);
  const weekday = (day.getUTCDay() + 6) % 7;
  const target = new Date(day.getTime() + (days - weekday) * DAY_MS);
  return fromWallTime(
    { year: target.getUTCFullYear(), month: target.getUTCMonth() + 1, day: target.getUTCDate(), hour, minute: 0, second: 0, millisecond: 0 },
    timeZone,
  );
}

/** Monday 00:00 of the instant's week, portal time. */
export function weekStart(instant: Date, timeZone: string): Date {
  return weekMoment(instant, timeZone, 0, 0);
}

/** `days` whole days before `instant` (silence thresholds are measured in days of 24 h). */
export function daysBefore(instant: Date, days: number): Date {
  return new Date(instant.getTime() - days * DAY_MS);
}

export function daysAfter(instant: Date, days: number): Date {
  return new Date(instant.getTime() + days * DAY_MS);
}

/** Parses a REST date (ISO 8601 with offset, PROTOCOL §5.6); null when absent or not a date. */
export function parseRestDate(value: unknown): Date | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? null : raw;
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  const date = new Date(raw.trim());
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The latest of some dates; null when none is given. */
export function latest(...dates: Array<Date | null | undefined>): Date | null {
  let best: Date | null = null;
  for (const date of dates) if (date && (!best || date.getTime() > best.getTime())) best = date;
  return best;
}
