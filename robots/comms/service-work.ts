/**
 * What a silent company gets (RULES.md §B `comms_check_silence`): a deal in the client-service pipeline unless an open
 * one exists, and the task «Связаться с клиентом» for the responsible manager, linked to the company and the deal —
 * unless that deal already has an open reminder (a manager who has the job is not given it twice). Batched: one
 * sub-call covers the open deals of 50 companies, one request creates the deals and tasks of 25 companies (a deal and
 * its task stay in one batch so the task can name the new deal through `$result`, PROTOCOL §5.4).
 */
import { formatIsoDate, formatIsoDateTime } from '../../src/activities/time-zone';
import type { B24, BatchCommand } from '../../src/bitrix/types';
import { throwIfLimited } from './limits';
import { chunks, runListQueries } from './list-queries';
import type { ServicePipeline } from './pipeline';
import type { CommsSettings } from './settings';
import { daysAfter } from './week';

export interface SilentCompany {
  id: number;
  title: string;
  responsibleId: number | null;
  lastContact: Date | null;
}

export interface ServiceWork {
  companyId: number;
  /** The open deal found, or null: a deal is created. */
  openDealId: number | null;
  /** The open deal already has an open reminder: nothing to do. */
  reminded: boolean;
}

export interface WorkOutcome {
  companyId: number;
  dealId: number | null;
  dealCreated: boolean;
  taskId: number | null;
  error: string | null;
}

export interface WorkOptions {
  settings: Pick<CommsSettings, 'silenceDays' | 'silenceTaskTitle' | 'silenceTaskDeadlineDays' | 'fallbackUserId'>;
  pipeline: ServicePipeline;
  now: Date;
  timeZone: string;
  portalDomain: string;
}

/** Open deals of the companies in the service pipeline: companyId → the oldest open deal's id. */
export async function openServiceDeals(b24: B24, companyIds: number[], categoryId: number): Promise<Map<number, number>> {
  const queries = chunks(companyIds).map((ids) => ({
    method: 'crm.deal.list',
    // CLOSED is N until the deal reaches a final stage (crm.deal.fields: CLOSED, STAGE_SEMANTIC_ID).
    params: { filter: { '@COMPANY_ID': ids, CATEGORY_ID: categoryId, CLOSED: 'N' }, select: ['ID', 'COMPANY_ID'] },
  }));
  const found = new Map<number, number>();
  for (const rows of await runListQueries(b24, queries)) {
    for (const row of rows) {
      const companyId = Number(row.COMPANY_ID);
      if (!found.has(companyId)) found.set(companyId, Number(row.ID));
    }
  }
  return found;
}

/** Deals that have an open task titled like our reminder bound to them (`UF_CRM_TASK: D_<id>`). */
export async function remindedDeals(b24: B24, dealIds: number[], title: string): Promise<Set<number>> {
  const queries = chunks(dealIds).map((ids) => ({
    method: 'tasks.task.list',
    // Any task not completed (REAL_STATUS 5, PROTOCOL §6.7) still has the manager on the job.
    params: {
      filter: { UF_CRM_TASK: ids.map((id) => `D_${id}`), TITLE: title, '!REAL_STATUS': 5 },
      select: ['ID', 'TITLE', 'UF_CRM_TASK'],
    },
  }));
  const wanted = new Set(dealIds);
  const reminded = new Set<number>();
  for (const rows of await runListQueries(b24, queries)) {
    for (const row of rows) {
      if (String(row.title ?? '').trim() !== title.trim()) continue; // the portal's TITLE filter may be a LIKE
      const bindings: unknown[] = Array.isArray(row.ufCrmTask) ? row.ufCrmTask : [];
      for (const binding of bindings) {
        const match = /^D_(\d+)$/.exec(String(binding));
        if (match && wanted.has(Number(match[1]))) reminded.add(Number(match[1]));
      }
    }
  }
  return reminded;
}

function describeSilence(company: SilentCompany, options: WorkOptions): string {
  const since = company.lastContact
    ? `Последняя коммуникация: ${formatIsoDate(company.lastContact, options.timeZone)}.`
    : 'Коммуникаций с клиентом не найдено.';
  const link = options.portalDomain ? `\nhttps://${options.portalDomain}/crm/company/details/${company.id}/` : '';
  return `С клиентом «${company.title}» не было связи ${options.settings.silenceDays} дней или больше. ${since}${link}`;
}

function commandsFor(company: SilentCompany, work: ServiceWork, options: WorkOptions): Record<string, BatchCommand> {
  const assignee = company.responsibleId ?? options.settings.fallbackUserId;
  const description = describeSilence(company, options);
  const commands: Record<string, BatchCommand> = {};
  const dealKey = `d${company.id}`;
  let dealRef: string;
  if (work.openDealId === null) {
    const fields: Record<string, unknown> = {
      TITLE: `${company.title.trim() || `Компания ${company.id}`}: связаться с клиентом`,
      CATEGORY_ID: options.pipeline.categoryId,
      COMPANY_ID: company.id,
      ASSIGNED_BY_ID: assignee,
      OPENED: 'Y',
      COMMENTS: description,
    };
    if (options.pipeline.stageId) fields.STAGE_ID = options.pipeline.stageId;
    // crm.deal.add answers {"result": <new id>} (PROTOCOL §6.2): the task below links to it by reference.
    commands[dealKey] = ['crm.deal.add', { fields, params: { REGISTER_SONET_EVENT: 'Y' } }];
    dealRef = `D_$result[${dealKey}]`;
  } else {
    dealRef = `D_${work.openDealId}`;
  }
  const deadline = daysAfter(options.now, options.settings.silenceTaskDeadlineDays);
  commands[`t${company.id}`] = [
    'tasks.task.add',
    {
      fields: {
        TITLE: options.settings.silenceTaskTitle,
        DESCRIPTION: description,
        RESPONSIBLE_ID: assignee,
        DEADLINE: formatIsoDateTime(deadline, options.timeZone),
        UF_CRM_TASK: [`CO_${company.id}`, dealRef],
      },
    },
  ];
  return commands;
}

/** Creates the deals and tasks of up to 25 companies in one batch request. */
export async function createServiceWork(
  b24: B24,
  companies: SilentCompany[],
  work: Map<number, ServiceWork>,
  options: WorkOptions,
): Promise<WorkOutcome[]> {
  const todo = companies.filter((company) => !work.get(company.id)?.reminded);
  const commands: Record<string, BatchCommand> = {};
  for (const company of todo) Object.assign(commands, commandsFor(company, work.get(company.id) ?? { companyId: company.id, openDealId: null, reminded: false }, options));
  if (Object.keys(commands).length === 0) return [];
  const answer = await b24.batch(commands);
  throwIfLimited(answer, commands, b24.memberId);
  return todo.map((company) => {
    const planned = work.get(company.id);
    const dealKey = `d${company.id}`;
    const taskKey = `t${company.id}`;
    const dealError = answer.errors[dealKey];
    const taskError = answer.errors[taskKey];
    const createdDeal = dealKey in commands && !dealError ? Number(answer.result[dealKey]) : null;
    const task = answer.result[taskKey] as { task?: { id?: string } } | undefined;
    const taskId = !taskError && task?.task?.id ? Number(task.task.id) : null;
    const errors = [dealError, taskError].filter(Boolean).map((e) => `${e!.error}: ${e!.error_description}`.replace(/<br>$/i, ''));
    return {
      companyId: company.id,
      dealId: createdDeal ?? planned?.openDealId ?? null,
      dealCreated: createdDeal !== null,
      taskId,
      error: errors.length ? errors.join('; ') : null,
    };
  });
}

/** Open deals and reminders of the silent companies, then what each one needs. */
export async function planServiceWork(b24: B24, companyIds: number[], categoryId: number, taskTitle: string): Promise<Map<number, ServiceWork>> {
  const open = await openServiceDeals(b24, companyIds, categoryId);
  const reminded = open.size > 0 ? await remindedDeals(b24, [...open.values()], taskTitle) : new Set<number>();
  const work = new Map<number, ServiceWork>();
  for (const companyId of companyIds) {
    const openDealId = open.get(companyId) ?? null;
    work.set(companyId, { companyId, openDealId, reminded: openDealId !== null && reminded.has(openDealId) });
  }
  return work;
}

/**
 * Open service deals created since `since` whose company has no open reminder on them: on a retried run, the deals
 * an interrupted attempt created without their task (the new deal already makes the company look contacted).
 */
export async function dealsWithoutReminder(
  b24: B24,
  categoryId: number,
  since: string,
  taskTitle: string,
  companyIds?: number[],
): Promise<Map<number, number>> {
  const filter: Record<string, unknown> = { CATEGORY_ID: categoryId, CLOSED: 'N', '>=DATE_CREATE': since };
  if (companyIds) filter['@COMPANY_ID'] = companyIds;
  const rows = await b24.listAll<Record<string, unknown>>('crm.deal.list', { filter, select: ['ID', 'COMPANY_ID'] });
  const byDeal = new Map(rows.filter((row) => Number(row.COMPANY_ID) > 0).map((row) => [Number(row.ID), Number(row.COMPANY_ID)]));
  if (byDeal.size === 0) return new Map();
  const reminded = await remindedDeals(b24, [...byDeal.keys()], taskTitle);
  const out = new Map<number, number>();
  for (const [dealId, companyId] of byDeal) if (!reminded.has(dealId) && !out.has(companyId)) out.set(companyId, dealId);
  return out;
}

/** batch: max 50 commands, a deal and its task per company (PROTOCOL §5.4). */
export const COMPANIES_PER_BATCH = 25;
