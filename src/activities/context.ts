/**
 * The one object a handler gets (`RobotContext`), built from the run, its portal and the service's parts.
 * `step` is backed by the store's step ledger: a side effect recorded for this run is not repeated when the run is
 * retried after a crash or a transient failure (RULES.md: "exactly once per robot run").
 */
import type { B24 } from '../bitrix/types';
import type { PortalRecord, RunRecord, Store } from '../store/types';
import { parseDocumentId } from './document';
import type { PortalInfo, RobotContext, RobotDefinition, RobotLogger } from './types';

/** Step keys starting with `$` belong to the runtime (e.g. `$event.send`). */
export const RUNTIME_STEP_PREFIX = '$';

export interface ContextOptions {
  run: RunRecord;
  robot: RobotDefinition;
  portal: PortalRecord;
  store: Store;
  /** The portal client acting as the run's user. */
  b24: B24;
  input: Record<string, unknown>;
  settings: unknown;
  logger: RobotLogger;
  now: () => Date;
  /** Awaited before each new step and lock: rejects when the run must not start new side effects (its lease was lost). */
  guard?: () => Promise<void>;
}

/** The fields every log line of a run carries (STYLE.md §7). Never the event token. */
export function runLogMeta(run: Pick<RunRecord, 'id' | 'memberId' | 'robotCode' | 'workflowId'>): Record<string, unknown> {
  return { portal: run.memberId, robot: run.robotCode, run: run.id, workflow: run.workflowId };
}

/** A logger that adds `meta` to every line. */
export function childLogger(base: RobotLogger, meta: Record<string, unknown>): RobotLogger {
  const line =
    (level: keyof RobotLogger) =>
    (message: string, extra?: Record<string, unknown>): void =>
      base[level](message, { ...meta, ...extra });
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

export function portalInfo(portal: PortalRecord): PortalInfo {
  return { memberId: portal.memberId, domain: portal.domain, timeZone: portal.timeZone, culture: portal.culture };
}

/** A JSON copy: what the ledger stores is what both the first run and a retry get back. */
function asStored(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

export function buildContext(options: ContextOptions): RobotContext {
  const { run, store, portal } = options;
  const guard = options.guard ?? (async () => undefined);
  return {
    input: options.input,
    document: parseDocumentId(run.documentId),
    portal: portalInfo(portal),
    b24: options.b24,
    async step<T>(key: string, fn: () => Promise<T>): Promise<T> {
      if (typeof key !== 'string' || key === '' || key.startsWith(RUNTIME_STEP_PREFIX)) {
        throw new Error(`step key "${key}" is not allowed: use a non-empty name not starting with "${RUNTIME_STEP_PREFIX}"`);
      }
      const recorded = await store.getStep(run.id, key);
      if (recorded) return recorded.value as T;
      await guard();
      const value = asStored(await fn());
      await store.saveStep(run.id, key, value);
      return value as T;
    },
    async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
      await guard();
      return store.withLock(`${portal.memberId}:${key}`, fn);
    },
    settings: (options.settings ?? {}) as Record<string, unknown>,
    state: {
      get: <T>(key: string) => store.getState<T>(portal.memberId, key),
      set: (key: string, value: unknown) => store.setState(portal.memberId, key, value),
    },
    log: childLogger(options.logger, runLogMeta(run)),
    now: options.now,
    run: { id: run.id, workflowId: run.workflowId, attempt: run.attempts, source: run.source },
  };
}
