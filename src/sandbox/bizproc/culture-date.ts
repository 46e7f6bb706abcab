/**
 * Dates as `(string)` of `Main\Type\Date`/`DateTime` print them: the portal's culture format in the portal's time
 * zone (PROTOCOL §2.5): ru `31.12.2024` / `31.12.2024 18:00:00`, en `12/31/2024` / `12/31/2024 06:00:00 pm`.
 */
import { zonedParts, zonedTimeToInstant, type ZonedParts } from '../../util/zoned-time';
import type { Culture } from '../data/dates';

export type { Culture };

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

type WallClock = Omit<ZonedParts, 'weekday'>;

function formatWallClock(p: WallClock, culture: Culture, withTime: boolean): string {
  if (culture === 'en') {
    const date = `${pad(p.month)}/${pad(p.day)}/${pad(p.year, 4)}`;
    if (!withTime) return date;
    const hour12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
    return `${date} ${pad(hour12)}:${pad(p.minute)}:${pad(p.second)} ${p.hour < 12 ? 'am' : 'pm'}`;
  }
  const date = `${pad(p.day)}.${pad(p.month)}.${pad(p.year, 4)}`;
  return withTime ? `${date} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}` : date;
}

export function formatCultureDate(instant: Date, culture: Culture, timeZone: string, withTime: boolean): string {
  return formatWallClock(zonedParts(instant, timeZone), culture, withTime);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A date value as the designer or a document holds it, externalised for a `date`/`datetime` property.
 * ISO strings and Date objects are converted; any other string (a literal the admin typed) passes unchanged.
 */
export function externalizeDate(value: unknown, culture: Culture, timeZone: string, withTime: boolean): string {
  if (value instanceof Date) return formatCultureDate(value, culture, timeZone, withTime);
  const text = String(value);
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) {
    const [year, month, day] = dateOnly.slice(1).map(Number);
    return formatWallClock({ year, month, day, hour: 0, minute: 0, second: 0 }, culture, withTime);
  }
  const iso = ISO_DATETIME.exec(text);
  if (!iso) return text;
  const [year, month, day, hour, minute] = iso.slice(1, 6).map(Number);
  const second = Number(iso[6] ?? 0);
  const instant = iso[7]
    ? new Date(text.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))
    : zonedTimeToInstant({ year, month, day, hour, minute, second }, timeZone); // no offset: portal wall clock
  if (Number.isNaN(instant.getTime())) return text;
  return formatCultureDate(instant, culture, timeZone, withTime);
}
