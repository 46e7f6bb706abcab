/**
 * Finding communications through REST. For one company: the card, its latest completed call/e-mail and its latest
 * deal in ONE batch request ("last communication" recipe, PROTOCOL §6.5: order by END_TIME desc, first row). For the
 * sweep: only the companies the cheap fields left as candidates, 50 per sub-call (`@OWNER_ID`, `@COMPANY_ID`), asking
 * only for what happened since the silence threshold — a truly silent company answers with no rows at all.
 */
import { RobotError } from '../../src/activities/robot-error';
import { formatIsoDateTime } from '../../src/activities/time-zone';
import { commandError } from '../../src/bitrix/batch';
import type { B24, BatchCommand } from '../../src/bitrix/types';
import { activityContactDate, companyFacts, dealContactDate, type CompanyFacts } from './contact';
import { chunks, PAGE, pageRows } from './list-queries';
import { latest } from './week';

/** OWNER_TYPE_ID of a company (PROTOCOL §5.6: entityTypeId 4). */
const COMPANY_TYPE = 4;

export interface CompanyContact {
  facts: CompanyFacts;
  /** The latest of the card's dates, the latest counted activity and the latest deal. */
  lastContact: Date | null;
}

export async function companyContact(
  b24: B24,
  companyId: number,
  options: { lastContactField: string; activityTypes: number[]; now: Date },
): Promise<CompanyContact> {
  const answer = await b24.batch({
    company: ['crm.company.get', { id: companyId }],
    activity: [
      'crm.activity.list',
      {
        filter: { OWNER_TYPE_ID: COMPANY_TYPE, OWNER_ID: companyId, '@TYPE_ID': options.activityTypes, COMPLETED: 'Y' },
        order: { END_TIME: 'DESC' },
        select: ['ID', 'START_TIME', 'END_TIME'],
        start: 0,
      },
    ],
    deal: [
      'crm.deal.list',
      { filter: { COMPANY_ID: companyId }, order: { DATE_MODIFY: 'DESC' }, select: ['ID', 'DATE_CREATE', 'DATE_MODIFY'], start: 0 },
    ],
  });
  const failure = answer.errors.company;
  if (failure) {
    // Legacy crm methods answer `"error": ""` with "Not found" (PROTOCOL §6.2).
    if (/not\s*found/i.test(failure.error_description)) {
      throw new RobotError(`Компания ${companyId} не найдена (удалена или нет доступа)`, { code: 'COMPANY_NOT_FOUND' });
    }
    throw commandError('crm.company.get', failure, b24.memberId);
  }
  if (answer.errors.activity) throw commandError('crm.activity.list', answer.errors.activity, b24.memberId);
  if (answer.errors.deal) throw commandError('crm.deal.list', answer.errors.deal, b24.memberId);
  const facts = companyFacts(answer.result.company as Record<string, unknown>, options.lastContactField);
  const activity = pageRows(answer.result.activity)[0];
  const deal = pageRows(answer.result.deal)[0];
  const lastContact = latest(
    facts.recorded,
    activity ? activityContactDate(activity, options.now) : null,
    deal ? dealContactDate(deal) : null,
  );
  return { facts, lastContact };
}

/**
 * Companies (of `ids`) with a counted activity or a deal since `since`: companyId → the latest such date seen.
 * Two sub-calls per 50 companies, 25 groups of 50 companies per batch request. A sub-call whose page came back full
 * may hide companies on later pages: those companies — only the ones not seen yet — are asked again in the next round.
 */
export async function recentContacts(
  b24: B24,
  ids: number[],
  since: Date,
  options: { activityTypes: number[]; timeZone: string; now: Date },
): Promise<Map<number, Date>> {
  const sinceIso = formatIsoDateTime(since, options.timeZone);
  const found = new Map<number, Date>();
  const note = (companyId: number, date: Date | null) => {
    if (!date) return;
    const known = found.get(companyId);
    if (!known || known.getTime() < date.getTime()) found.set(companyId, date);
  };
  let open = ids;
  while (open.length > 0) {
    const groups = chunks(open);
    const commands: BatchCommand[] = [];
    for (const group of groups) {
      commands.push([
        'crm.activity.list',
        {
          filter: { OWNER_TYPE_ID: COMPANY_TYPE, '@OWNER_ID': group, '@TYPE_ID': options.activityTypes, COMPLETED: 'Y', '>=END_TIME': sinceIso },
          select: ['ID', 'OWNER_ID', 'START_TIME', 'END_TIME'],
          order: { ID: 'ASC' },
          start: -1,
        },
      ]);
      // DATE_MODIFY ≥ DATE_CREATE, so one condition finds deals created or worked on since the threshold.
      commands.push([
        'crm.deal.list',
        {
          filter: { '@COMPANY_ID': group, '>=DATE_MODIFY': sinceIso },
          select: ['ID', 'COMPANY_ID', 'DATE_CREATE', 'DATE_MODIFY'],
          order: { ID: 'ASC' },
          start: -1,
        },
      ]);
    }
    const answer = await b24.batch(commands);
    const again: number[] = [];
    groups.forEach((group, index) => {
      let full = false;
      for (const [offset, method] of [[0, 'crm.activity.list'], [1, 'crm.deal.list']] as const) {
        const key = String(index * 2 + offset);
        if (answer.errors[key]) throw commandError(method, answer.errors[key], b24.memberId);
        const rows = pageRows(answer.result[key]);
        for (const row of rows) {
          if (offset === 0) note(Number(row.OWNER_ID), activityContactDate(row, options.now));
          else note(Number(row.COMPANY_ID), dealContactDate(row));
        }
        if (rows.length >= PAGE) full = true;
      }
      // A full page: the group's companies not seen so far may be on the next one.
      if (full) again.push(...group.filter((companyId) => !found.has(companyId)));
    });
    open = again;
  }
  return found;
}
