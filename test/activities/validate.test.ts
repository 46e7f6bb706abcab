import { prepareInput } from '../../src/activities/input';
import { tariffRobot } from './robot-fixtures';

const moscow = { timeZone: 'Europe/Moscow' };

describe('input validation names the property in Russian and English', () => {
  it('reports a missing required select with its localized name and code', () => {
    const result = prepareInput(tariffRobot.properties, { managers: ['user_1'] }, moscow);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => issue.property)).toEqual(['tariff']);
    expect(result.message).toContain('Свойство «Тариф» (tariff): обязательное значение не задано');
    expect(result.message).toContain('Property "Tariff" (tariff): a required value is missing');
  });

  it('treats an empty required multiple property as missing', () => {
    const result = prepareInput(tariffRobot.properties, { tariff: 'basic', managers: '' }, moscow);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('Свойство «Менеджеры» (managers): обязательное значение не задано');
  });

  it('rejects a select value that is not an option, listing the options', () => {
    const result = prepareInput(tariffRobot.properties, { tariff: 'gold', managers: 'user_1' }, moscow);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('значение «gold» не из списка: basic, premium');
      expect(result.message).toContain('"gold" is not one of: basic, premium');
    }
  });

  it('rejects text where a number or a date is expected, quoting what came', () => {
    const result = prepareInput(tariffRobot.properties, { tariff: 'basic', managers: 'user_1', cost: 'дорого', start: '32.01.2025' }, moscow);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => issue.property)).toEqual(['cost', 'start']);
    expect(result.issues[0].ru).toBe('Свойство «Стоимость» (cost): ожидается число, получено «дорого»');
    expect(result.issues[1].en).toBe('Property "Start" (start): expected a date such as 31.12.2024, got "32.01.2025"');
  });

  it('points at the bad element of a multiple value', () => {
    const result = prepareInput(tariffRobot.properties, { tariff: 'basic', managers: ['user_1', 'Вася'] }, moscow);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].en).toContain('expected a user (user_5) (value #2), got "Вася"');
  });

  it('rejects several values for a single property', () => {
    const result = prepareInput(tariffRobot.properties, { tariff: ['basic', 'premium'], managers: 'user_1' }, moscow);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].ru).toContain('ожидается одно значение');
  });

  it('accepts good input and hands over typed values', () => {
    const result = prepareInput(tariffRobot.properties, { tariff: 'premium', managers: ['user_3', 'user_4'], cost: '4500.00', start: '01.02.2025' }, moscow);
    expect(result).toEqual({
      ok: true,
      input: { tariff: 'premium', managers: [3, 4], cost: 4500, start: new Date('2025-01-31T21:00:00.000Z') },
    });
  });
});
