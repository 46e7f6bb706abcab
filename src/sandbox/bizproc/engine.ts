/**
 * The workflow runtime: runs a sequence of REST robots/actions on a CRM document (PROTOCOL §2.1, §3.4).
 * A step evaluates its property values, POSTs the handler call and then either closes at once
 * (`use_subscription=N`) or waits for `bizproc.event.send` or its timeout (`Y`). Finished workflows are removed
 * from the instance table, as the real runtime deletes completed and terminated instances.
 */
import type { IssuedTokens, PortalCore } from '../contract';
import { documentIdOf, documentTypeOf } from './document-ids';
import { newEventId, newWorkflowId, signEventToken } from './event-token';
import { evaluate } from './expressions';
import { externalizeProperty } from './externalize';
import { handlerCallBody, robotAuth } from './handler-call';
import { message } from './messages';
import type { MessageKey } from './messages';
import { postForm } from './outbound';
import { findRegistration } from './registration';
import { clearTimer, notifyChange, runtimeOf } from './runtime';
import { bizprocState } from './state';
import type { InstanceStatus, StepDef, WorkflowInstance } from './state';
import { writeLog } from './workflow-log';

/** timeout_duration is capped at 5 years (PROTOCOL §2.2). */
const MAX_TIMEOUT_SECONDS = 5 * 365 * 24 * 3600;
/** setTimeout cannot wait longer than this; longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface StartSpec {
  kind: WorkflowInstance['kind'];
  templateId: number | null;
  stageId: string | null;
  entityTypeId: number;
  entityId: number;
  steps: StepDef[];
  parameters?: Record<string, unknown>;
  constants?: Record<string, unknown>;
  startedBy: number;
}

function text(portal: PortalCore, key: MessageKey, values?: Record<string, string>): string {
  return message(portal.culture, key, values);
}

export function startWorkflow(portal: PortalCore, spec: StartSpec): WorkflowInstance {
  const state = bizprocState(portal);
  const now = runtimeOf(portal).sandbox.now();
  const instance: WorkflowInstance = {
    id: newWorkflowId(now),
    kind: spec.kind,
    templateId: spec.templateId,
    stageId: spec.stageId,
    entityTypeId: spec.entityTypeId,
    entityId: spec.entityId,
    // A copy: editing the stage's robots later does not change a running workflow.
    steps: JSON.parse(JSON.stringify(spec.steps)) as StepDef[],
    current: 0,
    status: 'running',
    eventId: null,
    timeoutAt: null,
    startedAt: now.toISOString(),
    startedBy: spec.startedBy,
    parameters: spec.parameters ?? {},
    constants: spec.constants ?? {},
    variables: {},
    results: {},
  };
  state.instances[instance.id] = instance;
  state.workflows[instance.id] = {
    id: instance.id,
    kind: instance.kind,
    templateId: instance.templateId,
    entityTypeId: instance.entityTypeId,
    entityId: instance.entityId,
    status: 'running',
    startedAt: instance.startedAt,
    finishedAt: null,
    results: instance.results,
  };
  writeLog(portal, instance.id, null, 'start', text(portal, 'started'));
  advance(portal, instance);
  return instance;
}

/** Ends a workflow: it leaves the instance table (so event.send answers the 404-coded error) and keeps its summary. */
export function finishWorkflow(portal: PortalCore, instance: WorkflowInstance, status: InstanceStatus, line: string): void {
  const state = bizprocState(portal);
  clearTimer(portal, instance.id);
  instance.status = status;
  instance.eventId = null;
  instance.timeoutAt = null;
  delete state.instances[instance.id];
  const summary = state.workflows[instance.id];
  if (summary) {
    summary.status = status;
    summary.finishedAt = runtimeOf(portal).sandbox.now().toISOString();
    summary.results = instance.results;
  }
  writeLog(portal, instance.id, null, status === 'error' ? 'error' : 'finish', line);
  notifyChange(portal);
}

function advance(portal: PortalCore, instance: WorkflowInstance): void {
  while (instance.status === 'running') {
    if (instance.current >= instance.steps.length) {
      finishWorkflow(portal, instance, 'completed', text(portal, 'completed'));
      return;
    }
    const step = instance.steps[instance.current];
    const outcome = executeStep(portal, instance, step);
    if (outcome !== 'closed') return;
    writeLog(portal, instance.id, step, 'close', text(portal, 'closed', { code: step.code }));
    instance.current++;
  }
}

function lookupValue(values: Record<string, unknown>, code: string): unknown {
  if (code in values) return values[code];
  const found = Object.keys(values).find((key) => key.toLowerCase() === code.toLowerCase());
  return found === undefined ? undefined : values[found];
}

function issueTokens(portal: PortalCore, clientId: string, userId: number): IssuedTokens | null {
  if (!userId) return null; // no user to mint a token for: the call goes without tokens (PROTOCOL §2.2)
  try {
    return runtimeOf(portal).sandbox.issueTokens(portal, clientId, userId, { withRefresh: true });
  } catch {
    return null;
  }
}

function executeStep(portal: PortalCore, instance: WorkflowInstance, step: StepDef): 'closed' | 'wait' | 'failed' {
  const { sandbox } = runtimeOf(portal);
  const registration = findRegistration(portal, step.clientId, step.code, step.isRobot);
  if (!registration) {
    // A robot of an updated or deleted app is "blocked" until the app registers it again (PROTOCOL §1.1).
    finishWorkflow(portal, instance, 'error', text(portal, 'notInstalled', { code: step.code }));
    return 'failed';
  }
  const applicationToken = sandbox.applicationToken(portal, step.clientId);
  if (!applicationToken) {
    finishWorkflow(portal, instance, 'error', text(portal, 'appNotFound'));
    return 'failed';
  }
  const document = portal.documents.get(instance.entityTypeId, instance.entityId);
  if (!document) {
    finishWorkflow(portal, instance, 'error', text(portal, 'noDocument'));
    return 'failed';
  }

  const scope = {
    document,
    parameters: instance.parameters,
    constants: instance.constants,
    variables: instance.variables,
    results: instance.results,
  };
  const context = { culture: portal.culture, timeZone: portal.timeZone, document };
  const properties: Record<string, ReturnType<typeof externalizeProperty>> = {};
  for (const [code, property] of Object.entries(registration.properties)) {
    const given = lookupValue(step.properties, code);
    const raw = given === undefined ? property.Default : given;
    properties[code] = externalizeProperty(property, evaluate(raw ?? null, scope), context);
  }

  // Only an exactly-'Y' registration waits; an empty one lets the designer choose (PROTOCOL §1.2).
  const useSubscription =
    registration.useSubscription === 'Y' ? 'Y' : registration.useSubscription === '' ? (step.useSubscription ?? 'N') : 'N';
  const timeoutDuration = Math.min(Math.max(0, Math.floor(step.timeoutSeconds || 0)), MAX_TIMEOUT_SECONDS);
  const eventId = newEventId();
  const now = sandbox.now();
  const tokens = issueTokens(portal, step.clientId, step.authUserId ?? registration.authUserId);
  const body = handlerCallBody(
    {
      workflowId: instance.id,
      code: registration.code,
      documentId: documentIdOf(instance.entityTypeId, instance.entityId),
      documentType: documentTypeOf(instance.entityTypeId),
      eventToken: signEventToken(bizprocState(portal).secret, instance.id, step.name, eventId),
      properties,
      useSubscription,
      timeoutDuration,
      ts: Math.floor(now.getTime() / 1000),
    },
    robotAuth(portal, tokens, applicationToken),
  );

  writeLog(portal, instance.id, step, 'call', text(portal, 'called', { code: step.code }));
  if (useSubscription === 'Y') {
    // State first, POST second: the app may answer before this function returns to the event loop.
    instance.status = 'waiting';
    instance.eventId = eventId;
    instance.timeoutAt = timeoutDuration > 0 ? new Date(now.getTime() + timeoutDuration * 1000).toISOString() : null;
    writeLog(portal, instance.id, step, 'wait', text(portal, 'waiting'));
    armTimeout(portal, instance);
  }
  postForm(portal, { kind: 'robot', url: registration.handler, body, workflowId: instance.id });
  return useSubscription === 'Y' ? 'wait' : 'closed';
}

/** Closes the waiting step (answered or timed out) and runs the rest of the workflow. */
export function closeWaitingStep(portal: PortalCore, instance: WorkflowInstance): void {
  const step = instance.steps[instance.current];
  clearTimer(portal, instance.id);
  instance.status = 'running';
  instance.eventId = null;
  instance.timeoutAt = null;
  writeLog(portal, instance.id, step, 'close', text(portal, 'closed', { code: step.code }));
  instance.current++;
  advance(portal, instance);
  notifyChange(portal);
}

function timeoutStep(portal: PortalCore, instance: WorkflowInstance): void {
  const step = instance.steps[instance.current];
  // The scheduler closes the step and sets the extra result IsTimeout = 1 (PROTOCOL §2.6).
  instance.results[step.name] = { ...(instance.results[step.name] ?? {}), IsTimeout: 1 };
  writeLog(portal, instance.id, step, 'timeout', text(portal, 'timeout'));
  closeWaitingStep(portal, instance);
}

export function armTimeout(portal: PortalCore, instance: WorkflowInstance): void {
  if (!instance.timeoutAt) return;
  const runtime = runtimeOf(portal);
  clearTimer(portal, instance.id);
  const { id, eventId } = instance;
  const delay = Math.min(Math.max(0, Date.parse(instance.timeoutAt) - runtime.sandbox.now().getTime()), MAX_TIMER_MS);
  const timer = setTimeout(() => {
    runtime.timers.delete(id);
    const current = bizprocState(portal).instances[id];
    if (!current || current.status !== 'waiting' || current.eventId !== eventId) return;
    if (runtime.sandbox.now().getTime() < Date.parse(current.timeoutAt ?? '')) armTimeout(portal, current);
    else timeoutStep(portal, current);
  }, delay);
  timer.unref();
  runtime.timers.set(id, timer);
}

/**
 * Times out waiting steps whose timeout has passed by the sandbox clock (or every waiting step with a timeout when
 * `all`), for tests and the sandbox API that do not want to wait in real time. Returns how many were closed.
 */
export function runDueTimeouts(portal: PortalCore, options: { all?: boolean } = {}): number {
  const now = runtimeOf(portal).sandbox.now().getTime();
  const due = Object.values(bizprocState(portal).instances).filter(
    (i) => i.status === 'waiting' && i.timeoutAt !== null && (options.all || Date.parse(i.timeoutAt) <= now),
  );
  for (const instance of due) timeoutStep(portal, instance);
  return due.length;
}

/** Stops running automation of a document, e.g. when it leaves the stage or is deleted. */
export function terminateDocumentWorkflows(
  portal: PortalCore,
  entityTypeId: number,
  entityId: number,
  filter: (instance: WorkflowInstance) => boolean,
  reason: MessageKey,
): void {
  for (const instance of Object.values(bizprocState(portal).instances)) {
    if (instance.entityTypeId === entityTypeId && instance.entityId === entityId && filter(instance)) {
      finishWorkflow(portal, instance, 'terminated', text(portal, reason));
    }
  }
}

/** After loading saved state: re-arm the timers of waiting steps. */
export function rearmTimeouts(portal: PortalCore): void {
  for (const instance of Object.values(bizprocState(portal).instances)) {
    if (instance.status === 'waiting') armTimeout(portal, instance);
  }
}
