/**
 * One attempt of one claimed run: portal check → input → handler → recorded outcome → event.send → final state.
 * The outcome is recorded on the run row before event.send, so a retry after a delivery failure only delivers:
 * the handler never runs twice for a run that already produced its answer.
 */
import { buildContext, runLogMeta } from '../activities/context';
import { prepareInput } from '../activities/input';
import type { RobotRegistry } from '../activities/registry';
import { loadSettings } from '../activities/settings';
import { isValidTimeZone } from '../activities/time-zone';
import type { RobotDefinition, RobotLogger } from '../activities/types';
import type { BitrixClient } from '../bitrix/types';
import type { PortalRecord, RunPatch, RunRecord, RunState, Store } from '../store/types';
import type { Backoff } from './backoff';
import { deliverResult } from './complete';
import { classifyFailure, type Failure } from './errors';
import { keepLease, LeaseLostError, type Lease } from './lease';
import type { AttemptEnd } from './metrics';
import { errorOutcome, outcomeFromReturn, wireValues, type ResultCode, type RunOutcome } from './outcome';

/** Delivery of an already recorded answer gets a few attempts beyond maxAttempts, so a handler that needed every
 *  attempt still has its answer delivered through a short portal outage. */
export const DELIVERY_EXTRA_ATTEMPTS = 3;

export interface RunnerDeps {
  store: Store;
  client: BitrixClient;
  registry: RobotRegistry;
  logger: RobotLogger;
  now: () => Date;
  owner: string;
  leaseMs: number;
  renewEveryMs: number;
  maxAttempts: number;
  backoff: Backoff;
}

export interface AttemptResult {
  state: AttemptEnd;
  result: ResultCode | null;
}

type HandlerStep = { kind: 'outcome'; outcome: RunOutcome } | { kind: 'retry'; failure: Failure & { kind: 'transient' } } | { kind: 'lost' };

const LOST: AttemptResult = { state: 'lost', result: null };

function stateFor(result: ResultCode): RunState {
  return result === 'error' ? 'failed' : 'done';
}

function resultOf(values: Record<string, unknown> | null): ResultCode {
  const result = values?.Result;
  return result === 'ok' || result === 'skipped' || result === 'error' ? result : 'ok';
}

function unknownRobotMessage(code: string): string {
  return (
    `Робот «${code}» не поддерживается этой версией сервиса: зарегистрируйте роботов заново (b24robots register). ` +
    `Robot "${code}" is not provided by this version of the service: register the robots again (b24robots register).`
  );
}

function exhaustedMessage(attempts: number, detail: string): string {
  return `Не удалось выполнить после ${attempts} попыток: ${detail}. Failed after ${attempts} attempts: ${detail}.`;
}

async function runHandler(
  deps: RunnerDeps,
  run: RunRecord,
  portal: PortalRecord,
  robot: RobotDefinition | null,
  timeZone: string,
  lease: Lease,
): Promise<HandlerStep> {
  if (!robot) return { kind: 'outcome', outcome: errorOutcome(unknownRobotMessage(run.robotCode)) };
  // Validation comes before any REST work: a bad value ends the run with a message naming the property.
  const prepared = prepareInput(robot.properties, run.properties, { timeZone });
  if (!prepared.ok) return { kind: 'outcome', outcome: errorOutcome(prepared.message) };
  try {
    const settings = robot.settings ? await loadSettings(deps.store, run.memberId, robot.settings) : {};
    const context = buildContext({
      run,
      robot,
      portal: { ...portal, timeZone },
      store: deps.store,
      b24: deps.client.forPortal(run.memberId, { userId: run.userId }),
      input: prepared.input,
      settings,
      logger: deps.logger,
      now: deps.now,
      guard: () => lease.confirm(),
    });
    const returned = await robot.handler(context as Parameters<RobotDefinition['handler']>[0]);
    if (lease.lost) return { kind: 'lost' };
    return { kind: 'outcome', outcome: outcomeFromReturn(robot, returned) };
  } catch (error) {
    if (error instanceof LeaseLostError || lease.lost) return { kind: 'lost' };
    const failure = classifyFailure(error);
    if (failure.kind === 'final') return { kind: 'outcome', outcome: errorOutcome(failure.message, failure.values) };
    return { kind: 'retry', failure };
  }
}

/** Parks the run until its next attempt. */
async function park(deps: RunnerDeps, run: RunRecord, message: string, notBefore?: number): Promise<AttemptResult> {
  const delay = deps.backoff(run.attempts);
  const availableAt = new Date(Math.max(deps.now().getTime() + delay, notBefore ?? 0));
  const held = await deps.store.updateRun(run.id, deps.owner, {
    state: 'waiting',
    availableAt,
    leaseOwner: null,
    leaseUntil: null,
    lastError: message,
  });
  if (!held) return LOST;
  deps.logger.warn('run will be retried', { ...runLogMeta(run), attempt: run.attempts, availableAt, error: message });
  return { state: 'waiting', result: null };
}

async function finish(deps: RunnerDeps, run: RunRecord, state: RunState, result: ResultCode | null, patch: RunPatch): Promise<AttemptResult> {
  const held = await deps.store.updateRun(run.id, deps.owner, {
    ...patch,
    state,
    finishedAt: deps.now(),
    leaseOwner: null,
    leaseUntil: null,
  });
  return held ? { state, result } : LOST;
}

async function attempt(deps: RunnerDeps, run: RunRecord, lease: Lease): Promise<AttemptResult> {
  const { store } = deps;
  // Answered in an earlier attempt that died before recording the final state.
  if (run.eventSentAt) {
    const result = resultOf(run.returnValues);
    return finish(deps, run, stateFor(result), result, {});
  }

  const portal = await store.getPortal(run.memberId);
  if (!portal || portal.uninstalledAt) {
    const reason = portal
      ? `portal ${portal.domain} uninstalled the app: the run is dropped without calling Bitrix24`
      : `portal ${run.memberId} is not installed: the run is dropped without calling Bitrix24`;
    return finish(deps, run, 'failed', null, { lastError: reason });
  }
  const timeZone = isValidTimeZone(portal.timeZone) ? portal.timeZone : 'UTC';
  if (timeZone !== portal.timeZone) {
    deps.logger.warn('portal time zone is not valid, UTC is used', { ...runLogMeta(run), timeZone: portal.timeZone });
  }
  const robot = deps.registry.resolve(run.robotCode);

  let returnValues = run.returnValues;
  let logMessage = run.logMessage ?? '';
  if (!returnValues) {
    const step = await runHandler(deps, run, portal, robot, timeZone, lease);
    if (step.kind === 'lost') return LOST;
    let outcome: RunOutcome;
    if (step.kind === 'retry') {
      if (run.attempts < deps.maxAttempts) return park(deps, run, step.failure.message, step.failure.notBefore);
      outcome = errorOutcome(exhaustedMessage(run.attempts, step.failure.message));
    } else {
      outcome = step.outcome;
    }
    returnValues = wireValues(robot, outcome, timeZone);
    logMessage = outcome.logMessage;
    const held = await store.updateRun(run.id, deps.owner, { returnValues, logMessage });
    if (!held) return LOST;
  }

  const result = resultOf(returnValues);
  const errorText = result === 'error' ? String(returnValues.Error ?? '') : null;
  if (lease.lost) return LOST;
  const delivery = await deliverResult({
    store,
    run,
    b24: () => deps.client.forPortal(run.memberId, { userId: run.userId }),
    returnValues,
    logMessage,
    now: deps.now,
  });
  switch (delivery.status) {
    case 'sent':
    case 'already-sent':
      return finish(deps, run, stateFor(result), result, { eventSentAt: delivery.at, lastError: errorText });
    case 'not-needed':
      return finish(deps, run, stateFor(result), result, { lastError: errorText });
    case 'workflow-gone':
      deps.logger.warn('workflow is gone, nobody waits for the answer', { ...runLogMeta(run) });
      return finish(deps, run, stateFor(result), result, { lastError: errorText ?? `workflow gone: ${delivery.message}` });
    case 'rejected':
      return finish(deps, run, 'failed', result, { lastError: `bizproc.event.send refused: ${delivery.message}` });
    case 'transient':
      if (run.attempts < deps.maxAttempts + DELIVERY_EXTRA_ATTEMPTS) {
        return park(deps, run, `bizproc.event.send failed: ${delivery.message}`, delivery.notBefore);
      }
      return finish(deps, run, 'failed', result, { lastError: exhaustedMessage(run.attempts, `bizproc.event.send: ${delivery.message}`) });
  }
}

/** Processes one claimed run; never throws (a failure of the store leaves the run to be claimed again). */
export async function processRun(deps: RunnerDeps, claimed: RunRecord): Promise<AttemptResult> {
  const run: RunRecord = { ...claimed, attempts: claimed.attempts + 1 };
  const meta = { ...runLogMeta(run), attempt: run.attempts, source: run.source };
  let lease: Lease | null = null;
  try {
    if (!(await deps.store.updateRun(run.id, deps.owner, { attempts: run.attempts }))) return LOST;
    lease = keepLease({
      store: deps.store,
      runId: run.id,
      owner: deps.owner,
      leaseMs: deps.leaseMs,
      renewEveryMs: deps.renewEveryMs,
      now: deps.now,
      logger: deps.logger,
    });
    deps.logger.info('run started', meta);
    const outcome = await attempt(deps, run, lease);
    if (outcome.state === 'lost') deps.logger.warn('run taken over by another worker', meta);
    return outcome;
  } catch (error) {
    // The runtime itself failed (e.g. the database went away): the lease expires and the run is claimed again.
    deps.logger.error('run attempt crashed', { ...meta, error: (error as Error).message });
    return { state: 'running', result: null };
  } finally {
    lease?.stop();
  }
}
