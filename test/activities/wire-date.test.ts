import { parseWireDate } from '../../src/activities/wire-date';
import { formatIsoDateTime, fromWallTime, zoneOffsetMinutes } from '../../src/activities/time-zone';

const moscow = { timeZone: 'Europe/Moscow' };
const vladivostok = { timeZone: 'Asia/Vladivostok' };

describe('culture-format dates are read in the portal time zone (PROTOCOL §2.5)', () => {
  it('reads the ru datetime 31.12.2024 18:00:00 as 18:00 Moscow time on a Moscow portal', () => {
    expect(parseWireDate('31.12.2024 18:00:00', moscow)?.toISOString()).toBe('2024-12-31T15:00:00.000Z');
  });

  it('reads the same text as 18:00 Vladivostok time on a Vladivostok portal, seven hours earlier', () => {
    expect(parseWireDate('31.12.2024 18:00:00', vladivostok)?.toISOString()).toBe('2024-12-31T08:00:00.000Z');
  });

  it('reads the en culture 12/31/2024 06:00:00 pm as 18:00 local time', () => {
    expect(parseWireDate('12/31/2024 06:00:00 pm', moscow)?.toISOString()).toBe('2024-12-31T15:00:00.000Z');
    expect(parseWireDate('12/31/2024 11:59:59 pm', vladivostok)?.toISOString()).toBe('2024-12-31T13:59:59.000Z');
  });

  it('reads 12 am as midnight and 12 pm as noon', () => {
    expect(parseWireDate('01/15/2025 12:00:00 am', { timeZone: 'UTC' })?.toISOString()).toBe('2025-01-15T00:00:00.000Z');
    expect(parseWireDate('01/15/2025 12:30:00 pm', { timeZone: 'UTC' })?.toISOString()).toBe('2025-01-15T12:30:00.000Z');
  });

  it('reads a date-only value as midnight of that day in the portal zone', () => {
    expect(parseWireDate('31.12.2024', moscow)?.toISOString()).toBe('2024-12-30T21:00:00.000Z');
    expect(parseWireDate('12/31/2024', vladivostok)?.toISOString()).toBe('2024-12-30T14:00:00.000Z');
  });

  it('keeps only the calendar day for date properties', () => {
    expect(parseWireDate('31.12.2024 18:00:00', { ...moscow, dateOnly: true })?.toISOString()).toBe('2024-12-30T21:00:00.000Z');
  });

  it('reads ISO 8601 with an offset as that instant, and without one as portal time', () => {
    expect(parseWireDate('2024-07-18T14:00:14+02:00', vladivostok)?.toISOString()).toBe('2024-07-18T12:00:14.000Z');
    expect(parseWireDate('2024-12-31T18:00:00Z', moscow)?.toISOString()).toBe('2024-12-31T18:00:00.000Z');
    expect(parseWireDate('2024-12-31 18:00', moscow)?.toISOString()).toBe('2024-12-31T15:00:00.000Z');
    expect(parseWireDate('2024-12-31', moscow)?.toISOString()).toBe('2024-12-30T21:00:00.000Z');
  });

  it('takes a first number above 12 in a slashed date as the day (31/12/2024)', () => {
    expect(parseWireDate('31/12/2024', { timeZone: 'UTC' })?.toISOString()).toBe('2024-12-31T00:00:00.000Z');
  });

  it('rejects impossible dates and text that is not a date', () => {
    for (const text of ['31.02.2024', '13/13/2024', '31.12.2024 25:00:00', 'завтра', '', '2024-13-01', '12/31/2024 13:00 pm']) {
      expect(parseWireDate(text, moscow)).toBeNull();
    }
  });

  it('handles daylight saving: 2024-03-31 02:30 does not exist in Berlin and moves past the jump', () => {
    const berlin = { timeZone: 'Europe/Berlin' };
    expect(parseWireDate('30.03.2024 12:00:00', berlin)?.toISOString()).toBe('2024-03-30T11:00:00.000Z');
    expect(parseWireDate('01.04.2024 12:00:00', berlin)?.toISOString()).toBe('2024-04-01T10:00:00.000Z');
    const skipped = parseWireDate('31.03.2024 02:30:00', berlin);
    expect(skipped).not.toBeNull();
    expect(zoneOffsetMinutes(skipped as Date, 'Europe/Berlin')).toBe(120);
  });
});

describe('dates go back with the portal offset', () => {
  it('formats an instant as ISO 8601 with the zone offset', () => {
    const instant = fromWallTime({ year: 2024, month: 12, day: 31, hour: 18, minute: 0, second: 0, millisecond: 0 }, 'Asia/Vladivostok');
    expect(formatIsoDateTime(instant, 'Asia/Vladivostok')).toBe('2024-12-31T18:00:00+10:00');
    expect(formatIsoDateTime(instant, 'Europe/Moscow')).toBe('2024-12-31T11:00:00+03:00');
  });
});
