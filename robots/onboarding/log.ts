/** The human-readable workflow log lines of the onboarding robots (RULES.md: every robot writes one). */
import type { CompanyCheck } from './company-check';
import type { OnboardingDeal } from './deal';

const TASK_VERB: Record<CompanyCheck['taskAction'], string> = {
  created: 'поставлена',
  updated: 'обновлена',
  unchanged: 'уже поставлена',
  closed: 'закрыта',
  none: '',
};

export function checkLogLine(companyId: number, check: CompanyCheck): string {
  const name = `Компания ${String(check.company.TITLE || `#${companyId}`)}`;
  if (check.valid) {
    return check.taskId ? `${name}: данные заполнены, задача #${check.taskId} ${TASK_VERB.closed}.` : `${name}: данные заполнены.`;
  }
  const task = check.taskId ? ` Задача #${check.taskId} ${TASK_VERB[check.taskAction]} (ответственный ${check.assigneeId}).` : '';
  return `${name}: ${check.problems.join('; ')}.${task}`;
}

export function dealLogLine(deal: OnboardingDeal): string {
  return deal.created ? `Создана сделка #${deal.id} «${deal.title}».` : `Сделка за этот месяц уже есть: #${deal.id} «${deal.title}».`;
}
