import { formatCulture, formatIso, parseDateInput, toStoredDate, toStoredDateTime } from '../../../src/sandbox/data/dates';

const MSK = 'Europe/Moscow';

describe('dates as the portal reads and prints them', () => {
  test('stored UTC datetimes print as ISO 8601 with the portal offset (PROTOCOL §5.6)', () => {
    expect(formatIso('2024-07-18T12:00:14Z', MSK)).toBe('2024-07-18T15:00:14+03:00');
    expect(formatIso('2024-07-18T12:00:14Z', 'Europe/Berlin')).toBe('2024-07-18T14:00:14+02:00');
    expect(formatIso('2024-01-18T12:00:14Z', 'Europe/Berlin')).toBe('2024-01-18T13:00:14+01:00');
    expect(formatIso('2024-07-18T12:00:14Z', 'America/New_York')).toBe('2024-07-18T08:00:14-04:00');
    expect(formatIso(null, MSK)).toBeNull();
  });

  test('date-only fields print as the local midnight (crm.item begindate style)', () => {
    expect(formatIso('2024-06-18', 'Europe/Berlin')).toBe('2024-06-18T00:00:00+02:00');
  });

  test('inputs: ISO with and without offset, plain dates, ru and en culture formats', () => {
    expect(parseDateInput('2025-12-31T23:59:59+02:00', MSK)).toBe(Date.UTC(2025, 11, 31, 21, 59, 59));
    expect(parseDateInput('2025-12-31T23:59:59', MSK)).toBe(Date.UTC(2025, 11, 31, 20, 59, 59));
    expect(parseDateInput('2024-12-31 23:59:59', MSK)).toBe(Date.UTC(2024, 11, 31, 20, 59, 59));
    expect(parseDateInput('31.12.2024 18:00:00', MSK)).toBe(Date.UTC(2024, 11, 31, 15, 0, 0));
    expect(parseDateInput('12/31/2024 11:59:59 pm', MSK)).toBe(Date.UTC(2024, 11, 31, 20, 59, 59));
    expect(parseDateInput('12/31/2024 12:00:00 am', MSK)).toBe(Date.UTC(2024, 11, 30, 21, 0, 0));
    expect(parseDateInput('not a date', MSK)).toBeNull();
    expect(parseDateInput('31.13.2024', MSK)).toBeNull();
  });

  test('stored forms keep seconds precision and the portal calendar day', () => {
    expect(toStoredDateTime('2025-03-10T12:00:00.750+03:00', MSK)).toBe('2025-03-10T09:00:00Z');
    // 23:30 UTC on the 9th is already the 10th in Moscow
    expect(toStoredDate('2025-03-09T23:30:00Z', MSK)).toBe('2025-03-10');
  });

  test('culture format of lists.element.get: ru 31.12.2024 23:59:59, en 12/31/2024 11:59:59 pm', () => {
    const ms = Date.UTC(2024, 11, 31, 20, 59, 59);
    expect(formatCulture(ms, MSK, 'ru', true)).toBe('31.12.2024 23:59:59');
    expect(formatCulture(ms, MSK, 'en', true)).toBe('12/31/2024 11:59:59 pm');
    expect(formatCulture(ms, MSK, 'ru', false)).toBe('31.12.2024');
  });
});
