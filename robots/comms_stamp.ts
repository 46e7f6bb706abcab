/**
 * `comms_stamp` (RULES.md §B): writes the date of the company's latest communication — a completed call or e-mail,
 * or a deal — into its technical field (`UF_CRM_LAST_CONTACT` by default). Placed on deal stages (the deal's company
 * is stamped with now), run in a company workflow (the company's history is read), or started by the activity-added
 * event (the call's or e-mail's own date). The field never moves backwards.
 */
import { defineRobot } from '../src/activities/define-robot';
import { formatIsoDateTime } from '../src/activities/time-zone';
import { commsSettings, withDefaults } from './comms/settings';
import { stampSource, writeStamp } from './comms/stamp';

export const commsStamp = defineRobot({
  code: 'comms_stamp',
  name: { ru: 'Отметить дату последней коммуникации', en: 'Stamp the last communication date' },
  description: {
    ru: 'Записывает в техническое поле компании дату последней коммуникации: завершённого звонка или письма, или работы по сделке.',
    en: "Writes the date of the company's latest communication (a completed call or e-mail, or deal work) into its technical field.",
  },
  documentTypes: ['deal', 'company'],
  // The event subscription of RULES.md §F: a new call or e-mail stamps its company at once.
  events: ['ONCRMACTIVITYADD'],
  properties: {},
  returns: {
    LastContact: { type: 'datetime', name: { ru: 'Последняя коммуникация', en: 'Last contact' } },
  },
  settings: commsSettings,
  async handler(ctx) {
    const settings = withDefaults(ctx.settings);
    const source = await stampSource(ctx, settings, ctx.document);
    if (typeof source === 'string') return { Result: 'skipped', LogMessage: `Дата коммуникации не изменена: ${source}.` };
    const outcome = await writeStamp(ctx, settings, source);
    const when = formatIsoDateTime(outcome.lastContact, ctx.portal.timeZone);
    return {
      Result: outcome.written ? 'ok' : 'skipped',
      LastContact: outcome.lastContact,
      LogMessage: outcome.written
        ? `Компания ${outcome.companyId}: последняя коммуникация ${when} (${outcome.origin}).`
        : `Компания ${outcome.companyId}: в поле уже более поздняя дата ${when}, ничего не изменено.`,
    };
  },
});

export default commsStamp;
