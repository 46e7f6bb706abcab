/**
 * Dates as the portal prints them: ISO 8601 with the portal's UTC offset, seconds precision
 * (`2024-08-29T10:34:19+03:00`, PROTOCOL §5.6 and the `time` object in b24-docs/api-reference/data-types.md).
 */
import { toZonedIso, zoneOffsetMinutes } from '../util/zoned-time';

export { assertTimeZone } from '../util/zoned-time';

/** The zone's offset from UTC at that moment, in seconds (Moscow: 10800). */
export function offsetSeconds(date: Date, timeZone: string): number {
  return zoneOffsetMinutes(date, timeZone) * 60;
}

/** `2024-08-29T10:34:19+03:00` in the given zone. */
export function isoWithOffset(date: Date, timeZone: string): string {
  return toZonedIso(date, timeZone);
}
