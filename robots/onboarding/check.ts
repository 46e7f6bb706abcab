/**
 * The onboarding data check (RULES.md §A), as a pure function: a company's fields in, the exact Russian list of
 * what to fill in or fix out. No REST here, so every combination is unit-tested.
 *
 * Required: tariff type, responsible, and the cost when the tariff is individual. A cost that is given must be a
 * positive number, and for a fixed tariff it must equal the tariff table's price.
 */
import type { OnboardingSettings, TariffTable } from './settings';

export interface Tariff {
  /** The name as written in the tariff table (used in the deal title). */
  name: string;
  /** Price of a fixed tariff; null for an individual one. */
  price: number | null;
}

export interface CheckResult {
  valid: boolean;
  /** Russian, one line per problem, in a stable order: tariff, responsible, cost. */
  problems: string[];
  tariff: Tariff | null;
  /** The cost as a number when it is a valid positive number, else null. */
  cost: number | null;
  /** ASSIGNED_BY_ID when set (and, if known, an active user), else null. */
  responsibleId: number | null;
}

export const PROBLEM = {
  noTariff: 'Не указан тип тарифа',
  noResponsible: 'Не указан ответственный',
  inactiveResponsible: 'Ответственный уволен или не найден: назначьте действующего сотрудника',
  noCost: 'Не указана стоимость (обязательна для индивидуального тарифа)',
  badCost: 'Стоимость должна быть положительным числом',
} as const;

const isBlank = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);

/** Bitrix24 returns a single-value field as a scalar, a multiple one as an array: take the first value. */
function scalar(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/** Case-insensitive lookup in the tariff table (RULES: keyword matches are case-insensitive). */
export function findTariff(tariffs: TariffTable, value: unknown): Tariff | null {
  const wanted = String(scalar(value) ?? '').trim().toLocaleLowerCase('ru');
  if (!wanted) return null;
  const row = tariffs.find((tariff) => tariff.name.trim().toLocaleLowerCase('ru') === wanted);
  return row ? { name: row.name, price: row.price } : null;
}

/** Parses a cost as a person would type it: `5000`, `5000.00`, `5 000,50`. NaN when it is not a number. */
export function parseCost(value: unknown): number {
  const raw = scalar(value);
  if (typeof raw === 'number') return raw;
  // A money user field comes as "300|RUB" (b24-docs crm-item-add example): keep the amount.
  const text = String(raw ?? '').split('|')[0].replace(/[\s\u00a0]/g, '').replace(',', '.');
  return /^[-+]?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
}

/** 3000 → "3000", 3000.5 → "3000.5": how the cost appears in the problem text. */
export function formatCost(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

function responsibleOf(value: unknown): number | null {
  const id = Number(scalar(value));
  return Number.isInteger(id) && id > 0 ? id : null;
}

export function checkCompany(
  company: Record<string, unknown>,
  settings: Pick<OnboardingSettings, 'companyTariffField' | 'companyCostField' | 'tariffs'>,
  /** Whether the responsible is an active user, when the caller asked the portal (`user.get`). */
  facts: { responsibleActive?: boolean | null } = {},
): CheckResult {
  const problems: string[] = [];
  const tariffValue = company[settings.companyTariffField];
  const costValue = company[settings.companyCostField];

  let tariff: Tariff | null = null;
  if (isBlank(tariffValue)) {
    problems.push(PROBLEM.noTariff);
  } else {
    tariff = findTariff(settings.tariffs, tariffValue);
    if (!tariff) {
      const known = settings.tariffs.map((row) => row.name).join(', ');
      problems.push(`Неизвестный тип тарифа «${String(scalar(tariffValue)).trim()}» (допустимые: ${known})`);
    }
  }

  let responsibleId = responsibleOf(company.ASSIGNED_BY_ID);
  if (responsibleId === null) {
    problems.push(PROBLEM.noResponsible);
  } else if (facts.responsibleActive === false) {
    problems.push(PROBLEM.inactiveResponsible);
    responsibleId = null;
  }

  let cost: number | null = null;
  if (isBlank(costValue)) {
    if (tariff && tariff.price === null) problems.push(PROBLEM.noCost);
  } else {
    const parsed = parseCost(costValue);
    if (!Number.isFinite(parsed) || parsed <= 0) {
      problems.push(PROBLEM.badCost);
    } else {
      cost = parsed;
      if (tariff && tariff.price !== null && Math.abs(parsed - tariff.price) > 0.005) {
        problems.push(`Стоимость ${formatCost(parsed)} не совпадает с тарифом ${tariff.name} (${formatCost(tariff.price)})`);
      }
    }
  }

  return { valid: problems.length === 0, problems, tariff, cost, responsibleId };
}
