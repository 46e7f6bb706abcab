/**
 * `onboarding_create_deal` (RULES.md §A): runs the check first; when the data are complete, creates (once per company
 * per month) the deal `[Company] / [Tariff] / [Месяц ГГГГ]` in the onboarding pipeline's first stage and closes the
 * reminder task. Runs from a company workflow, from the company added/updated event subscription (the re-run after
 * a manager fixes the card) and from `b24robots invoke`.
 */
import { defineRobot } from '../src/activities/define-robot';
import { companyMarkKey, runCompanyCheck, type CompanyMark } from './onboarding/company-check';
import { ensureMonthDeal } from './onboarding/deal';
import { companyIdOf } from './onboarding/document';
import { checkLogLine, dealLogLine } from './onboarding/log';
import { monthOf, parseRestDate } from './onboarding/month';
import { resolvePipeline } from './onboarding/pipeline';
import { onboardingSettings, withDefaults } from './onboarding/settings';
import { decideEventRun } from './onboarding/trigger';

export const onboardingCreateDeal = defineRobot({
  code: 'onboarding_create_deal',
  name: { ru: 'Онбординг: создать сделку по компании', en: 'Onboarding: create deal from company' },
  description: {
    ru: 'Проверяет данные компании и создаёт сделку «[Компания] / [Тариф] / [Месяц ГГГГ]» в воронке онбординга — не больше одной на компанию в месяц. Если данных не хватает, ставит задачу ответственному.',
    en: 'Checks the company and creates the deal "[Company] / [Tariff] / [Month YYYY]" in the onboarding pipeline, at most one per company per month; sets a task when data are missing.',
  },
  documentTypes: ['company'],
  // The update-driven re-run (RULES.md §A): the service subscribes to these events on install.
  events: ['ONCRMCOMPANYADD', 'ONCRMCOMPANYUPDATE'],
  properties: {},
  returns: {
    DealId: { type: 'int', name: { ru: 'ID сделки', en: 'Deal ID' } },
    Title: { type: 'string', name: { ru: 'Название сделки', en: 'Deal title' } },
    Valid: { type: 'bool', name: { ru: 'Данные заполнены', en: 'Valid' } },
    Missing: { type: 'string', multiple: true, name: { ru: 'Что заполнить', en: 'Missing' } },
    TaskId: { type: 'int', name: { ru: 'ID задачи', en: 'Task ID' } },
  },
  settings: onboardingSettings,
  async handler(ctx) {
    const settings = withDefaults(ctx.settings);
    const companyId = companyIdOf(ctx.document);

    // Every edit of every company raises ONCRMCOMPANYUPDATE: act only on new companies and those waiting for data.
    const decision = await decideEventRun(ctx, settings, companyId);
    if (!decision.handle) {
      return { Result: 'skipped', DealId: 0, Title: '', LogMessage: `Компания ${companyId}: ${decision.reason}.` };
    }

    const check = await runCompanyCheck(ctx, settings, companyId);
    const company = check.company;
    const checkValues = { Valid: check.valid, Missing: check.problems, TaskId: check.taskId ?? 0 };
    if (!check.valid || !check.tariff) {
      return { Result: 'skipped', DealId: 0, Title: '', ...checkValues, LogMessage: checkLogLine(companyId, check) };
    }

    // The creation month in the portal's time zone decides the deal's month (23:30 on 31 January in Moscow: January).
    const created = parseRestDate(company.DATE_CREATE) ?? ctx.now();
    const pipeline = await resolvePipeline(ctx.b24, settings);
    const deal = await ensureMonthDeal(ctx, settings, pipeline, {
      companyId,
      companyTitle: String(company.TITLE ?? ''),
      tariff: check.tariff,
      cost: check.cost,
      assigneeId: check.assigneeId,
      month: monthOf(created, ctx.portal.timeZone),
    });
    const mark: CompanyMark = { status: 'done', at: ctx.now().toISOString(), dealId: deal.id };
    await ctx.state.set(companyMarkKey(companyId), mark);
    return {
      DealId: deal.id,
      Title: deal.title,
      ...checkValues,
      LogMessage: `${checkLogLine(companyId, check)} ${dealLogLine(deal)}`,
    };
  },
});

export default onboardingCreateDeal;
