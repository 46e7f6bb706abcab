import { checkCompany, parseCost, PROBLEM } from '../../../robots/onboarding/check';
import { onboardingDefaults } from '../../../robots/onboarding/settings';

const settings = onboardingDefaults;

/** A company as crm.company.get returns it: every scalar a string (PROTOCOL §5.6). */
function company(fields: { tariff?: string; cost?: string | number; responsible?: string }): Record<string, unknown> {
  return {
    ID: '42',
    TITLE: 'ООО «Рога и копыта»',
    ASSIGNED_BY_ID: fields.responsible ?? '',
    UF_CRM_TARIFF_TYPE: fields.tariff ?? '',
    UF_CRM_TARIFF_COST: fields.cost ?? '',
    DATE_CREATE: '2025-01-31T23:30:00+03:00',
  };
}

describe('onboarding check: missing fields', () => {
  // Every combination of the three required fields, for an individual tariff (where cost is required).
  const cases: Array<[string, { tariff?: string; cost?: string; responsible?: string }, string[]]> = [
    ['nothing filled', {}, [PROBLEM.noTariff, PROBLEM.noResponsible]],
    ['only the tariff', { tariff: 'Индивидуальный' }, [PROBLEM.noResponsible, PROBLEM.noCost]],
    ['only the responsible', { responsible: '5' }, [PROBLEM.noTariff]],
    ['only the cost', { cost: '7000' }, [PROBLEM.noTariff, PROBLEM.noResponsible]],
    ['tariff and responsible, no cost', { tariff: 'Индивидуальный', responsible: '5' }, [PROBLEM.noCost]],
    ['tariff and cost, no responsible', { tariff: 'Индивидуальный', cost: '7000' }, [PROBLEM.noResponsible]],
    ['responsible and cost, no tariff', { responsible: '5', cost: '7000' }, [PROBLEM.noTariff]],
    ['everything filled', { tariff: 'Индивидуальный', responsible: '5', cost: '7000' }, []],
  ];

  it.each(cases)('%s → exactly the missing fields are listed', (_name, fields, expected) => {
    const result = checkCompany(company(fields), settings);
    expect(result.problems).toEqual(expected);
    expect(result.valid).toBe(expected.length === 0);
  });

  it('a responsible of "0" counts as no responsible', () => {
    const result = checkCompany(company({ tariff: 'Базовый', responsible: '0' }), settings);
    expect(result.problems).toEqual([PROBLEM.noResponsible]);
    expect(result.responsibleId).toBeNull();
  });

  it('a dismissed responsible is reported and leaves the company without one (the fallback user takes over)', () => {
    const result = checkCompany(company({ tariff: 'Базовый', responsible: '5' }), settings, { responsibleActive: false });
    expect(result.problems).toEqual([PROBLEM.inactiveResponsible]);
    expect(result.responsibleId).toBeNull();
  });

  it('a tariff of only spaces counts as missing', () => {
    expect(checkCompany(company({ tariff: '   ', responsible: '5' }), settings).problems).toEqual([PROBLEM.noTariff]);
  });
});

describe('onboarding check: cost', () => {
  it('a non-numeric cost must be a positive number', () => {
    const result = checkCompany(company({ tariff: 'Индивидуальный', responsible: '5', cost: 'пять тысяч' }), settings);
    expect(result.problems).toEqual(['Стоимость должна быть положительным числом']);
    expect(result.cost).toBeNull();
  });

  it.each(['0', '-3000', '0.00'])('a cost of %s is not positive', (cost) => {
    const result = checkCompany(company({ tariff: 'Индивидуальный', responsible: '5', cost }), settings);
    expect(result.problems).toEqual([PROBLEM.badCost]);
  });

  it('a cost that does not match the fixed tariff names both amounts', () => {
    const result = checkCompany(company({ tariff: 'Базовый', responsible: '5', cost: '5000' }), settings);
    expect(result.problems).toEqual(['Стоимость 5000 не совпадает с тарифом Базовый (3000)']);
  });

  it('a fixed tariff with its table price passes, also written as a decimal string', () => {
    const result = checkCompany(company({ tariff: 'Базовый', responsible: '5', cost: '3000.00' }), settings);
    expect(result).toMatchObject({ valid: true, problems: [], cost: 3000, responsibleId: 5 });
  });

  it('a fixed tariff needs no cost on the card', () => {
    const result = checkCompany(company({ tariff: 'Стандарт', responsible: '5' }), settings);
    expect(result.valid).toBe(true);
    expect(result.tariff).toEqual({ name: 'Стандарт', price: 6000 });
    expect(result.cost).toBeNull();
  });

  it('an individual tariff takes any positive cost', () => {
    const result = checkCompany(company({ tariff: 'Индивидуальный', responsible: '5', cost: '8750.5' }), settings);
    expect(result).toMatchObject({ valid: true, cost: 8750.5, tariff: { name: 'Индивидуальный', price: null } });
  });

  it('a non-numeric cost without a tariff reports both problems', () => {
    const result = checkCompany(company({ responsible: '5', cost: 'abc' }), settings);
    expect(result.problems).toEqual([PROBLEM.noTariff, PROBLEM.badCost]);
  });

  it('costs are read as people type them', () => {
    expect(parseCost('5 000,50')).toBe(5000.5);
    expect(parseCost(3000)).toBe(3000);
    expect(parseCost('300|RUB')).toBe(300);
    expect(parseCost('3e3')).toBeNaN();
    expect(parseCost('')).toBeNaN();
  });
});

describe('onboarding check: tariff table', () => {
  it('tariff names match case-insensitively and the title uses the table spelling', () => {
    const result = checkCompany(company({ tariff: ' премиум ', responsible: '5', cost: '12000' }), settings);
    expect(result.valid).toBe(true);
    expect(result.tariff?.name).toBe('Премиум');
  });

  it('an unknown tariff is reported with the allowed names', () => {
    const result = checkCompany(company({ tariff: 'Золотой', responsible: '5' }), settings);
    expect(result.problems).toEqual([
      'Неизвестный тип тарифа «Золотой» (допустимые: Базовый, Стандарт, Премиум, Индивидуальный)',
    ]);
  });

  it('a portal with its own field codes and prices is checked against them', () => {
    const own = {
      companyTariffField: 'UF_CRM_1700000000001',
      companyCostField: 'UF_CRM_1700000000002',
      tariffs: [
        { name: 'Эконом', price: 1500 },
        { name: 'Под ключ', price: null },
      ],
    };
    const fields = { ASSIGNED_BY_ID: '3', UF_CRM_1700000000001: 'Эконом', UF_CRM_1700000000002: '1600' };
    expect(checkCompany(fields, own).problems).toEqual(['Стоимость 1600 не совпадает с тарифом Эконом (1500)']);
  });
});
