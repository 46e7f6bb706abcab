/**
 * `onboarding_check_company` (RULES.md §A): checks a company's onboarding data and keeps one reminder task for what
 * is missing. Companies have no automation rules, so this runs as an activity of a company workflow, or from
 * `b24robots invoke`.
 */
import { defineRobot } from '../src/activities/define-robot';
import { runCompanyCheck } from './onboarding/company-check';
import { companyIdOf } from './onboarding/document';
import { onboardingSettings, withDefaults } from './onboarding/settings';
import { checkLogLine } from './onboarding/log';

export const onboardingCheckCompany = defineRobot({
  code: 'onboarding_check_company',
  name: { ru: 'Онбординг: проверить данные компании', en: 'Onboarding: check company data' },
  description: {
    ru: 'Проверяет тип тарифа, ответственного и стоимость компании; ставит (или обновляет) одну задачу ответственному со списком того, что нужно заполнить, и закрывает её, когда данные в порядке.',
    en: 'Checks the company tariff, responsible and cost; sets (or updates) one task listing what to fill in, and closes it once the data are complete.',
  },
  documentTypes: ['company'],
  properties: {},
  returns: {
    Valid: { type: 'bool', name: { ru: 'Данные заполнены', en: 'Valid' } },
    Missing: { type: 'string', multiple: true, name: { ru: 'Что заполнить', en: 'Missing' } },
    TaskId: { type: 'int', name: { ru: 'ID задачи', en: 'Task ID' } },
  },
  settings: onboardingSettings,
  async handler(ctx) {
    const settings = withDefaults(ctx.settings);
    const companyId = companyIdOf(ctx.document);
    const check = await runCompanyCheck(ctx, settings, companyId);
    return {
      Valid: check.valid,
      Missing: check.problems,
      TaskId: check.taskId ?? 0,
      LogMessage: checkLogLine(companyId, check),
    };
  },
});

export default onboardingCheckCompany;
