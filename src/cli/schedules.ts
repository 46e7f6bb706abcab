/**
 * `b24robots schedules [--portal P] [--json]`: what the service runs on its own (RULES.md §F) — per portal, each job of
 * a robot with a `schedule`, its cron in the portal's time zone (or the portal's override from its settings, or
 * "off"), the last run and the next one. Read-only: a portal the scheduler has not synced yet shows the next run it
 * will get, computed here, and `-` as its last run.
 */
import type { Command } from 'commander';
import { cronOverride, jobsFromRobots, type ScheduledJob } from '../scheduler/jobs';
import { assertCron, nextRunAfter } from '../scheduler/cron-next';
import type { PortalRecord, ScheduleRecord, Store } from '../store/types';
import type { CliContext } from './context';
import { formatWhen } from './output';

export interface ScheduleRow {
  domain: string;
  memberId: string;
  job: string;
  robot: string;
  cron: string;
  timeZone: string;
  enabled: boolean;
  /** The cron comes from the portal's settings (`schedules.<job>`), not the robot's default. */
  overridden: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
  /** The next run is already past: the service was down (or is not running); the scheduler fires it once on its next
   *  heartbeat. */
  overdue: boolean;
  description: string;
}

function effectiveCron(job: ScheduledJob, settings: Record<string, unknown>): { cron: string | null; overridden: boolean } {
  const override = cronOverride(settings, job.name);
  if (override === undefined) return { cron: job.cron, overridden: false };
  if (override === null) return { cron: null, overridden: true };
  try {
    assertCron(override);
    return { cron: override, overridden: true };
  } catch {
    // The scheduler ignores a bad override too and keeps the default (it logs a warning).
    return { cron: job.cron, overridden: false };
  }
}

export async function scheduleRows(store: Store, portals: PortalRecord[], jobs: ScheduledJob[], now: Date): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = [];
  for (const portal of portals) {
    const stored = new Map<string, ScheduleRecord>((await store.listSchedules(portal.memberId)).map((s) => [s.job, s]));
    const settings = await store.getSettings(portal.memberId);
    for (const job of jobs) {
      const { cron, overridden } = effectiveCron(job, settings);
      const record = stored.get(job.name);
      const enabled = cron !== null;
      // The stored row is the scheduler's truth when it matches the current cron; otherwise show what will happen.
      const current = record && record.cron === (cron ?? record.cron) && record.timeZone === portal.timeZone && record.enabled === enabled;
      const next = !enabled ? null : current ? record.nextRunAt : nextRunAfter(cron, portal.timeZone, now);
      rows.push({
        domain: portal.domain,
        memberId: portal.memberId,
        job: job.name,
        robot: job.robotCode,
        cron: cron ?? 'off',
        timeZone: portal.timeZone,
        enabled,
        overridden,
        lastRunAt: record?.lastRunAt?.toISOString() ?? null,
        nextRunAt: next?.toISOString() ?? null,
        overdue: next !== null && next.getTime() <= now.getTime(),
        description: job.description,
      });
    }
  }
  return rows;
}

export function registerSchedulesCommand(program: Command, context: () => CliContext): void {
  program
    .command('schedules')
    .description('jobs the service runs on its own, per portal: cron (portal time zone), last and next run')
    .option('--portal <portal>', 'member_id or domain of one portal (default: all)')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `
A portal can move or switch off a job in its settings: {"schedules": {"calls_distribute": "0 10 * * 1"}} or "off".

Examples:
  $ b24robots schedules
  $ b24robots schedules --portal acme.bitrix24.ru --json`,
    )
    .action(async (opts: { portal?: string; json?: boolean }) => {
      const ctx = context();
      const store = await ctx.store();
      const portals = await ctx.selectPortals({ portal: opts.portal }, { defaultAll: true });
      const rows = await scheduleRows(store, portals, jobsFromRobots(ctx.robots()), ctx.now());
      if (opts.json) {
        ctx.out.json(rows);
        return;
      }
      const when = (iso: string | null) => formatWhen(iso ? new Date(iso) : null);
      ctx.out.print(
        ctx.out.table(
          ['portal', 'job', 'cron', 'time zone', 'last run', 'next run', 'what'],
          rows.map((row) => [
            row.domain,
            row.job,
            row.enabled ? `${row.cron}${row.overridden ? ' (portal setting)' : ''}` : ctx.out.color.dim('off (portal setting)'),
            row.timeZone,
            when(row.lastRunAt),
            row.overdue ? ctx.out.color.yellow(`${when(row.nextRunAt)} (overdue)`) : when(row.nextRunAt),
            row.description,
          ]),
        ),
      );
    });
}
