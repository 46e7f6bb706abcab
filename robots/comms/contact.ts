/**
 * When a company was last in contact, and whether it has gone silent (RULES.md §B `comms_check_silence`), as pure
 * functions over what REST returned. Communication is: the stamp field, the portal's own LAST_COMMUNICATION_TIME
 * (PROTOCOL §6.3), a completed call or e-mail activity, and a deal (created or worked on). A company created less than
 * N days ago is not silent yet: the seed's workflow starts at the company's creation and looks back N days.
 */
import { daysAfter, latest, parseRestDate } from './week';

/** The company fields the silence check reads (legacy crm.company.* names, all strings, PROTOCOL §5.6). */
export const COMPANY_SELECT = ['ID', 'TITLE', 'ASSIGNED_BY_ID', 'DATE_CREATE', 'LAST_COMMUNICATION_TIME'];

export function companySelect(lastContactField: string): string[] {
  return [...COMPANY_SELECT, lastContactField];
}

export interface CompanyFacts {
  id: number;
  title: string;
  responsibleId: number | null;
  created: Date | null;
  /** The latest of the stamp field and LAST_COMMUNICATION_TIME. */
  recorded: Date | null;
}

export function companyFacts(row: Record<string, unknown>, lastContactField: string): CompanyFacts {
  const responsible = Number(row.ASSIGNED_BY_ID);
  return {
    id: Number(row.ID),
    title: String(row.TITLE ?? ''),
    responsibleId: Number.isInteger(responsible) && responsible > 0 ? responsible : null,
    created: parseRestDate(row.DATE_CREATE),
    recorded: latest(parseRestDate(row[lastContactField]), parseRestDate(row.LAST_COMMUNICATION_TIME)),
  };
}

/** The date a deal row counts as communication: when it was last worked on, else when it was created. */
export function dealContactDate(row: Record<string, unknown>): Date | null {
  return latest(parseRestDate(row.DATE_MODIFY), parseRestDate(row.DATE_CREATE), parseRestDate(row.CLOSEDATE_FACT));
}

/** The date an activity row counts as communication: its end, else its start; never in the future. */
export function activityContactDate(row: Record<string, unknown>, now: Date): Date | null {
  const date = parseRestDate(row.END_TIME) ?? parseRestDate(row.START_TIME) ?? parseRestDate(row.CREATED);
  if (!date) return null;
  return date.getTime() > now.getTime() ? now : date;
}

export interface SilenceVerdict {
  silent: boolean;
  /** The latest communication found (null: none at all). */
  lastContact: Date | null;
  /** When to look again: (last contact, or creation) + N days; for a silent company, N days from now (the service
   *  deal just created is itself a communication). */
  nextCheck: Date;
}

export function silenceVerdict(facts: Pick<CompanyFacts, 'created'>, lastContact: Date | null, now: Date, days: number): SilenceVerdict {
  const since = latest(lastContact, facts.created) ?? now;
  const due = daysAfter(since, days);
  const silent = due.getTime() <= now.getTime();
  return { silent, lastContact, nextCheck: silent ? daysAfter(now, days) : due };
}
