/**
 * The reminder task of the onboarding check: one open task per company, found again by its CRM binding
 * (`UF_CRM_TASK: CO_<id>`) and its title, updated on a rerun, closed when the company becomes valid.
 */
import type { B24 } from '../../src/bitrix/types';

export interface ReminderTask {
  id: number;
  title: string;
  /** 2 pending, 3 in progress, 4 awaiting control, 5 completed, 6 deferred (PROTOCOL §6.7). */
  status: number;
  responsibleId: number;
  description: string;
  createdDate: string | null;
  closedDate: string | null;
}

export const COMPLETED = 5;

/** The CRM binding value of a company, as `UF_CRM_TASK` takes it (PROTOCOL §5.6: `CO_<id>`). */
export const companyBinding = (companyId: number) => `CO_${companyId}`;

export const REMINDER_SELECT = ['ID', 'TITLE', 'STATUS', 'REAL_STATUS', 'RESPONSIBLE_ID', 'DESCRIPTION', 'CREATED_DATE', 'CLOSED_DATE', 'UF_CRM_TASK'];

/** Task rows come camelCase with string values (PROTOCOL §5.6). */
export function toReminderTask(row: Record<string, any>): ReminderTask {
  return {
    id: Number(row.id ?? row.ID),
    title: String(row.title ?? row.TITLE ?? ''),
    status: Number(row.status ?? row.realStatus ?? row.REAL_STATUS ?? 0),
    responsibleId: Number(row.responsibleId ?? row.RESPONSIBLE_ID ?? 0),
    description: String(row.description ?? row.DESCRIPTION ?? ''),
    createdDate: (row.createdDate ?? row.CREATED_DATE ?? null) || null,
    closedDate: (row.closedDate ?? row.CLOSED_DATE ?? null) || null,
  };
}

export function isOpen(task: ReminderTask): boolean {
  return task.status !== COMPLETED;
}

export function reminderDescription(companyTitle: string, problems: string[], companyUrl: string | null): string {
  const lines = [
    `Для онбординга компании ${companyTitle} заполните или исправьте в карточке компании:`,
    ...problems.map((problem) => `— ${problem}`),
    '',
    'Когда данные будут в порядке, задача закроется сама, а сделка будет создана автоматически.',
  ];
  if (companyUrl) lines.push(companyUrl);
  return lines.join('\n');
}

export async function addReminder(
  b24: B24,
  fields: { title: string; description: string; responsibleId: number; deadline: string; companyId: number },
): Promise<number> {
  const answer = await b24.call<{ task?: Record<string, any> }>('tasks.task.add', {
    fields: {
      TITLE: fields.title,
      DESCRIPTION: fields.description,
      RESPONSIBLE_ID: fields.responsibleId,
      DEADLINE: fields.deadline,
      UF_CRM_TASK: [companyBinding(fields.companyId)],
    },
  });
  const id = Number(answer?.task?.id ?? answer?.task?.ID);
  if (!Number.isInteger(id) || id <= 0) throw new Error('tasks.task.add answered without a task id');
  return id;
}

export async function updateReminder(
  b24: B24,
  taskId: number,
  fields: { description?: string; responsibleId?: number },
): Promise<void> {
  const patch: Record<string, unknown> = {};
  if (fields.description !== undefined) patch.DESCRIPTION = fields.description;
  if (fields.responsibleId !== undefined) patch.RESPONSIBLE_ID = fields.responsibleId;
  // tasks.task.update needs at least one field.
  if (Object.keys(patch).length) await b24.call('tasks.task.update', { taskId, fields: patch });
}

/** Completes the task: STATUS 5 through tasks.task.update (an invalid status is ERROR_CORE "Invalid status"). */
export async function closeReminder(b24: B24, taskId: number): Promise<void> {
  await b24.call('tasks.task.update', { taskId, fields: { STATUS: COMPLETED } });
}
