import { monthKey, monthLabel, monthOf, parseMonthKey, parseRestDate, RU_MONTHS } from '../../../robots/onboarding/month';

describe('onboarding months', () => {
  it('a company created at 23:30 on 31 January in Moscow is a January client', () => {
    const created = parseRestDate('2025-01-31T23:30:00+03:00')!;
    expect(monthLabel(monthOf(created, 'Europe/Moscow'))).toBe('Январь 2025');
  });

  it('00:30 on 1 February in Moscow is February there but still January in UTC', () => {
    const created = parseRestDate('2025-02-01T00:30:00+03:00')!;
    expect(monthLabel(monthOf(created, 'Europe/Moscow'))).toBe('Февраль 2025');
    expect(monthLabel(monthOf(created, 'UTC'))).toBe('Январь 2025');
  });

  it('a REST date written with another offset is read in the portal zone', () => {
    // 07:30 on 1 February in Vladivostok (+10) is 00:30 in Moscow: February; 06:30 there is 23:30 in Moscow: January.
    expect(monthKey(monthOf(parseRestDate('2025-02-01T06:30:00+10:00')!, 'Europe/Moscow'))).toBe('2025-01');
    expect(monthKey(monthOf(parseRestDate('2025-02-01T07:30:00+10:00')!, 'Europe/Moscow'))).toBe('2025-02');
  });

  it('the new year turns at midnight of the portal zone', () => {
    const instant = new Date('2024-12-31T21:30:00Z');
    expect(monthLabel(monthOf(instant, 'Europe/Moscow'))).toBe('Январь 2025');
    expect(monthLabel(monthOf(instant, 'America/New_York'))).toBe('Декабрь 2024');
  });

  it('month names are nominative and capitalised', () => {
    expect(RU_MONTHS).toEqual([
      'Январь', 'Февраль', 'Март', 'Апрель', 'Май', 'Июнь', 'Июль', 'Август', 'Сентябрь', 'Октябрь', 'Ноябрь', 'Декабрь',
    ]);
  });

  it('month keys round-trip and reject nonsense', () => {
    expect(parseMonthKey('2025-03')).toEqual({ year: 2025, month: 3 });
    expect(parseMonthKey('2025-13')).toBeNull();
    expect(parseRestDate('')).toBeNull();
    expect(parseRestDate('not a date')).toBeNull();
  });
});
