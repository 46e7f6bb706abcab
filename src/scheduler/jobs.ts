/**
 * What the service runs on its own (RULES.md §F): each job enqueues a run of a robot for every installed portal
 * on its cron schedule, in the portal's time zone. A portal may override the cron in its settings
 * (`schedules.<job>`: a cron expression, or "off").
 */

export interface ScheduledJob {
  /** Stable job name, part of the schedule id `<memberId>:<name>`. */
  name: string;
  /** Robot run when the job fires (a scheduled run has no document and no event token). */
  robotCode: string;
  /** Default cron in the portal's time zone. */
  cron: string;
  description: string;
}

/** Reads the per-portal override from the portal's settings object: `{schedules: {<job>: "0 9 * * 1" | "off"}}`. */
export function cronOverride(settings: Record<string, unknown>, job: string): string | null | undefined {
  const schedules = settings.schedules;
  if (!schedules || typeof schedules !== 'object') return undefined;
  const value = (schedules as Record<string, unknown>)[job];
  if (value === 'off' || value === false) return null;
  return typeof value === 'string' ? value : undefined;
}

/** The jobs of a robot list: every robot with a `schedule` becomes a job named after its code. */
export function jobsFromRobots(
  robots: ReadonlyArray<{ code: string; schedule?: { cron: string; description?: string } }>,
): ScheduledJob[] {
  return robots
    .filter((robot) => robot.schedule)
    .map((robot) => ({
      name: robot.code,
      robotCode: robot.code,
      cron: robot.schedule!.cron,
      description: robot.schedule!.description ?? robot.code,
    }));
}
