/**
 * `comms_check_silence` (RULES.md §B, seed 001): for one company — no communication for N days (default 90: no stamp,
 * no call or e-mail, no deal) → a deal in the «Клиентский сервис» pipeline unless an open one exists, and the task
 * «Связаться с клиентом» for the responsible manager. Otherwise returns the next check date (last contact + N days),
 * which a company workflow can wait for. On a deal it checks the deal's company. The daily sweep (`comms_sweep`) does
 * the same for every company without a workflow per company.
 */
import { defineRobot } from '../src/activities/define-robot';
import { RobotError } from '../src/activities/robot-error';
import { formatIsoDate } from '../src/activities/time-zone';
import type { DocumentRef } from '../src/activities/types';
import type { B24 } from '../src/bitrix/types';
import { commsSettings, withDefaults } from './comms/settings';
import { checkCompanySilence } from './comms/silence';

async function companyOf(b24: B24, document: DocumentRef | null): Promise<number> {
  if (document?.kind === 'company' && document.id > 0) return document.id;
  if (document?.kind === 'deal' && document.id > 0) {
    const deal = await b24.call<Record<string, unknown>>('crm.deal.get', { id: document.id });
    const companyId = Number(deal?.COMPANY_ID);
    if (Number.isInteger(companyId) && companyId > 0) return companyId;
    throw new RobotError(`У сделки ${document.id} не указана компания: проверять некого`, { code: 'NO_COMPANY' });
  }
  const got = document ? document.raw.join('/') : 'без документа';
  throw new RobotError(`Робот проверяет компанию (или компанию сделки), получено: ${got}`, { code: 'BAD_DOCUMENT' });
}

export const commsCheckSilence = defineRobot({
  code: 'comms_check_silence',
  name: { ru: 'Контроль коммуникации с клиентом', en: 'Client silence check' },
  description: {
    ru: 'Если с компанией не было связи N дней (по умолчанию 90), создаёт сделку в воронке «Клиентский сервис» (если открытой ещё нет) и задачу «Связаться с клиентом» ответственному; иначе возвращает дату следующей проверки.',
    en: 'If the company had no communication for N days (90 by default), creates a client-service deal (unless one is open) and a "contact the client" task; otherwise returns the next check date.',
  },
  documentTypes: ['company', 'deal'],
  properties: {
    silenceDays: {
      type: 'int',
      name: { ru: 'Дней без связи', en: 'Days of silence' },
      description: { ru: 'Пусто — из настроек портала (90)', en: 'Empty: the portal setting (90)' },
    },
  },
  returns: {
    Silent: { type: 'bool', name: { ru: 'Нет связи', en: 'Silent' } },
    LastContact: { type: 'datetime', name: { ru: 'Последняя коммуникация', en: 'Last contact' } },
    NextCheck: { type: 'datetime', name: { ru: 'Следующая проверка', en: 'Next check' } },
    DealId: { type: 'int', name: { ru: 'ID сделки', en: 'Deal ID' } },
    TaskId: { type: 'int', name: { ru: 'ID задачи', en: 'Task ID' } },
  },
  settings: commsSettings,
  async handler(ctx) {
    const settings = withDefaults(ctx.settings);
    const days = ctx.input.silenceDays ?? settings.silenceDays;
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      throw new RobotError(`Свойство «Дней без связи» (silenceDays) должно быть целым от 1 до 3650, получено ${days}`, { code: 'BAD_PROPERTY' });
    }
    const companyId = await companyOf(ctx.b24, ctx.document);
    const check = await checkCompanySilence(ctx, settings, companyId, days);
    const tz = ctx.portal.timeZone;
    const name = `Компания «${check.title || companyId}»`;
    const last = check.lastContact ? formatIsoDate(check.lastContact, tz) : 'не было';
    const values = {
      Silent: check.silent,
      LastContact: check.lastContact ?? undefined,
      NextCheck: check.nextCheck,
      DealId: check.work?.dealId ?? 0,
      TaskId: check.work?.taskId ?? 0,
    };
    if (!check.silent) {
      return { ...values, LogMessage: `${name}: связь была (${last}), следующая проверка ${formatIsoDate(check.nextCheck, tz)}.` };
    }
    const work = check.work!;
    if (work.error) {
      throw new RobotError(`${name}: нет связи ${days}+ дней, но создать сделку или задачу не удалось: ${work.error}`, {
        code: 'SERVICE_WORK_FAILED',
        values,
      });
    }
    const deal = work.dealCreated ? `создана сделка #${work.dealId}` : `открытая сделка #${work.dealId} уже есть`;
    const task = work.reminded ? 'задача по ней уже поставлена' : `поставлена задача #${work.taskId}`;
    return { ...values, LogMessage: `${name}: нет связи ${days}+ дней (последняя: ${last}) — ${deal}, ${task}.` };
  },
});

export default commsCheckSilence;
