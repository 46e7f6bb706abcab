/** The company an onboarding robot runs on, from the run's document (`CCrmDocumentCompany`, `COMPANY_<id>`). */
import { RobotError } from '../../src/activities/robot-error';
import type { DocumentRef } from '../../src/activities/types';
import type { B24 } from '../../src/bitrix/types';
import { companyBinding, COMPLETED, REMINDER_SELECT, toReminderTask, type ReminderTask } from './task';

export function companyIdOf(document: DocumentRef | null): number {
  if (!document || document.kind !== 'company' || !Number.isInteger(document.id) || document.id <= 0) {
    const got = document ? document.raw.join('/') : 'no document';
    throw new RobotError(`the onboarding robots run on a company (CCrmDocumentCompany, COMPANY_<id>), got ${got}`, {
      code: 'NOT_A_COMPANY',
    });
  }
  return document.id;
}

export interface CompanyRead {
  /** crm.company.get: every field, UF_CRM_* included, all scalars as strings (PROTOCOL §6.3). */
  company: Record<string, unknown>;
  /** Whether ASSIGNED_BY_ID is an active user; null when the company names no responsible. */
  responsibleActive: boolean | null;
}

export interface CompanyForCheck extends CompanyRead {
  /** Tasks bound to the company that are not completed, oldest first (any title: the caller picks its own). */
  openTasks: ReminderTask[];
}

/**
 * The company and its responsible in one `batch` request: Bitrix24 always sets ASSIGNED_BY_ID (the creator by
 * default), so "no responsible" in practice means the responsible was dismissed — `user.get` says `ACTIVE: false`
 * or no longer returns the user.
 */
export function readCompany(b24: B24, companyId: number): Promise<CompanyRead> {
  return read(b24, companyId, false);
}

/** The company, its responsible and its open tasks: everything the check needs, in one HTTP request. */
export function readCompanyForCheck(b24: B24, companyId: number): Promise<CompanyForCheck> {
  return read(b24, companyId, true) as Promise<CompanyForCheck>;
}

async function read(b24: B24, companyId: number, withTasks: boolean): Promise<CompanyRead | CompanyForCheck> {
  const answer = await b24.batch({
    company: ['crm.company.get', { id: companyId }],
    // $result references stay inside one batch (PROTOCOL §5.4).
    responsible: ['user.get', { FILTER: { ID: '$result[company][ASSIGNED_BY_ID]' } }],
    // A company has a handful of open tasks at most, so one page (50) is all of them.
    ...(withTasks
      ? {
          tasks: [
            'tasks.task.list',
            { filter: { UF_CRM_TASK: companyBinding(companyId), '!REAL_STATUS': COMPLETED }, select: REMINDER_SELECT, order: { ID: 'asc' } },
          ],
        }
      : {}),
  } as Record<string, [string, Record<string, unknown>]>);
  const failure = answer.errors.company;
  if (failure) {
    // Legacy crm methods answer a missing id with `"error": ""` and "Not found" (PROTOCOL §6.2).
    if (/not\s*found/i.test(failure.error_description)) {
      throw new RobotError(`компания ${companyId} не найдена (удалена или нет доступа)`, { code: 'COMPANY_NOT_FOUND' });
    }
    throw new Error(`crm.company.get ${companyId}: ${failure.error || 'error'} ${failure.error_description}`);
  }
  if (answer.errors.tasks) throw new Error(`tasks.task.list: ${answer.errors.tasks.error} ${answer.errors.tasks.error_description}`);
  const company = answer.result.company as Record<string, unknown>;
  const responsibleId = Number(company.ASSIGNED_BY_ID);
  let responsibleActive: boolean | null = null;
  if (responsibleId > 0) {
    const users = answer.result.responsible;
    const user = Array.isArray(users) ? (users as Array<Record<string, unknown>>).find((row) => Number(row.ID) === responsibleId) : undefined;
    responsibleActive = Boolean(user && user.ACTIVE !== false && user.ACTIVE !== 'N');
  }
  if (!withTasks) return { company, responsibleActive };
  const rows = ((answer.result.tasks as { tasks?: Array<Record<string, unknown>> } | undefined)?.tasks ?? []).map(toReminderTask);
  return { company, responsibleActive, openTasks: rows.filter((task) => task.status !== COMPLETED).sort((a, b) => a.id - b.id) };
}
