/**
 * The weekly call distribution as pure functions (RULES.md §B `calls_distribute`): no REST here, so every case —
 * wrap-around, a new manager, a rerun in the same week, fewer companies than capacity — is unit-tested.
 *
 * The company queue is all companies in id order. A cursor (the last company id handed out) carries over from week to
 * week; reading goes on after it and wraps to the lowest id. Within one week the companies handed out form one
 * circular range that starts after the week's start cursor, so a rerun in the same week continues the range and never
 * reaches a company twice: after the wrap it stops at the week's start cursor.
 */

export interface Manager {
  userId: number;
  name: string;
}

export interface QueueCompany {
  id: number;
  title: string;
}

export interface WeekRecord {
  /** ISO week in the portal's zone, `2025-W03`. */
  week: string;
  /** The cursor when the week began: after the wrap, companies with id ≤ startCursor are this week's last ones. */
  startCursor: number;
  /** The week's range has wrapped past the highest company id. */
  wrapped: boolean;
  /** Companies given this week, by manager user id. */
  given: Record<string, number>;
}

export interface DistributionState {
  /** The last company id handed out (0: none yet). */
  cursor: number;
  week: WeekRecord | null;
}

export const EMPTY_STATE: DistributionState = { cursor: 0, week: null };

export interface Assignment {
  companyId: number;
  companyTitle: string;
  managerId: number;
}

/** One id range of the queue to read, in order: ids > after and, when set, ≤ upTo. */
export interface QueueRange {
  after: number;
  upTo: number | null;
  /** Reading this range means the week's queue has wrapped. */
  wraps: boolean;
}

/** This week's record: the stored one for the same week, or a fresh one starting at the carried-over cursor. */
export function openWeek(state: DistributionState, week: string): WeekRecord {
  if (state.week && state.week.week === week) return { ...state.week, given: { ...state.week.given } };
  return { week, startCursor: state.cursor, wrapped: false, given: {} };
}

/** How many more companies each manager gets this week, in list order; managers already served are left out. */
export function quotas(managers: Manager[], record: WeekRecord, perManager: number): Array<{ manager: Manager; need: number }> {
  return managers
    .map((manager) => ({ manager, need: Math.max(0, perManager - (record.given[String(manager.userId)] ?? 0)) }))
    .filter((quota) => quota.need > 0);
}

/** The id ranges still open this week, starting after the cursor. */
export function queueRanges(cursor: number, record: WeekRecord): QueueRange[] {
  if (record.wrapped) return cursor < record.startCursor ? [{ after: cursor, upTo: record.startCursor, wraps: false }] : [];
  const ranges: QueueRange[] = [{ after: cursor, upTo: null, wraps: false }];
  if (record.startCursor > 0) ranges.push({ after: 0, upTo: record.startCursor, wraps: true });
  return ranges;
}

/**
 * Deals companies to managers in turn (one each, round after round), like cards, so with fewer companies than
 * capacity every manager still gets a fair share. A manager leaves the round once his quota is full.
 */
export function dealCompanies(companies: QueueCompany[], wanted: Array<{ manager: Manager; need: number }>): Assignment[] {
  const left = wanted.map((quota) => ({ ...quota }));
  const out: Assignment[] = [];
  let next = 0;
  while (next < companies.length) {
    const active = left.filter((quota) => quota.need > 0);
    if (active.length === 0) break;
    for (const quota of active) {
      if (next >= companies.length) break;
      const company = companies[next++];
      out.push({ companyId: company.id, companyTitle: company.title, managerId: quota.manager.userId });
      quota.need -= 1;
    }
  }
  return out;
}

export interface PlannedWeek {
  assignments: Assignment[];
  /** The state to store once the plan is reserved. */
  state: DistributionState;
  /** Companies still wanted after the queue ran out (capacity larger than the queue). */
  shortfall: number;
}

/**
 * Applies what was read from the queue: `read` are the companies in queue order, `wrapped` whether the read went
 * into the wrapping range.
 */
export function planWeek(
  state: DistributionState,
  record: WeekRecord,
  wanted: Array<{ manager: Manager; need: number }>,
  read: QueueCompany[],
  wrapped: boolean,
): PlannedWeek {
  const assignments = dealCompanies(read, wanted);
  const given = { ...record.given };
  for (const assignment of assignments) given[String(assignment.managerId)] = (given[String(assignment.managerId)] ?? 0) + 1;
  const capacity = wanted.reduce((sum, quota) => sum + quota.need, 0);
  const last = assignments.length > 0 ? assignments[assignments.length - 1].companyId : state.cursor;
  return {
    assignments,
    state: { cursor: last, week: { ...record, wrapped: record.wrapped || wrapped, given } },
    shortfall: Math.max(0, capacity - assignments.length),
  };
}

/** The call task title: `{company}` is replaced with the company's name. */
export function callTaskTitle(template: string, companyTitle: string): string {
  const name = companyTitle.trim() || 'без названия';
  return template.includes('{company}') ? template.split('{company}').join(name) : `${template} ${name}`.trim();
}
