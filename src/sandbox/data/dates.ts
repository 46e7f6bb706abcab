/**
 * Dates in the data part. Stored as UTC ISO strings (datetimes) or `YYYY-MM-DD` (date-only fields); printed as
 * ISO 8601 with the portal's offset (PROTOCOL §5.6), except `lists.element.get` property values and robot
 * properties, which use the portal's culture format (`31.12.2024 23:59:59` ru, `12/31/2024 11:59:59 pm` en).
 */
import { wallClockMsToInstant, zoneOffsetMinutes } from '../../util/zoned-time';

export type Culture = 'ru' | 'en';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

// module-level helpers: tsx/esbuild wraps inner named functions in __name() on every call, which is slow here
function two(n: number): string {
  return n < 10 ? '0' + n : '' + n;
}

/**
 * Civil date and time of an epoch ms in UTC by arithmetic (Howard Hinnant's days-to-civil), `YYYY-MM-DDTHH:MM:SS`.
 * Date#toISOString is much slower under jest's VM sandbox, and the seed stamps tens of thousands of records.
 */
function utcText(ms: number): string {
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86400);
  const sod = secs - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const h = Math.floor(sod / 3600);
  const mi = Math.floor((sod % 3600) / 60);
  const sec = sod % 60;
  return (y >= 1000 ? '' + y : pad(y, 4)) + '-' + two(m) + '-' + two(d) + 'T' + two(h) + ':' + two(mi) + ':' + two(sec);
}

/** The zone's offset from UTC at `ms`, in ms (util/zoned-time caches it per quarter hour: Intl is slow). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  return zoneOffsetMinutes(new Date(ms), timeZone) * 60_000;
}

function isoWithOffset(ms: number, timeZone: string): string {
  const offset = zoneOffsetMs(ms, timeZone);
  const local = utcText(ms + offset);
  const abs = Math.abs(offset) / 60_000;
  return `${local}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `2024-07-18T14:00:14+02:00` for a stored value (UTC ISO, epoch ms, or `YYYY-MM-DD` as local midnight). */
export function formatIso(value: string | number | null | undefined, timeZone: string): string | null {
  const ms = storedToMs(value, timeZone);
  return ms === null ? null : isoWithOffset(ms, timeZone);
}

/** Epoch ms of a stored value; date-only strings are midnight in the portal's zone. */
export function storedToMs(value: string | number | null | undefined, timeZone: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return value;
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (dateOnly) return zonedToMs(+dateOnly[1], +dateOnly[2], +dateOnly[3], 0, 0, 0, timeZone);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** The instant of a wall-clock time in a zone (handles DST by re-checking the offset at the result). */
export function zonedToMs(y: number, mo: number, d: number, h: number, mi: number, s: number, timeZone: string): number {
  return wallClockMsToInstant(Date.UTC(y, mo - 1, d, h, mi, s), timeZone).getTime();
}

/** Wall-clock parts of an instant in a zone. */
export function wallParts(ms: number, timeZone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const [y, mo, d, h, mi, s] = utcText(ms + zoneOffsetMs(ms, timeZone)).split(/[-T:]/).map(Number);
  return { y, mo, d, h, mi, s };
}

/** `YYYY-MM-DD` of an instant in the portal's zone. */
export function localDate(ms: number, timeZone: string): string {
  return utcText(ms + zoneOffsetMs(ms, timeZone)).slice(0, 10);
}

/**
 * Parses a date the way the portal accepts it in fields and filters: ISO 8601 with or without an offset (without
 * one it is portal time), `YYYY-MM-DD[ HH:MM[:SS]]`, the ru culture format `DD.MM.YYYY[ HH:MM[:SS]]` and the en one
 * `MM/DD/YYYY[ hh:mm[:ss] am|pm]`. Returns epoch ms, or null when the text is not a date.
 */
export function parseDateInput(value: unknown, timeZone: string): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
  if (m) {
    if (m[7]) {
      const ms = Date.parse(text.replace(' ', 'T'));
      return Number.isNaN(ms) ? null : ms;
    }
    return wallToMs(+m[1], +m[2], +m[3], m[4], m[5], m[6], undefined, timeZone);
  }
  m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (m) return wallToMs(+m[3], +m[2], +m[1], m[4], m[5], m[6], undefined, timeZone);
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?)?$/i.exec(text);
  if (m) return wallToMs(+m[3], +m[1], +m[2], m[4], m[5], m[6], m[7], timeZone);
  return null;
}

function wallToMs(
  y: number,
  mo: number,
  d: number,
  h: string | undefined,
  mi: string | undefined,
  s: string | undefined,
  ampm: string | undefined,
  timeZone: string,
): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  let hour = h === undefined ? 0 : +h;
  if (ampm) {
    const pm = ampm.toLowerCase() === 'pm';
    if (hour === 12) hour = pm ? 12 : 0;
    else if (pm) hour += 12;
  }
  const minute = mi === undefined ? 0 : +mi;
  const second = s === undefined ? 0 : +s;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return zonedToMs(y, mo, d, hour, minute, second, timeZone);
}

/** A stored datetime (UTC ISO, seconds precision) from any accepted input, or null. */
export function toStoredDateTime(value: unknown, timeZone: string): string | null {
  const ms = parseDateInput(value, timeZone);
  return ms === null ? null : msToStored(ms);
}

/** A stored date (`YYYY-MM-DD`, portal calendar day) from any accepted input, or null. */
export function toStoredDate(value: unknown, timeZone: string): string | null {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value.trim())) return value.trim();
  const ms = parseDateInput(value, timeZone);
  return ms === null ? null : localDate(ms, timeZone);
}

/** The instant as a stored datetime. */
let lastMs = NaN;
let lastStored = '';

export function msToStored(ms: number): string {
  // writes stamp the same "now" many times in a row (createdTime, updatedTime, movedTime…)
  if (ms !== lastMs) {
    lastMs = ms;
    lastStored = utcText(ms) + 'Z';
  }
  return lastStored;
}

/**
 * Culture format of `CDatabase::FormatDate`: ru `31.12.2024 23:59:59` / `31.12.2024`, en `12/31/2024 11:59:59 pm`
 * / `12/31/2024` (b24-docs lists.element.get example: `"12/31/2024 11:59:59 pm"`).
 */
export function formatCulture(ms: number, timeZone: string, culture: Culture, withTime: boolean): string {
  const p = wallParts(ms, timeZone);
  if (culture === 'en') {
    const date = `${pad(p.mo)}/${pad(p.d)}/${p.y}`;
    if (!withTime) return date;
    const h12 = p.h % 12 === 0 ? 12 : p.h % 12;
    return `${date} ${pad(h12)}:${pad(p.mi)}:${pad(p.s)} ${p.h < 12 ? 'am' : 'pm'}`;
  }
  const date = `${pad(p.d)}.${pad(p.mo)}.${p.y}`;
  return withTime ? `${date} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}` : date;
}
