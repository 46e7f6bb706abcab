/**
 * Onboarding reports (RULES.md §A, seed 004 «Отчётность»): new clients per month split by tariff, and how long each
 * responsible took from the company's creation to complete data. Computed from REST data only (companies, the
 * onboarding deals, the check's reminder tasks), so the CLI and the app page read the same numbers.
 */
import { findTariff, checkCompany } from '../../robots/onboarding/check';
import { monthKey, monthLabel, monthOf, parseRestDate } from '../../robots/onboarding/month';
import { resolveCategoryId } from '../../robots/onboarding/pipeline';
import { withDefaults, type OnboardingSettings } from '../../robots/onboarding/settings';
import { isOpen, toReminderTask, type ReminderTask } from '../../robots/onboarding/task';
import { isRobotError } from '../activities/robot-error';
import { formatIsoDateTime } from '../activities/time-zone';
import type { B24 } from '../bitrix/types';
import type { Column } from './format';
import type { ReportRange } from './range';

export interface NewClientsRow {
  /** `2025-01` */
  month: string;
  /** `Январь 2025` */
  monthLabel: string;
  tariff: string;
  companies: number;
  deals: number;
}

export interface CompletionRow {
  responsibleId: number | null;
  responsible: string;
  companies: number;
  completeAtOnce: number;
  completedLater: number;
  pending: number;
  /** Hours from creation to complete data, over completed companies (0 for those complete at once). */
  avgHours: number | null;
  medianHours: number | null;
  maxHours: number | null;
}

export interface OnboardingReport {
  timeZone: string;
  from: string;
  to: string;
  newClients: NewClientsRow[];
  completion: CompletionRow[];
  /** Why a part is empty, e.g. the pipeline is missing. */
  notes: string[];
}

export interface ReminderRow extends ReminderTask {
  companyIds: number[];
}

export interface OnboardingData {
  companies: Array<Record<string, unknown>>;
  /** Deals of the onboarding pipeline. */
  deals: Array<Record<string, unknown>>;
  reminders: ReminderRow[];
  users: Map<number, string>;
  notes: string[];
}

export const NO_TARIFF = 'Не указан';
const NO_RESPONSIBLE = 'Не назначен';

const round1 = (value: number) => Math.round(value * 10) / 10;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function computeOnboardingReport(
  data: OnboardingData,
  options: { settings: OnboardingSettings; timeZone: string; range: ReportRange },
): OnboardingReport {
  const { settings, timeZone, range } = options;
  const inRange = data.companies.filter((company) => {
    const created = parseRestDate(company.DATE_CREATE);
    return created !== null && created >= range.from && created < range.to;
  });
  const dealsByCompany = new Map<number, Array<Record<string, unknown>>>();
  for (const deal of data.deals) {
    const companyId = Number(deal.COMPANY_ID);
    dealsByCompany.set(companyId, [...(dealsByCompany.get(companyId) ?? []), deal]);
  }
  const remindersByCompany = new Map<number, ReminderRow[]>();
  for (const task of data.reminders) {
    for (const companyId of task.companyIds) remindersByCompany.set(companyId, [...(remindersByCompany.get(companyId) ?? []), task]);
  }

  const newClients = new Map<string, NewClientsRow>();
  const completion = new Map<string, { row: CompletionRow; hours: number[] }>();
  for (const company of inRange) {
    const companyId = Number(company.ID);
    const created = parseRestDate(company.DATE_CREATE)!;
    const month = monthOf(created, timeZone);
    const deals = dealsByCompany.get(companyId) ?? [];
    // What was sold (the deal's tariff) wins over what the card says now.
    const soldTariff = deals.map((deal) => deal[settings.dealTariffField]).find((value) => value !== undefined && value !== '');
    const tariffValue = soldTariff ?? company[settings.companyTariffField];
    const tariff = findTariff(settings.tariffs, tariffValue)?.name ?? (String(tariffValue ?? '').trim() || NO_TARIFF);
    const clientKey = `${monthKey(month)}|${tariff}`;
    const clientRow = newClients.get(clientKey) ?? { month: monthKey(month), monthLabel: monthLabel(month), tariff, companies: 0, deals: 0 };
    clientRow.companies += 1;
    clientRow.deals += deals.length > 0 ? 1 : 0;
    newClients.set(clientKey, clientRow);

    const responsibleId = Number(company.ASSIGNED_BY_ID) > 0 ? Number(company.ASSIGNED_BY_ID) : null;
    const key = String(responsibleId ?? 0);
    const entry = completion.get(key) ?? {
      row: {
        responsibleId,
        responsible: responsibleId === null ? NO_RESPONSIBLE : (data.users.get(responsibleId) ?? `#${responsibleId}`),
        companies: 0,
        completeAtOnce: 0,
        completedLater: 0,
        pending: 0,
        avgHours: null,
        medianHours: null,
        maxHours: null,
      },
      hours: [],
    };
    entry.row.companies += 1;
    const reminders = remindersByCompany.get(companyId) ?? [];
    if (reminders.some(isOpen)) {
      entry.row.pending += 1;
    } else if (reminders.length > 0) {
      // The check closes its task the moment the data become complete: the last close is the completion time.
      const closed = Math.max(...reminders.map((task) => parseRestDate(task.closedDate)?.getTime() ?? created.getTime()));
      entry.row.completedLater += 1;
      entry.hours.push(Math.max(0, (closed - created.getTime()) / 3_600_000));
    } else if (deals.length > 0 || checkCompany(company, settings).valid) {
      entry.row.completeAtOnce += 1;
      entry.hours.push(0);
    } else {
      entry.row.pending += 1;
    }
    completion.set(key, entry);
  }

  const completionRows = [...completion.values()].map(({ row, hours }) => ({
    ...row,
    avgHours: hours.length ? round1(hours.reduce((sum, value) => sum + value, 0) / hours.length) : null,
    medianHours: hours.length ? round1(median(hours)!) : null,
    maxHours: hours.length ? round1(Math.max(...hours)) : null,
  }));
  const tariffOrder = settings.tariffs.map((row) => row.name);
  const rank = (tariff: string) => (tariffOrder.includes(tariff) ? tariffOrder.indexOf(tariff) : tariffOrder.length);
  return {
    timeZone,
    from: formatIsoDateTime(range.from, timeZone),
    to: formatIsoDateTime(range.to, timeZone),
    newClients: [...newClients.values()].sort(
      (a, b) => a.month.localeCompare(b.month) || rank(a.tariff) - rank(b.tariff) || a.tariff.localeCompare(b.tariff),
    ),
    completion: completionRows.sort((a, b) => (a.responsibleId ?? Infinity) - (b.responsibleId ?? Infinity)),
    notes: data.notes,
  };
}

/** Reads what the report needs through the portal's REST client: a handful of list requests, batched by the client. */
export async function loadOnboardingData(b24: B24, settings: OnboardingSettings, range: ReportRange, timeZone: string): Promise<OnboardingData> {
  const from = formatIsoDateTime(range.from, timeZone);
  const to = formatIsoDateTime(range.to, timeZone);
  const notes: string[] = [];
  const companies = await b24.listAll<Record<string, unknown>>('crm.company.list', {
    filter: { '>=DATE_CREATE': from, '<DATE_CREATE': to },
    select: ['ID', 'TITLE', 'DATE_CREATE', 'ASSIGNED_BY_ID', settings.companyTariffField, settings.companyCostField],
  });

  let deals: Array<Record<string, unknown>> = [];
  try {
    const categoryId = await resolveCategoryId(b24, settings);
    deals = await b24.listAll<Record<string, unknown>>('crm.deal.list', {
      // A company's deal is created after the company, so deals older than the period cannot belong to it.
      filter: { CATEGORY_ID: categoryId, '>=DATE_CREATE': from },
      select: ['ID', 'TITLE', 'COMPANY_ID', 'DATE_CREATE', settings.dealTariffField, settings.dealMonthField],
    });
  } catch (error) {
    if (!isRobotError(error)) throw error;
    notes.push(error.message);
  }

  const tasks = await b24.listAll<Record<string, any>>('tasks.task.list', {
    filter: { TITLE: settings.taskTitle, '>=CREATED_DATE': from },
    select: ['ID', 'TITLE', 'STATUS', 'RESPONSIBLE_ID', 'CREATED_DATE', 'CLOSED_DATE', 'UF_CRM_TASK'],
  });
  const reminders = tasks
    .map((row) => ({
      ...toReminderTask(row),
      companyIds: ((row.ufCrmTask ?? row.UF_CRM_TASK ?? []) as string[])
        .map((binding) => /^CO_(\d+)$/.exec(String(binding)))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => Number(match[1])),
    }))
    .filter((task) => task.title.trim() === settings.taskTitle.trim() && task.companyIds.length > 0);

  return { companies, deals, reminders, users: await userNames(b24, companies), notes };
}

async function userNames(b24: B24, companies: Array<Record<string, unknown>>): Promise<Map<number, string>> {
  const ids = [...new Set(companies.map((company) => Number(company.ASSIGNED_BY_ID)).filter((id) => id > 0))];
  const names = new Map<number, string>();
  if (ids.length === 0) return names;
  // One user.get per id, sent as batch requests of 50 (PROTOCOL §5.4); a user the token cannot see keeps `#id`.
  const answer = await b24.batch(ids.map((id) => ['user.get', { ID: id }] as [string, Record<string, unknown>]));
  for (const value of Object.values(answer.result)) {
    for (const user of (Array.isArray(value) ? value : []) as Array<Record<string, unknown>>) {
      const name = [user.NAME, user.LAST_NAME].filter((part) => typeof part === 'string' && part.trim()).join(' ');
      if (name) names.set(Number(user.ID), name);
    }
  }
  return names;
}

export async function onboardingReport(
  b24: B24,
  options: { settings?: Partial<OnboardingSettings> | null; timeZone: string; range: ReportRange },
): Promise<OnboardingReport> {
  const settings = withDefaults(options.settings);
  const data = await loadOnboardingData(b24, settings, options.range, options.timeZone);
  return computeOnboardingReport(data, { settings, timeZone: options.timeZone, range: options.range });
}

export const newClientsColumns: Column<NewClientsRow>[] = [
  { key: 'month', title: 'Месяц', value: (row) => row.monthLabel },
  { key: 'month_key', title: 'Код месяца', value: (row) => row.month },
  { key: 'tariff', title: 'Тариф', value: (row) => row.tariff },
  { key: 'companies', title: 'Новых клиентов', value: (row) => row.companies },
  { key: 'deals', title: 'Со сделкой', value: (row) => row.deals },
];

export const completionColumns: Column<CompletionRow>[] = [
  { key: 'responsible_id', title: 'ID', value: (row) => row.responsibleId },
  { key: 'responsible', title: 'Ответственный', value: (row) => row.responsible },
  { key: 'companies', title: 'Компаний', value: (row) => row.companies },
  { key: 'complete_at_once', title: 'Сразу полные', value: (row) => row.completeAtOnce },
  { key: 'completed_later', title: 'Дозаполнены', value: (row) => row.completedLater },
  { key: 'pending', title: 'Ждут данных', value: (row) => row.pending },
  { key: 'avg_hours', title: 'Среднее, ч', value: (row) => row.avgHours },
  { key: 'median_hours', title: 'Медиана, ч', value: (row) => row.medianHours },
  { key: 'max_hours', title: 'Максимум, ч', value: (row) => row.maxHours },
];
