/**
 * The workflow log (the designer's "tracking" view): one line per start, handler call, message from the app,
 * returned values, timeout and finish. It outlives the workflow instance, as b_bp_tracking does.
 */
import type { PortalCore } from '../contract';
import { runtimeOf } from './runtime';
import { bizprocState, LOG_KEEP } from './state';
import type { LogEntry, LogKind } from './state';

export function writeLog(
  portal: PortalCore,
  workflowId: string,
  step: { name: string; code: string } | null,
  kind: LogKind,
  text: string,
): LogEntry {
  const state = bizprocState(portal);
  const entry: LogEntry = {
    at: runtimeOf(portal).sandbox.now().toISOString(),
    workflowId,
    step: step?.name ?? null,
    code: step?.code ?? null,
    kind,
    message: text,
  };
  state.log.push(entry);
  if (state.log.length > LOG_KEEP) state.log.splice(0, state.log.length - LOG_KEEP);
  return entry;
}

/** Log lines, oldest first; of one workflow when an id is given. */
export function workflowLog(portal: PortalCore, workflowId?: string): LogEntry[] {
  const log = bizprocState(portal).log;
  return workflowId === undefined ? [...log] : log.filter((entry) => entry.workflowId === workflowId);
}
