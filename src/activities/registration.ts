/**
 * Registering the app's robots, activities and event bindings on one portal, with the installing admin's token
 * (bizproc.robot.* and bizproc.activity.* need an admin and an app token, PROTOCOL §1.1).
 *
 * Everything goes in `batch` requests: one for all `*.add` and `event.bind` commands (the client splits at 50),
 * then one for the `*.update` of codes that were already installed (`ERROR_ACTIVITY_ALREADY_INSTALLED` on a
 * re-registration within the same app version: the portal deletes them only on version update and uninstall).
 */
import { createHash } from 'node:crypto';
import type { B24, BatchCommand } from '../bitrix/types';
import { buildActivityPayload, buildRobotPayload, type RegistrationPayload } from './manifest';
import type { RobotDefinition } from './types';

export interface RegistrationEntry {
  kind: 'robot' | 'activity';
  code: string;
  payload: RegistrationPayload;
}

export interface EventBinding {
  event: string;
  handler: string;
}

export interface RegistrationPlan {
  entries: RegistrationEntry[];
  events: EventBinding[];
  /** Hash of everything registered: a portal registered with the same fingerprint needs nothing new. */
  fingerprint: string;
}

export interface RegistrationFailure {
  kind: 'robot' | 'activity' | 'event';
  code: string;
  error: string;
  description: string;
}

export interface RegistrationReport {
  added: string[];
  updated: string[];
  bound: string[];
  failed: RegistrationFailure[];
  ok: boolean;
}

/** Every event some robot subscribes to, upper-cased. */
export function subscribedEvents(robots: readonly RobotDefinition[]): string[] {
  return [...new Set(robots.flatMap((robot) => (robot.events ?? []).map((event) => event.toUpperCase())))].sort();
}

/** What to register for these robots: handlers at `${publicUrl}/robots/<code>`, events to `${publicUrl}/events`. */
export function planRegistration(
  robots: readonly RobotDefinition[],
  options: { publicUrl: string; authUserId: number },
): RegistrationPlan {
  const payloadOptions = { publicUrl: options.publicUrl, authUserId: options.authUserId };
  const entries: RegistrationEntry[] = [];
  for (const robot of robots) {
    const asRobot = buildRobotPayload(robot, payloadOptions);
    if (asRobot) entries.push({ kind: 'robot', code: asRobot.CODE, payload: asRobot });
    const asActivity = buildActivityPayload(robot, payloadOptions);
    if (asActivity) entries.push({ kind: 'activity', code: asActivity.CODE, payload: asActivity });
  }
  const handler = `${options.publicUrl.replace(/\/+$/, '')}/events`;
  const events = subscribedEvents(robots).map((event) => ({ event, handler }));
  const fingerprint = createHash('sha256').update(JSON.stringify({ entries, events })).digest('hex').slice(0, 16);
  return { entries, events, fingerprint };
}

const ALREADY_INSTALLED = 'ERROR_ACTIVITY_ALREADY_INSTALLED';

/** event.bind of a handler that is already bound fails ("Handler already binded"); that is the state we want. */
function alreadyBound(failure: { error: string; error_description: string }): boolean {
  return /ALREADY_BIND|already bind/i.test(`${failure.error} ${failure.error_description}`);
}

function method(kind: 'robot' | 'activity', verb: 'add' | 'update'): string {
  return `bizproc.${kind}.${verb}`;
}

/** Registers the plan on the portal `b24` is scoped to (use the admin's scope). Never throws for one failed command. */
export async function registerApp(b24: B24, plan: RegistrationPlan): Promise<RegistrationReport> {
  const report: RegistrationReport = { added: [], updated: [], bound: [], failed: [], ok: true };
  const commands: Record<string, BatchCommand> = {};
  const byKey = new Map<string, RegistrationEntry>();
  plan.entries.forEach((entry, i) => {
    const key = `${entry.kind}_${i}`;
    commands[key] = [method(entry.kind, 'add'), { ...entry.payload }];
    byKey.set(key, entry);
  });
  plan.events.forEach((binding, i) => {
    commands[`event_${i}`] = ['event.bind', { event: binding.event, handler: binding.handler }];
  });

  const first = await b24.batch(commands);
  const updates: Record<string, BatchCommand> = {};
  for (const [key, entry] of byKey) {
    const failure = first.errors[key];
    if (!failure) {
      report.added.push(entry.code);
    } else if (failure.error === ALREADY_INSTALLED) {
      const { CODE, ...fields } = entry.payload;
      updates[key] = [method(entry.kind, 'update'), { CODE, FIELDS: fields }];
    } else {
      report.failed.push({ kind: entry.kind, code: entry.code, error: failure.error, description: failure.error_description });
    }
  }
  plan.events.forEach((binding, i) => {
    const failure = first.errors[`event_${i}`];
    if (!failure || alreadyBound(failure)) report.bound.push(binding.event);
    else report.failed.push({ kind: 'event', code: binding.event, error: failure.error, description: failure.error_description });
  });

  if (Object.keys(updates).length > 0) {
    const second = await b24.batch(updates);
    for (const key of Object.keys(updates)) {
      const entry = byKey.get(key) as RegistrationEntry;
      const failure = second.errors[key];
      if (failure) report.failed.push({ kind: entry.kind, code: entry.code, error: failure.error, description: failure.error_description });
      else report.updated.push(entry.code);
    }
  }
  report.ok = report.failed.length === 0;
  return report;
}
