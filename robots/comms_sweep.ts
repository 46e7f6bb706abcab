/**
 * `comms_sweep`: the daily silence sweep over every company (RULES.md §B, §F) — the scheduler's version of
 * `comms_check_silence`, so a portal with 100 000 companies is covered without one waiting workflow per company.
 * Runs from the scheduler at 06:00 portal time and from `b24robots invoke`. It is not registered in Bitrix24: a
 * whole-portal sweep dropped into a workflow template would run once per document, which is what it exists to avoid.
 */
import { defineRobot } from '../src/activities/define-robot';
import { commsSettings, withDefaults } from './comms/settings';
import { sweepSilence } from './comms/sweep';

export const commsSweep = defineRobot({
  code: 'comms_sweep',
  name: { ru: 'Ежедневная проверка коммуникаций со всеми клиентами', en: 'Daily client silence sweep' },
  description: {
    ru: 'Проверяет все компании: тем, с кем не было связи N дней, создаёт сделку в воронке «Клиентский сервис» и задачу «Связаться с клиентом».',
    en: 'Checks every company: a silent one gets a client-service deal and a "contact the client" task.',
  },
  documentTypes: [],
  robot: false,
  activity: false,
  schedule: { cron: '0 6 * * *', description: 'daily silence sweep, 06:00 portal time' },
  properties: {},
  returns: {
    Companies: { type: 'int', name: { ru: 'Проверено компаний', en: 'Companies checked' } },
    Silent: { type: 'int', name: { ru: 'Без связи', en: 'Silent' } },
    DealsCreated: { type: 'int', name: { ru: 'Создано сделок', en: 'Deals created' } },
    TasksCreated: { type: 'int', name: { ru: 'Создано задач', en: 'Tasks created' } },
  },
  settings: commsSettings,
  async handler(ctx) {
    const result = await sweepSilence(ctx, withDefaults(ctx.settings));
    ctx.log.info('silence sweep finished', {
      companies: result.companies,
      candidates: result.candidates,
      silent: result.silent,
      deals: result.dealsCreated,
      tasks: result.tasksCreated,
      errors: result.errors.length,
    });
    return {
      Result: result.errors.length > 0 && result.tasksCreated === 0 && result.silent > 0 ? 'error' : 'ok',
      Error: result.errors.length ? `${result.errors.length} компаний не обработаны` : '',
      Companies: result.companies,
      Silent: result.silent,
      DealsCreated: result.dealsCreated,
      TasksCreated: result.tasksCreated,
      LogMessage: result.logMessage,
    };
  },
});

export default commsSweep;
