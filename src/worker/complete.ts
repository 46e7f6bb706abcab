/**
 * Completion: `bizproc.event.send` with the return values and a log line, exactly once per run (PROTOCOL §3).
 * The ledger step `$event.send` is written right after the portal acknowledged the call, so a retried or re-claimed
 * run never sends again. A crash in the instant between the answer and the write can repeat the call; the portal
 * treats a second event.send for a closed step as a silent no-op (§3.2 item 4), so the workflow sees one answer.
 */
import type { B24 } from '../bitrix/types';
import type { RunRecord, Store } from '../store/types';
import { classifyFailure, isWorkflowGone } from './errors';

export const EVENT_SENT_STEP = '$event.send';

export type Delivery =
  | { status: 'sent'; at: Date }
  | { status: 'already-sent'; at: Date }
  /** No workflow waits: no event token, or use_subscription=N (the step already closed, §2.2). */
  | { status: 'not-needed' }
  /** The workflow was completed or terminated: nobody to answer (event.send → error 404). */
  | { status: 'workflow-gone'; message: string }
  /** The portal refused for good (e.g. ACCESS_DENIED for the token): retrying will not help. */
  | { status: 'rejected'; message: string }
  | { status: 'transient'; message: string; notBefore?: number };

export interface DeliverOptions {
  store: Store;
  run: RunRecord;
  /** The portal client (only created when a call is needed). */
  b24: () => B24;
  returnValues: Record<string, unknown>;
  logMessage: string;
  now: () => Date;
}

/** Whether the run answers a waiting workflow step. */
export function needsEventSend(run: Pick<RunRecord, 'eventToken' | 'useSubscription'>): boolean {
  return Boolean(run.eventToken) && run.useSubscription;
}

export async function deliverResult(options: DeliverOptions): Promise<Delivery> {
  const { store, run } = options;
  if (!needsEventSend(run)) return { status: 'not-needed' };
  if (run.eventSentAt) return { status: 'already-sent', at: run.eventSentAt };
  const recorded = await store.getStep(run.id, EVENT_SENT_STEP);
  if (recorded) {
    const at = (recorded.value as { at?: string } | null)?.at;
    return { status: 'already-sent', at: at ? new Date(at) : options.now() };
  }
  try {
    await options.b24().call('bizproc.event.send', {
      EVENT_TOKEN: run.eventToken,
      RETURN_VALUES: options.returnValues,
      LOG_MESSAGE: options.logMessage,
    });
  } catch (error) {
    if (isWorkflowGone(error)) return { status: 'workflow-gone', message: (error as Error).message };
    const failure = classifyFailure(error);
    if (failure.kind === 'final') return { status: 'rejected', message: failure.message };
    return { status: 'transient', message: failure.message, ...(failure.notBefore ? { notBefore: failure.notBefore } : {}) };
  }
  const at = options.now();
  await store.saveStep(run.id, EVENT_SENT_STEP, { at: at.toISOString() });
  return { status: 'sent', at };
}
