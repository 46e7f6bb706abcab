/**
 * The check as a robot runs it: read the company, check it, and keep exactly one open reminder task for it —
 * created when data are missing, updated on a rerun, closed once the company is valid. Shared by
 * `onboarding_check_company` and `onboarding_create_deal` (which runs the check first).
 */
import type { RobotContext } from '../../src/activities/types';
import { formatIsoDateTime } from '../../src/activities/time-zone';
import { checkCompany, type CheckResult } from './check';
import { readCompanyForCheck } from './document';
import type { OnboardingSettings } from './settings';
import { addReminder, closeReminder, reminderDescription, updateReminder, type ReminderTask } from './task';

export interface CompanyCheck extends CheckResult {
  company: Record<string, unknown>;
  /** The open reminder (invalid company) or the one just closed (valid company); null when there is none. */
  taskId: number | null;
  /** What happened to the task, for the workflow log. */
  taskAction: 'created' | 'updated' | 'unchanged' | 'closed' | 'none';
  /** Who the work goes to: the company's responsible, else the fallback user. */
  assigneeId: number;
}

/** Where onboarding stands for a company, kept in the portal state: the event-driven re-run reads it. */
export interface CompanyMark {
  status: 'pending' | 'done';
  at: string;
  dealId?: number;
}

export const companyMarkKey = (companyId: number) => `onboarding:company:${companyId}`;

type Ctx = Pick<RobotContext<unknown, OnboardingSettings>, 'b24' | 'step' | 'exclusive' | 'state' | 'portal' | 'now'>;
type TaskOutcome = Pick<CompanyCheck, 'taskId' | 'taskAction'>;

export async function runCompanyCheck(ctx: Ctx, settings: OnboardingSettings, companyId: number): Promise<CompanyCheck> {
  // One lock per company, taken before reading its open tasks: the check robot, the deal robot and the event re-run
  // may check the same company at once, and only one of them may find "no task" and add one.
  const outcome = await ctx.exclusive(`onboarding-task:${companyId}`, async () => {
    const read = await readCompanyForCheck(ctx.b24, companyId);
    const result = checkCompany(read.company, settings, { responsibleActive: read.responsibleActive });
    const assigneeId = result.responsibleId ?? settings.fallbackUserId;
    // The title tells our reminder apart from other tasks a manager bound to the same company.
    const reminders = read.openTasks.filter((task) => task.title.trim() === settings.taskTitle.trim());
    const task = result.valid
      ? await closeAll(ctx, reminders)
      : await upsertReminder(ctx, settings, companyId, read.company, result, assigneeId, reminders);
    return { ...result, company: read.company, assigneeId, ...task };
  });
  if (!outcome.valid) {
    const mark: CompanyMark = { status: 'pending', at: ctx.now().toISOString() };
    await ctx.state.set(companyMarkKey(companyId), mark);
  }
  return outcome;
}

async function upsertReminder(
  ctx: Ctx,
  settings: OnboardingSettings,
  companyId: number,
  company: Record<string, unknown>,
  result: CheckResult,
  assigneeId: number,
  open: ReminderTask[],
): Promise<TaskOutcome> {
  const title = String(company.TITLE || `#${companyId}`);
  const url = ctx.portal.domain ? `https://${ctx.portal.domain}/crm/company/details/${companyId}/` : null;
  const description = reminderDescription(title, result.problems, url);

  if (open.length === 0) {
    const deadline = new Date(ctx.now().getTime() + settings.taskDeadlineDays * 86_400_000);
    const taskId = await ctx.step(`onboarding:task-add:${companyId}`, () =>
      addReminder(ctx.b24, {
        title: settings.taskTitle,
        description,
        responsibleId: assigneeId,
        deadline: formatIsoDateTime(deadline, ctx.portal.timeZone),
        companyId,
      }),
    );
    return { taskId, taskAction: 'created' };
  }

  const [task, ...duplicates] = open;
  // Duplicates can only come from before this rule kept one task per company: fold them into the oldest.
  for (const duplicate of duplicates) await closeReminder(ctx.b24, duplicate.id);
  const changed = {
    description: task.description.trim() === description.trim() ? undefined : description,
    responsibleId: task.responsibleId === assigneeId ? undefined : assigneeId,
  };
  if (changed.description === undefined && changed.responsibleId === undefined) return { taskId: task.id, taskAction: 'unchanged' };
  await updateReminder(ctx.b24, task.id, changed);
  return { taskId: task.id, taskAction: 'updated' };
}

async function closeAll(ctx: Ctx, open: ReminderTask[]): Promise<TaskOutcome> {
  for (const task of open) await closeReminder(ctx.b24, task.id);
  return open.length ? { taskId: open[0].id, taskAction: 'closed' } : { taskId: null, taskAction: 'none' };
}
