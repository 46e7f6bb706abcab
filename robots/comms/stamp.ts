/**
 * The communication stamp (RULES.md §B `comms_stamp`; seed 001: «Звонки и сделки автоматически записывает в
 * техническое поле настроенный нами робот»): the company's technical field holds the date of its latest
 * communication. The field only moves forward, under a per-company lock, so a late event for an old call never
 * overwrites a newer date, and a rerun writes nothing (the write is idempotent by value).
 */
import { RobotError } from '../../src/activities/robot-error';
import { formatIsoDateTime } from '../../src/activities/time-zone';
import type { DocumentRef, RobotContext } from '../../src/activities/types';
import type { B24 } from '../../src/bitrix/types';
import { activityContactDate } from './contact';
import { companyContact } from './contact-lookup';
import type { CommsSettings } from './settings';
import { parseRestDate } from './week';

export interface StampSource {
  companyId: number;
  /** The communication's date. */
  date: Date;
  /** For the log: where it came from. */
  origin: string;
}

export interface StampOutcome extends StampSource {
  /** The field's value after the run. */
  lastContact: Date;
  written: boolean;
}

type Ctx = Pick<RobotContext<unknown, CommsSettings>, 'b24' | 'exclusive' | 'portal' | 'now'>;

const notFound = (what: string) => new RobotError(`${what} не найден(а) (удалена или нет доступа)`, { code: 'NOT_FOUND' });

async function legacyGet(b24: B24, method: string, id: number, what: string): Promise<Record<string, unknown>> {
  try {
    return await b24.call<Record<string, unknown>>(method, { id });
  } catch (error) {
    // Legacy crm methods answer `"error": ""` with "Not found" (PROTOCOL §6.2).
    if (/not\s*found/i.test(String((error as { description?: string }).description ?? (error as Error).message))) throw notFound(what);
    throw error;
  }
}

function companyOfDeal(deal: Record<string, unknown>, dealId: number): number {
  const companyId = Number(deal.COMPANY_ID);
  if (!Number.isInteger(companyId) || companyId <= 0) {
    throw new RobotError(`У сделки ${dealId} не указана компания: отметить коммуникацию негде`, { code: 'NO_COMPANY' });
  }
  return companyId;
}

/** An activity from the ONCRMACTIVITYADD event: a completed call/e-mail of a company or of a company's deal. */
async function fromActivity(ctx: Ctx, settings: CommsSettings, activityId: number): Promise<StampSource | string> {
  const rows = await ctx.b24.call<Array<Record<string, unknown>>>('crm.activity.list', {
    filter: { ID: activityId },
    select: ['ID', 'OWNER_TYPE_ID', 'OWNER_ID', 'TYPE_ID', 'COMPLETED', 'START_TIME', 'END_TIME'],
  });
  const activity = (rows ?? [])[0];
  if (!activity) return `дело ${activityId} не найдено`;
  if (!settings.activityTypes.includes(Number(activity.TYPE_ID))) return `дело ${activityId} — не звонок и не письмо`;
  if (activity.COMPLETED !== 'Y') return `дело ${activityId} ещё не завершено`;
  const date = activityContactDate(activity, ctx.now());
  if (!date) return `у дела ${activityId} нет даты`;
  const ownerType = Number(activity.OWNER_TYPE_ID);
  const ownerId = Number(activity.OWNER_ID);
  if (ownerType === 4) return { companyId: ownerId, date, origin: `дело ${activityId}` };
  if (ownerType === 2) {
    const deal = await legacyGet(ctx.b24, 'crm.deal.get', ownerId, `Сделка ${ownerId}`);
    return { companyId: companyOfDeal(deal, ownerId), date, origin: `дело ${activityId} по сделке ${ownerId}` };
  }
  return `дело ${activityId} не относится к компании или сделке`;
}

/** Where the communication is, from the run's document: a deal (now), a company (its history), an activity event. */
export async function stampSource(ctx: Ctx, settings: CommsSettings, document: DocumentRef | null): Promise<StampSource | string> {
  if (document?.kind === 'deal') {
    const deal = await legacyGet(ctx.b24, 'crm.deal.get', document.id, `Сделка ${document.id}`);
    // The robot runs as the deal enters a stage: the deal is being worked on now.
    return { companyId: companyOfDeal(deal, document.id), date: ctx.now(), origin: `сделка ${document.id}` };
  }
  if (document?.kind === 'company') {
    const { lastContact } = await companyContact(ctx.b24, document.id, {
      lastContactField: settings.lastContactField,
      activityTypes: settings.activityTypes,
      now: ctx.now(),
    });
    if (!lastContact) return `у компании ${document.id} нет коммуникаций`;
    return { companyId: document.id, date: lastContact, origin: 'история компании' };
  }
  if (document && /^ACTIVITY_\d+$/i.test(document.raw[2] ?? '')) return fromActivity(ctx, settings, document.id);
  const got = document ? document.raw.join('/') : 'без документа';
  throw new RobotError(`Робот работает на сделке, компании или по событию дела, получено: ${got}`, { code: 'BAD_DOCUMENT' });
}

export async function writeStamp(ctx: Ctx, settings: CommsSettings, source: StampSource): Promise<StampOutcome> {
  return ctx.exclusive(`comms:stamp:${source.companyId}`, async () => {
    const company = await legacyGet(ctx.b24, 'crm.company.get', source.companyId, `Компания ${source.companyId}`);
    const current = parseRestDate(company[settings.lastContactField]);
    if (current && current.getTime() >= source.date.getTime()) return { ...source, lastContact: current, written: false };
    await ctx.b24.call('crm.company.update', {
      id: source.companyId,
      fields: { [settings.lastContactField]: formatIsoDateTime(source.date, ctx.portal.timeZone) },
      // A technical field: no live-feed post for every stamp.
      params: { REGISTER_SONET_EVENT: 'N' },
    });
    return { ...source, lastContact: source.date, written: true };
  });
}
