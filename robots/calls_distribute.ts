/**
 * `calls_distribute` (RULES.md §B, seed 001): every Monday 09:00 portal time, and on demand (a robot on a deal stage,
 * a workflow activity, `b24robots invoke`), gives each active manager of the managers list up to 30 companies
 * (configurable) in turn from the company queue, as call tasks linked to the company. The queue cursor carries over
 * from week to week and wraps; a rerun in the same week assigns nothing twice. See robots/comms/distribute.ts.
 */
import { defineRobot } from '../src/activities/define-robot';
import { RobotError } from '../src/activities/robot-error';
import { distributeCalls } from './comms/distribute';
import { commsSettings, withDefaults } from './comms/settings';

export const callsDistribute = defineRobot({
  code: 'calls_distribute',
  name: { ru: 'Распределить звонки клиентам по менеджерам', en: 'Distribute client calls to managers' },
  description: {
    ru: 'Ставит каждому активному менеджеру из списка «Менеджеры» задачи на звонок по очередным компаниям клиентской базы (по умолчанию 30 в неделю); менеджеры в отпуске и на больничном пропускаются, повторный запуск на той же неделе ничего не дублирует.',
    en: 'Gives every active manager of the managers list call tasks for the next companies of the client base (30 a week by default); managers on vacation or sick leave are skipped, and a rerun in the same week duplicates nothing.',
  },
  documentTypes: ['deal', 'company'],
  schedule: { cron: '0 9 * * 1', description: 'weekly call distribution, Mondays 09:00 portal time' },
  properties: {
    perManager: {
      type: 'int',
      name: { ru: 'Компаний на менеджера', en: 'Companies per manager' },
      description: { ru: 'Пусто — из настроек портала (30)', en: 'Empty: the portal setting (30)' },
    },
  },
  returns: {
    Assigned: { type: 'int', name: { ru: 'Назначено компаний', en: 'Companies assigned' } },
    Managers: { type: 'int', name: { ru: 'Менеджеров получили задачи', en: 'Managers given tasks' } },
    Skipped: { type: 'int', name: { ru: 'Менеджеров пропущено', en: 'Managers skipped' } },
  },
  settings: commsSettings,
  async handler(ctx) {
    const settings = withDefaults(ctx.settings);
    const perManager = ctx.input.perManager;
    if (perManager !== undefined && (!Number.isInteger(perManager) || perManager < 1 || perManager > 5000)) {
      throw new RobotError(`Свойство «Компаний на менеджера» (perManager) должно быть целым от 1 до 5000, получено ${perManager}`, {
        code: 'BAD_PROPERTY',
      });
    }
    const result = await distributeCalls(ctx, { ...settings, perManager: perManager ?? settings.perManager });
    if (result.reason === 'no-managers') ctx.log.warn('no active managers: nothing distributed', { week: result.week });
    return {
      Result: result.assigned > 0 ? 'ok' : 'skipped',
      Assigned: result.assigned,
      Managers: result.managers.length,
      Skipped: result.skipped.length,
      LogMessage: result.logMessage,
    };
  },
});

export default callsDistribute;
