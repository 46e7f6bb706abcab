/**
 * Per-portal cron jobs that survive restarts and several instances.
 *
 * Each (portal, job) has a stored schedule row with its next due time. A heartbeat (node-cron, every minute)
 * looks for rows that are due: a tick missed while the service was down is fired once when it is back, and
 * `store.claimTick` makes one tick fire once even with several instances on one PostgreSQL.
 * Firing a tick only enqueues a run; the worker does the work.
 */
import cron from 'node-cron';
import { standaloneRun } from '../store/standalone-run';
import type { ScheduleRecord, Store } from '../store/types';
import { cronOverride, type ScheduledJob } from './jobs';
import { assertCron, nextRunAfter } from './cron-next';

export interface SchedulerLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface SchedulerOptions {
  store: Store;
  jobs: ScheduledJob[];
  clock?: () => Date;
  logger?: SchedulerLogger;
  /** Heartbeat cron (default every minute). */
  heartbeat?: string;
}

export interface FiredTick {
  scheduleId: string;
  memberId: string;
  job: string;
  tickAt: Date;
  runId: string;
}

export interface Scheduler {
  /** Creates, updates or disables the schedule rows of every installed portal. */
  sync(): Promise<ScheduleRecord[]>;
  /** Fires every due tick once; returns what this instance fired. */
  tick(): Promise<FiredTick[]>;
  start(): void;
  stop(): Promise<void>;
}

const silent: SchedulerLogger = { info() {}, warn() {}, error() {} };

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { store, jobs } = options;
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger ?? silent;
  for (const job of jobs) assertCron(job.cron);
  let task: ReturnType<typeof cron.schedule> | null = null;
  let running: Promise<unknown> = Promise.resolve();

  async function desiredSchedules(now: Date): Promise<ScheduleRecord[]> {
    const portals = await store.listPortals();
    const existing = new Map((await store.listSchedules()).map((s) => [s.id, s]));
    const desired: ScheduleRecord[] = [];
    for (const portal of portals) {
      const settings = await store.getSettings(portal.memberId);
      for (const job of jobs) {
        const id = `${portal.memberId}:${job.name}`;
        const current = existing.get(id);
        const override = cronOverride(settings, job.name);
        let expression = override === undefined ? job.cron : override;
        if (expression !== null) {
          try {
            assertCron(expression);
          } catch (error) {
            logger.warn('schedule override ignored', { portal: portal.memberId, job: job.name, error: String(error) });
            expression = job.cron;
          }
        }
        const enabled = expression !== null;
        const cronText = expression ?? job.cron;
        const unchanged = current && current.cron === cronText && current.timeZone === portal.timeZone && current.enabled === enabled;
        if (unchanged) continue;
        desired.push({
          id,
          memberId: portal.memberId,
          job: job.name,
          cron: cronText,
          timeZone: portal.timeZone,
          enabled,
          lastRunAt: current?.lastRunAt ?? null,
          // A new or changed schedule starts from now: nothing is "missed" before it existed.
          nextRunAt: enabled ? nextRunAfter(cronText, portal.timeZone, now) : null,
        });
      }
    }
    return desired;
  }

  async function sync(): Promise<ScheduleRecord[]> {
    const now = clock();
    const changed = await desiredSchedules(now);
    for (const schedule of changed) await store.upsertSchedule(schedule);
    const installed = new Set((await store.listPortals()).map((p) => p.memberId));
    for (const schedule of await store.listSchedules()) {
      if (!installed.has(schedule.memberId)) await store.deleteSchedule(schedule.id); // uninstalled: no more work
    }
    return store.listSchedules();
  }

  async function fire(schedule: ScheduleRecord, tickAt: Date, now: Date): Promise<FiredTick | null> {
    const job = jobs.find((j) => j.name === schedule.job);
    let fired: FiredTick | null = null;
    if (job && (await store.claimTick(schedule.id, tickAt))) {
      const { run } = await store.enqueueRun(
        standaloneRun({
          memberId: schedule.memberId,
          robotCode: job.robotCode,
          source: 'schedule',
          dedupeKey: `${job.name}@${tickAt.toISOString()}`,
          firedAt: tickAt,
        }),
      );
      fired = { scheduleId: schedule.id, memberId: schedule.memberId, job: job.name, tickAt, runId: run.id };
      const late = now.getTime() - tickAt.getTime() > 120_000;
      logger.info(late ? 'missed tick fired on catch-up' : 'tick fired', {
        portal: schedule.memberId,
        job: job.name,
        tick: tickAt.toISOString(),
        run: run.id,
      });
    }
    // Missed ticks collapse into the one just fired: the next one is computed from now.
    await store.markScheduleRun(schedule.id, tickAt, nextRunAfter(schedule.cron, schedule.timeZone, now));
    return fired;
  }

  async function tick(): Promise<FiredTick[]> {
    const now = clock();
    const schedules = await sync();
    const fired: FiredTick[] = [];
    for (const schedule of schedules) {
      if (!schedule.enabled || !schedule.nextRunAt || schedule.nextRunAt.getTime() > now.getTime()) continue;
      const result = await fire(schedule, schedule.nextRunAt, now);
      if (result) fired.push(result);
    }
    return fired;
  }

  function guardedTick(): void {
    running = running
      .then(tick)
      .catch((error) => logger.error('scheduler tick failed', { error: error instanceof Error ? error.message : String(error) }));
  }

  return {
    sync,
    tick,
    start() {
      if (task) return;
      task = cron.schedule(options.heartbeat ?? '* * * * *', guardedTick, { name: 'b24robots-scheduler', noOverlap: true });
      guardedTick(); // catch up at once on start
    },
    async stop() {
      if (task) {
        await task.stop();
        await task.destroy();
        task = null;
      }
      await running;
    },
  };
}
