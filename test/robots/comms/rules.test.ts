/**
 * The small rules behind the comms robots: weeks in the portal's zone, absence marks in the managers list, the
 * silence verdict, and the settings module.
 */
import { resolveSettings, SettingsError } from '../../../src/activities/settings';
import { silenceVerdict } from '../../../robots/comms/contact';
import { isMarkedAbsent, propertyValues, userIdOf } from '../../../robots/comms/managers';
import { commsDefaults, commsSettings } from '../../../robots/comms/settings';
import { weekKey, weekMoment } from '../../../robots/comms/week';

const DAY = 86_400_000;

describe('weeks in the portal time zone', () => {
  it('Monday 00:30 in Moscow is already the new ISO week while UTC still shows Sunday', () => {
    const instant = new Date('2025-03-02T21:30:00Z');
    expect(weekKey(instant, 'Europe/Moscow')).toBe('2025-W10');
    expect(weekKey(instant, 'UTC')).toBe('2025-W09');
  });

  it('the ISO week of 1 January can belong to the previous year', () => {
    expect(weekKey(new Date('2027-01-01T12:00:00Z'), 'Europe/Moscow')).toBe('2026-W53');
  });

  it('a call task is due on Friday 18:00 portal time', () => {
    expect(weekMoment(new Date('2025-03-05T10:00:00Z'), 'Europe/Moscow', 4, 18).toISOString()).toBe('2025-03-07T15:00:00.000Z');
  });
});

describe('absence marks in the managers list', () => {
  it('reads values keyed by value-row id, and user ids with or without user_', () => {
    expect(propertyValues({ '1003': '51' })).toEqual(['51']);
    expect(userIdOf({ '1001': 'user_7' })).toBe(7);
    expect(userIdOf({})).toBeNull();
  });

  it('a flag marks absence while set; «Нет» or an empty value does not', () => {
    expect(isMarkedAbsent({ '1002': '51' }, '2025-03-05')).toBe(true);
    expect(isMarkedAbsent({ '1002': 'Да' }, '2025-03-05')).toBe(true);
    expect(isMarkedAbsent({ '1002': 'Нет' }, '2025-03-05')).toBe(false);
    expect(isMarkedAbsent(undefined, '2025-03-05')).toBe(false);
  });

  it('dates mean a period: «по» a date, or «с … по …», in culture format', () => {
    expect(isMarkedAbsent({ 1: '07.03.2025' }, '2025-03-05')).toBe(true);
    expect(isMarkedAbsent({ 1: '04.03.2025' }, '2025-03-05')).toBe(false);
    expect(isMarkedAbsent({ 1: '03/10/2025', 2: '03/20/2025' }, '2025-03-05')).toBe(false);
    expect(isMarkedAbsent({ 1: '01.03.2025', 2: '10.03.2025' }, '2025-03-05')).toBe(true);
  });
});

describe('silence verdict', () => {
  const now = new Date('2025-03-05T09:00:00Z');
  const created = new Date(now.getTime() - 400 * DAY);

  it('89 days since the last contact is not silent, 91 is, 90 exactly is', () => {
    expect(silenceVerdict({ created }, new Date(now.getTime() - 89 * DAY), now, 90).silent).toBe(false);
    expect(silenceVerdict({ created }, new Date(now.getTime() - 91 * DAY), now, 90).silent).toBe(true);
    expect(silenceVerdict({ created }, new Date(now.getTime() - 90 * DAY), now, 90).silent).toBe(true);
  });

  it('the next check is the last contact + N days, or N days from now once the company got its deal', () => {
    const last = new Date(now.getTime() - 10 * DAY);
    expect(silenceVerdict({ created }, last, now, 90).nextCheck.getTime()).toBe(last.getTime() + 90 * DAY);
    expect(silenceVerdict({ created }, null, now, 90).nextCheck.getTime()).toBe(now.getTime() + 90 * DAY);
  });
});

describe('comms settings', () => {
  it('a portal with nothing stored gets the seed defaults', () => {
    expect(resolveSettings(commsSettings, undefined)).toEqual(commsDefaults);
  });

  it('a portal switching to a department stores only what differs', () => {
    const settings = resolveSettings(commsSettings, { managers: { source: 'department', departmentId: 7 } });
    expect(settings.managers).toMatchObject({ source: 'department', departmentId: 7, iblockCode: 'managers' });
  });

  it.each([
    [{ silenceDays: 0 }, 'comms.silenceDays'],
    [{ perManager: 0 }, 'comms.perManager'],
    [{ lastContactField: 'uf last' }, 'comms.lastContactField'],
    [{ managers: { source: 'ldap' } }, 'comms.managers.source'],
  ])('a bad value is rejected naming its key (%j)', (stored, key) => {
    expect(() => resolveSettings(commsSettings, stored)).toThrow(SettingsError);
    expect(() => resolveSettings(commsSettings, stored)).toThrow(key);
  });
});
