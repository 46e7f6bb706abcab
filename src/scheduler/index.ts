export { createScheduler } from './scheduler';
export type { Scheduler, SchedulerOptions, FiredTick } from './scheduler';
export type { ScheduledJob } from './jobs';
export { jobsFromRobots, cronOverride } from './jobs';
export { nextRunAfter, assertCron, CronExpressionError } from './cron-next';
