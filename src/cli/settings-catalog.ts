/**
 * The per-portal settings object, as the robots define it: one key per settings module (e.g. `onboarding`, with its
 * JSON schema and defaults) and `schedules` (`<job>`: a cron expression or "off", read by the scheduler). Validation of
 * a whole settings object, with every problem naming its key.
 */
import cron from 'node-cron';
import { resolveSettings, SettingsError } from '../activities/settings';
import type { RobotDefinition, SettingsModule } from '../activities/types';
import { jobsFromRobots, type ScheduledJob } from '../scheduler/jobs';

export const SCHEDULES_KEY = 'schedules';

export interface SettingsCatalog {
  modules: Map<string, SettingsModule>;
  jobs: ScheduledJob[];
  keys(): string[];
}

export function settingsCatalog(robots: readonly RobotDefinition[]): SettingsCatalog {
  const modules = new Map<string, SettingsModule>();
  for (const robot of robots) if (robot.settings) modules.set(robot.settings.key, robot.settings);
  const jobs = jobsFromRobots(robots);
  return {
    modules,
    jobs,
    keys: () => [...modules.keys(), ...(jobs.length ? [SCHEDULES_KEY] : [])].sort(),
  };
}

function scheduleProblems(catalog: SettingsCatalog, value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`"${SCHEDULES_KEY}" must be an object of job → cron expression or "off"`];
  }
  const problems: string[] = [];
  const names = catalog.jobs.map((job) => job.name);
  for (const [job, cronText] of Object.entries(value as Record<string, unknown>)) {
    if (!names.includes(job)) problems.push(`"${SCHEDULES_KEY}.${job}" is not a scheduled job (jobs: ${names.join(', ') || 'none'})`);
    else if (cronText !== 'off' && (typeof cronText !== 'string' || !cron.validate(cronText))) {
      problems.push(`"${SCHEDULES_KEY}.${job}" must be a cron expression such as "0 9 * * 1", or "off"`);
    }
  }
  return problems;
}

/** Every problem of a stored settings object, each naming its key; empty when it is valid. */
export function settingsProblems(catalog: SettingsCatalog, settings: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(settings)) {
    const module = catalog.modules.get(key);
    if (module) {
      try {
        resolveSettings(module, value);
      } catch (error) {
        if (error instanceof SettingsError) problems.push(...error.problems);
        else throw error;
      }
    } else if (key === SCHEDULES_KEY) {
      problems.push(...scheduleProblems(catalog, value));
    } else {
      problems.push(`"${key}" is not a settings key (keys: ${catalog.keys().join(', ') || 'none'})`);
    }
  }
  return problems;
}

/** What the robots work with: each module's defaults under what the portal stored, and every job's cron. */
export function effectiveSettings(catalog: SettingsCatalog, stored: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, module] of catalog.modules) {
    try {
      out[key] = resolveSettings(module, stored[key]);
    } catch {
      // Invalid stored values are shown as stored: `settings get` must work to let the admin see what to fix.
      out[key] = stored[key];
    }
  }
  if (catalog.jobs.length) {
    const overrides = (stored[SCHEDULES_KEY] ?? {}) as Record<string, unknown>;
    out[SCHEDULES_KEY] = Object.fromEntries(catalog.jobs.map((job) => [job.name, overrides[job.name] ?? job.cron]));
  }
  for (const [key, value] of Object.entries(stored)) if (!(key in out)) out[key] = value;
  return out;
}
