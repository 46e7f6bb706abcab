/**
 * Merges `call`s that concurrent runs issue on the same portal and user within a few milliseconds into one `batch`
 * (a batch counts as ONE request against the portal's bucket, PROTOCOL §5.2). Each caller still gets its own result
 * or its own B24Error. A lone call goes out directly, not as a batch of one.
 */
import { BATCH_LIMIT, buildCommand, commandError, isFormSafe, type BatchAnswer } from './batch';
import { B24Error, ClientErrorCode } from './errors';
import { isReadMethod } from './retry';
import type { Scope } from './executor';
import type { OperatingBudget } from './operating-budget';
import type { RestParams, RestResponse } from './types';

interface Pending {
  method: string;
  params?: RestParams;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Queue {
  scope: Scope;
  pending: Pending[];
  timer: NodeJS.Timeout | null;
}

/** What lets the coalescer keep a batch open while the portal's bucket is full (see `windowClosed`). */
export interface BucketWait {
  /** How long a request made now would wait for the portal's bucket. */
  slotDelayMs(memberId: string): Promise<number>;
  sleep(ms: number): Promise<void>;
}

export interface Coalescer {
  call<T = unknown>(scope: Scope, method: string, params?: RestParams): Promise<T>;
  /** Sends everything still waiting and stops the timers; later calls are refused. */
  close(): Promise<void>;
}

/** Params a `cmd` query string carries without loss (JSON null / [] / {} would vanish in a PHP form). */
function coalescable(method: string, params: RestParams | undefined): boolean {
  if (method.toLowerCase() === 'batch') return false; // nested batch is forbidden (ERROR_BATCH_METHOD_NOT_ALLOWED)
  if (params === undefined) return true;
  const values = Array.isArray(params) ? params : Object.values(params);
  return values.every(isFormSafe);
}

/** Sub-call errors that a direct call would have waited out or retried: give the caller the same treatment. */
function worthDirectRetry(method: string, failure: { error: string }, error: B24Error): boolean {
  if (failure.error === 'OPERATION_TIME_LIMIT' || failure.error === 'QUERY_LIMIT_EXCEEDED') return true;
  return isReadMethod(method) && error.status >= 500;
}

export function createCoalescer(options: {
  windowMs: number;
  execute: (scope: Scope, method: string, params?: RestParams) => Promise<RestResponse<unknown>>;
  sendBatch: (scope: Scope, cmd: Record<string, string>, halt: boolean) => Promise<BatchAnswer>;
  budget: OperatingBudget;
  /** Without it, a batch closes when the window ends, whatever the bucket. */
  bucket?: BucketWait;
}): Coalescer {
  const { execute, sendBatch, budget } = options;
  const queues = new Map<string, Queue>();
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  async function direct(scope: Scope, item: Pending): Promise<void> {
    try {
      const envelope = await execute(scope, item.method, item.params);
      item.resolve(envelope.result);
    } catch (error) {
      item.reject(error);
    }
  }

  async function sendGroup(scope: Scope, group: Pending[]): Promise<void> {
    if (group.length === 1) return direct(scope, group[0]);
    let answer: BatchAnswer;
    try {
      const cmd: Record<string, string> = {};
      group.forEach((item, i) => (cmd[`c${i}`] = buildCommand(item.method, item.params)));
      answer = await sendBatch(scope, cmd, false);
    } catch (error) {
      for (const item of group) item.reject(error);
      return;
    }
    const retries: Promise<void>[] = [];
    group.forEach((item, i) => {
      const key = `c${i}`;
      const failure = answer.errors[key];
      if (!failure) {
        item.resolve(key in answer.result ? answer.result[key] : null);
        return;
      }
      const error = commandError(item.method, failure, scope.memberId);
      if (worthDirectRetry(item.method, failure, error)) retries.push(direct(scope, item));
      else item.reject(error);
    });
    await Promise.all(retries);
  }

  /**
   * The window is over. If the portal's bucket has room, the batch goes now. If not, it would only wait in the rate
   * limiter's line, so it stays open for that wait instead (once): calls that runs issue meanwhile join it rather than
   * queueing one request each (a batch counts once against the bucket, PROTOCOL §5.2).
   */
  async function windowClosed(key: string, queue: Queue): Promise<void> {
    queue.timer = null;
    if (options.bucket && queue.pending.length < BATCH_LIMIT) {
      const delay = await options.bucket.slotDelayMs(queue.scope.memberId).catch(() => 0);
      if (delay > 0 && queues.get(key) === queue) await options.bucket.sleep(delay);
    }
    // A full batch or close() may have sent it meanwhile.
    if (queues.get(key) === queue) flush(key);
  }

  function flush(key: string): void {
    const queue = queues.get(key);
    if (!queue) return;
    if (queue.timer) clearTimeout(queue.timer);
    queues.delete(key);
    // batch: max 50 commands per request.
    for (let i = 0; i < queue.pending.length; i += BATCH_LIMIT) {
      const sending = sendGroup(queue.scope, queue.pending.slice(i, i + BATCH_LIMIT));
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
    }
  }

  return {
    async call<T>(scope: Scope, method: string, params?: RestParams): Promise<T> {
      if (closed) {
        throw new B24Error({
          code: ClientErrorCode.CLIENT_CLOSED,
          status: 0,
          method,
          memberId: scope.memberId,
          description: 'the Bitrix24 client was closed: create a new one',
        });
      }
      if (options.windowMs <= 0 || !coalescable(method, params)) {
        return (await execute(scope, method, params)).result as T;
      }
      // A parked method would fail inside the batch: wait for its budget before joining one.
      await budget.ready(scope.memberId, method);
      return new Promise<T>((resolve, reject) => {
        const key = `${scope.memberId}\u0000${scope.userId ?? 'admin'}`;
        let queue = queues.get(key);
        if (!queue) {
          const opened: Queue = { scope, pending: [], timer: null };
          queues.set(key, opened);
          opened.timer = setTimeout(() => void windowClosed(key, opened), options.windowMs);
          queue = opened;
        }
        queue.pending.push({ method, params, resolve: resolve as (v: unknown) => void, reject });
        if (queue.pending.length >= BATCH_LIMIT) flush(key);
      });
    },
    async close() {
      closed = true;
      for (const key of [...queues.keys()]) flush(key);
      await Promise.all([...inFlight]);
    },
  };
}
