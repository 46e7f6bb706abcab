/**
 * `bizproc.event.send` and `bizproc.activity.log` (PROTOCOL §3.1–3.4):
 *  1. keys upper-cased, EVENT_TOKEN unsigned: missing/malformed/forged → 403 ACCESS_DENIED "Access denied!";
 *  2. the workflow must still exist, else HTTP 400 with the numeric error code 404 (completed and terminated
 *     instances are deleted);
 *  3. a step that is not waiting, or a token from an earlier run of it (other eventId) → silent `true`;
 *  4. otherwise the log line is written, whitelisted RETURN_VALUES are applied (codes matched case-insensitively)
 *     and, unless it is a log call, the step closes and the workflow goes on.
 * Any user with the bizproc scope may call them; nothing checks that the caller owns the robot.
 */
import { RestError } from '../contract';
import type { MethodContext, MethodRegistry, PortalCore } from '../contract';
import { closeWaitingStep } from './engine';
import { verifyEventToken } from './event-token';
import { message } from './messages';
import { isEmpty, isPlainObject, isTruthy, upperCaseParams } from './params';
import { findRegistration } from './registration';
import { bizprocState } from './state';
import type { PropertyDef } from './state';
import { writeLog } from './workflow-log';

export interface ExternalEvent {
  token: unknown;
  returnValues?: unknown;
  logMessage?: unknown;
  /** `bizproc.activity.log`: write the line, keep the step waiting. */
  logAction: boolean;
}


/** A returned value as the property type keeps it: multiple → array; single → one value. Falsy values stay raw. */
function internalize(property: PropertyDef, value: unknown): unknown {
  if (!isTruthy(value)) return value;
  if (property.Multiple === 'Y') return Array.isArray(value) ? value : [value];
  return Array.isArray(value) ? value[0] : value;
}

function describe(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(', ') : String(value ?? '');
}

export function sendExternalEvent(portal: PortalCore, event: ExternalEvent): true {
  const state = bizprocState(portal);
  const parts = verifyEventToken(state.secret, event.token);
  if (!parts) throw new RestError(403, 'ACCESS_DENIED', 'Access denied!');
  const instance = state.instances[parts.workflowId];
  if (!instance) {
    // CBPRuntime::EXCEPTION_CODE_INSTANCE_NOT_FOUND re-thrown as RestException(message, 404): HTTP 400, "error": 404.
    throw new RestError(400, 404, message(portal.culture, 'instanceNotFound'));
  }
  const step = instance.steps[instance.current];
  if (instance.status !== 'waiting' || !step || step.name !== parts.activityName || instance.eventId !== parts.eventId) {
    return true; // closed step or a token of an earlier run: silently ignored
  }

  const text = typeof event.logMessage === 'string' || typeof event.logMessage === 'number' ? String(event.logMessage) : '';
  writeLog(portal, instance.id, step, 'message', text !== '' ? text : message(portal.culture, 'defaultLog'));
  if (event.logAction) return true;

  const registration = findRegistration(portal, step.clientId, step.code, step.isRobot);
  const whitelist = registration?.returnProperties ?? {};
  const applied: string[] = [];
  if (isPlainObject(event.returnValues)) {
    const results = (instance.results[step.name] ??= {});
    for (const [key, value] of Object.entries(event.returnValues)) {
      const code = Object.keys(whitelist).find((c) => c.toUpperCase() === key.toUpperCase());
      if (code === undefined) continue; // unknown keys are silently dropped
      results[code] = internalize(whitelist[code], value);
      applied.push(`${code}=${describe(results[code])}`);
    }
  }
  if (applied.length > 0) {
    writeLog(portal, instance.id, step, 'return', message(portal.culture, 'returned', { values: applied.join('; ') }));
  }
  closeWaitingStep(portal, instance);
  return true;
}

function eventSend(ctx: MethodContext): true {
  const params = upperCaseParams(ctx.params);
  return sendExternalEvent(ctx.portal, {
    token: params.EVENT_TOKEN,
    // RETURN_VALUES keys were upper-cased with the rest; the whitelist match is case-insensitive anyway.
    returnValues: params.RETURN_VALUES,
    logMessage: params.LOG_MESSAGE,
    logAction: false,
  });
}

function activityLog(ctx: MethodContext): true {
  const params = upperCaseParams(ctx.params);
  const logMessage = params.LOG_MESSAGE;
  if (isEmpty(logMessage)) {
    throw new RestError(400, 'ERROR_EMPTY_LOG_MESSAGE', 'Empty log message!');
  }
  return sendExternalEvent(ctx.portal, { token: params.EVENT_TOKEN, logMessage, logAction: true });
}

export function registerEventSendMethods(registry: MethodRegistry): void {
  registry.register('bizproc.event.send', eventSend, { scope: 'bizproc' });
  registry.register('bizproc.activity.log', activityLog, { scope: 'bizproc' });
}
