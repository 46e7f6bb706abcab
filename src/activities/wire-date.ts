/**
 * A tolerant parser for the dates robots receive. Bitrix24 externalises date properties with `(string)` of its
 * Date/DateTime objects, i.e. in the portal's culture format, not ISO (PROTOCOL §2.5):
 * `31.12.2024`, `31.12.2024 18:00:00` (ru/de), `12/31/2024`, `12/31/2024 06:00:00 pm` (en); a literal typed by the
 * admin may arrive as ISO 8601. Values without an offset are the portal's local time.
 */
import { fromWallTime, startOfDay, type WallTime } from './time-zone';

export interface ParseDateOptions {
  /** IANA zone of the portal. */
  timeZone: string;
  /** `date` properties keep only the calendar day (midnight, portal time). */
  dateOnly?: boolean;
}

const TIME = String.raw`(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*([ap]\.?m\.?)?)?`;
const ISO = new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})${TIME}\s*(Z|[+-]\d{2}(?::?\d{2})?)?$`, 'i');
const DOTTED = new RegExp(String.raw`^(\d{1,2})\.(\d{1,2})\.(\d{4})${TIME}$`, 'i');
const SLASHED = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4})${TIME}$`, 'i');

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Builds a wall time from matched numbers, or null when a field is out of range (31.02.2024, 25:00). */
function wallTime(
  year: number,
  month: number,
  day: number,
  time: (string | undefined)[],
): WallTime | null {
  const [h, mi, s, fraction, meridiem] = time;
  let hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const millisecond = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  if (meridiem) {
    // 12-hour clock of the en culture: 12:xx am is just after midnight, 12:xx pm just after noon.
    if (hour < 1 || hour > 12) return null;
    const pm = meridiem.toLowerCase().startsWith('p');
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { year, month, day, hour, minute, second, millisecond };
}

function offsetMinutes(designator: string): number {
  if (designator.toUpperCase() === 'Z') return 0;
  const sign = designator[0] === '-' ? -1 : 1;
  const digits = designator.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  return sign * (hours * 60 + minutes);
}

/** Parses a wire date; null when the text is not a date in any accepted form. */
export function parseWireDate(text: string, options: ParseDateOptions): Date | null {
  const value = text.trim().replace(/\s+/g, ' ');
  let instant: Date | null = null;

  const iso = ISO.exec(value);
  if (iso) {
    const wall = wallTime(Number(iso[1]), Number(iso[2]), Number(iso[3]), iso.slice(4, 9));
    if (!wall) return null;
    const designator = iso[9];
    if (designator) {
      const utc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
      instant = new Date(utc - offsetMinutes(designator) * 60_000);
    } else {
      instant = fromWallTime(wall, options.timeZone);
    }
  }

  const dotted = iso ? null : DOTTED.exec(value);
  if (dotted) {
    const wall = wallTime(Number(dotted[3]), Number(dotted[2]), Number(dotted[1]), dotted.slice(4, 9));
    if (!wall) return null;
    instant = fromWallTime(wall, options.timeZone);
  }

  const slashed = iso || dotted ? null : SLASHED.exec(value);
  if (slashed) {
    let month = Number(slashed[1]);
    let day = Number(slashed[2]);
    // en culture is month first; a first number above 12 can only be a day (31/12/2024).
    if (month > 12 && day <= 12) [month, day] = [day, month];
    const wall = wallTime(Number(slashed[3]), month, day, slashed.slice(4, 9));
    if (!wall) return null;
    instant = fromWallTime(wall, options.timeZone);
  }

  if (!instant || Number.isNaN(instant.getTime())) return null;
  return options.dateOnly ? startOfDay(instant, options.timeZone) : instant;
}
