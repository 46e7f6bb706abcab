/**
 * Runs one REST call (top-level or inside batch) against a portal: method lookup, scope and access checks, the
 * operating budget, the handler, the journal. HTTP-level concerns (auth, the rate bucket, faults) are in rest-http.ts.
 */
import { performance } from 'node:perf_hooks';
import { RestError, isListAnswer, type CallerAuth, type SandboxCore } from './contract';
import { timeObject, type TimeInfo } from './envelope';
import type { SandboxPortal } from './portal';
import type { MethodTable } from './registry';

export interface SandboxLogger {
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface DispatchHost {
  readonly methods: MethodTable;
  readonly core: SandboxCore;
  now(): Date;
  readonly logger: SandboxLogger;
}

export interface Caller {
  auth: CallerAuth;
  /** Whose operating budget: the app's client_id, or `webhook:<id>` (b24-docs/limits.md: per app or webhook). */
  budgetKey: string;
}

export interface CallRequest {
  portal: SandboxPortal;
  caller: Caller;
  method: string;
  params: Record<string, any>;
  inBatch: boolean;
}

export type CallOutcome =
  | { ok: true; method: string; result: unknown; total?: number; next?: number; time: TimeInfo }
  | { ok: false; method: string; error: RestError };

/** The caller behind each auth object, so batch runs its commands with the same auth and operating budget. */
const callers = new WeakMap<CallerAuth, Caller>();

export function callerOf(auth: CallerAuth): Caller {
  const caller = callers.get(auth);
  if (!caller) throw new Error('no caller is registered for this auth: call methods through executeCall');
  return caller;
}

/** Default simulated execution time of a method, seconds (contract MethodOptions.cost). */
export const DEFAULT_COST = 0.05;

const SCOPE_IMPLIES: Record<string, string[]> = {
  user: ['user_basic', 'user_brief'],
  user_basic: ['user_brief'],
  task: ['tasks'],
  tasks: ['task'],
};

export function hasScope(granted: string[], needed: string | undefined): boolean {
  if (!needed || needed === 'basic') return true; // `basic` methods (app.info, batch, profile) need no scope
  return granted.some((g) => g === needed || (SCOPE_IMPLIES[g] ?? []).includes(needed));
}

export function methodNotFound(): RestError {
  return new RestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
}

function scopeError(auth: CallerAuth): RestError {
  // docs (_includes/system-errors.md): 403 for webhooks; OAuthException defaults to 401 for tokens, and the batch
  // docs example shows an empty description there (PROTOCOL §4.7)
  return auth.clientId === null
    ? new RestError(403, 'insufficient_scope', 'The request requires higher privileges than provided by the webhook token')
    : new RestError(401, 'insufficient_scope', '');
}

function check(host: DispatchHost, req: CallRequest, nowMs: number): RestError | null {
  const method = host.methods.get(req.method);
  if (!method) return methodNotFound();
  // batch: nested batch is forbidden (rest 24.0.0)
  if (req.inBatch && method.name === 'batch') {
    return new RestError(405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage');
  }
  const { auth } = req.caller;
  if (!hasScope(auth.scope, method.options.scope)) return scopeError(auth);
  if (method.options.appOnly && auth.clientId === null) {
    return new RestError(403, 'ACCESS_DENIED', 'Access denied! Application context required');
  }
  if (method.options.adminOnly && !auth.isAdmin) return new RestError(403, 'ACCESS_DENIED', 'Access denied!');
  const limits = req.portal.limits.operating;
  if (req.portal.budget.isBlocked(`${req.caller.budgetKey}|${method.name}`, nowMs, limits)) {
    return new RestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.');
  }
  return null;
}

export async function executeCall(host: DispatchHost, req: CallRequest): Promise<CallOutcome> {
  const started = host.now();
  const nowMs = started.getTime();
  const t0 = performance.now();
  const methodName = req.method.toLowerCase();
  const { portal, caller } = req;
  callers.set(caller.auth, caller);
  let outcome: CallOutcome;
  const refused = check(host, req, nowMs);
  if (refused) {
    outcome = { ok: false, method: methodName, error: refused };
  } else {
    const method = host.methods.get(methodName)!;
    const budgetKey = `${caller.budgetKey}|${method.name}`;
    let value: unknown;
    let error: RestError | null = null;
    try {
      value = await method.handler({ sandbox: host.core, portal, auth: caller.auth, params: req.params, now: started });
    } catch (thrown) {
      if (thrown instanceof RestError) {
        error = thrown;
      } else {
        host.logger.error(`sandbox: method ${method.name} threw`, {
          portal: portal.domain,
          error: thrown instanceof Error ? thrown.stack ?? thrown.message : String(thrown),
        });
        error = new RestError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      }
    }
    // the method ran, so its simulated time counts, whether it succeeded or not
    portal.budget.add(budgetKey, nowMs, method.options.cost ?? DEFAULT_COST, portal.limits.operating);
    if (error) {
      outcome = { ok: false, method: method.name, error };
    } else {
      const elapsed = (performance.now() - t0) / 1000;
      const operating = req.inBatch ? undefined : portal.budget.status(budgetKey, nowMs, portal.limits.operating);
      const time = timeObject(portal.timeZone, nowMs, elapsed, elapsed, operating);
      outcome = isListAnswer(value)
        ? { ok: true, method: method.name, result: value.result, total: value.total, next: value.next, time }
        : { ok: true, method: method.name, result: value, time };
    }
  }
  portal.journal.record({
    method: outcome.method,
    at: started.toISOString(),
    status: outcome.ok ? 200 : outcome.error.status,
    ...(outcome.ok ? {} : { error: String(outcome.error.error) }),
    ...(req.inBatch ? { batch: true } : {}),
    userId: caller.auth.userId,
    clientId: caller.auth.clientId,
  });
  return outcome;
}
