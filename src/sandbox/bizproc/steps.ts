/**
 * Turning "put robot X with these settings here" into a template step, as the designer does: the robot or action
 * must be registered (by some app) when it is placed; its activity name is generated.
 */
import type { PortalCore } from '../contract';
import { newActivityName } from './event-token';
import { bizprocState } from './state';
import type { StepDef } from './state';

export interface StepSpec {
  code: string;
  /** The app that registered the code; needed only when several apps registered the same code. */
  clientId?: string;
  /** Property values as typed in the designer (literals, `{=Document:FIELD}`, `user_N`, arrays). */
  properties?: Record<string, unknown>;
  /** "Run as": overrides the registration's AUTH_USER_ID. */
  authUserId?: number;
  /** Seconds to wait for bizproc.event.send before the step closes with IsTimeout = 1; 0 = forever. */
  timeoutSeconds?: number;
  /** Only honoured when the registration's USE_SUBSCRIPTION is empty. */
  useSubscription?: 'Y' | 'N';
}

/** What the designer stores: Y/N for booleans, and JSON-safe dates (the state is saved as JSON). */
function designerValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  if (Array.isArray(value)) return value.map(designerValue);
  return value;
}

export function resolveStep(portal: PortalCore, spec: StepSpec, isRobot: boolean): StepDef {
  const kind = isRobot ? 'robot' : 'action';
  if (typeof spec.code !== 'string' || spec.code === '') throw new Error(`a ${kind} step needs the registered "code"`);
  const candidates = bizprocState(portal).registrations.filter(
    (r) => r.code === spec.code && r.isRobot === isRobot && (spec.clientId === undefined || r.clientId === spec.clientId),
  );
  if (candidates.length === 0) {
    throw new Error(
      `no ${kind} "${spec.code}" is registered on ${portal.domain}${spec.clientId ? ` by ${spec.clientId}` : ''}: ` +
        `register it with bizproc.${isRobot ? 'robot' : 'activity'}.add first`,
    );
  }
  if (candidates.length > 1) {
    throw new Error(`several apps registered the ${kind} "${spec.code}": pass clientId (${candidates.map((r) => r.clientId).join(', ')})`);
  }
  const timeoutSeconds = Number(spec.timeoutSeconds ?? 0);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) throw new Error(`timeoutSeconds must be ≥ 0, got ${String(spec.timeoutSeconds)}`);
  if (spec.useSubscription !== undefined && spec.useSubscription !== 'Y' && spec.useSubscription !== 'N') {
    throw new Error(`useSubscription must be "Y" or "N", got ${String(spec.useSubscription)}`);
  }
  const step: StepDef = {
    name: newActivityName(),
    clientId: candidates[0].clientId,
    code: candidates[0].code,
    isRobot,
    properties: Object.fromEntries(Object.entries(spec.properties ?? {}).map(([k, v]) => [k, designerValue(v)])),
    timeoutSeconds,
  };
  if (spec.authUserId !== undefined) step.authUserId = Number(spec.authUserId);
  if (spec.useSubscription !== undefined) step.useSubscription = spec.useSubscription;
  return step;
}
