/**
 * Months as the onboarding rule names them: Russian, nominative, capitalised (`Январь 2025`, RULES.md "Common to all
 * robots"), and read in the portal's time zone, so a company created at 23:30 on 31 January in Moscow is a January
 * client even though a server in another zone may already be in February (or still in January for 00:30 Moscow).
 */
import { toWallTime } from '../../src/activities/time-zone';

export const RU_MONTHS = [
  'Январь',
  'Февраль',
  'Март',
  'Апрель',
  'Май',
  'Июнь',
  'Июль',
  'Август',
  'Сентябрь',
  'Октябрь',
  'Ноябрь',
  'Декабрь',
] as const;

export interface Month {
  year: number;
  /** 1..12 */
  month: number;
}

export function monthOf(instant: Date, timeZone: string): Month {
  const parts = toWallTime(instant, timeZone);
  return { year: parts.year, month: parts.month };
}

/** `Январь 2025` */
export function monthLabel(month: Month): string {
  return `${RU_MONTHS[month.month - 1]} ${month.year}`;
}

/** `2025-01`: sortable, used in lock names and report rows. */
export function monthKey(month: Month): string {
  return `${String(month.year).padStart(4, '0')}-${String(month.month).padStart(2, '0')}`;
}

export function parseMonthKey(key: string): Month | null {
  const match = /^(\d{4})-(\d{2})$/.exec(key);
  if (!match) return null;
  const month = Number(match[2]);
  return month >= 1 && month <= 12 ? { year: Number(match[1]), month } : null;
}

/** Parses a REST date (ISO 8601 with offset, PROTOCOL §5.6); null when absent or not a date. */
export function parseRestDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
