/**
 * Per-portal runtime of the bizproc part: things that are not state (timers, POSTs in flight, idle waiters).
 * State proper is JSON in `portal.state.bizproc`; this is rebuilt on start and dropped on close.
 */
import type { PortalCore, SandboxCore } from '../contract';
import { bizprocState } from './state';

export interface PortalRuntime {
  sandbox: SandboxCore;
  /** Outbound POSTs in flight. */
  pending: Set<Promise<void>>;
  /** Step timeouts by workflow id. */
  timers: Map<string, NodeJS.Timeout>;
  /** Woken on every change that may make the portal idle. */
  waiters: Set<() => void>;
}

const runtimes = new WeakMap<PortalCore, PortalRuntime>();
const open = new Set<PortalRuntime>();

export function attachRuntime(portal: PortalCore, sandbox: SandboxCore): PortalRuntime {
  const existing = runtimes.get(portal);
  if (existing && existing.sandbox === sandbox) return existing;
  const runtime: PortalRuntime = { sandbox, pending: new Set(), timers: new Map(), waiters: new Set() };
  runtimes.set(portal, runtime);
  open.add(runtime);
  return runtime;
}

export function runtimeOf(portal: PortalCore): PortalRuntime {
  const runtime = runtimes.get(portal);
  if (!runtime) throw new Error(`portal ${portal.memberId} has no bizproc runtime: create it through startSandbox`);
  open.add(runtime); // in use again after a close: the next close stops it too
  return runtime;
}

export function notifyChange(portal: PortalCore): void {
  const runtime = runtimes.get(portal);
  if (!runtime) return;
  for (const wake of [...runtime.waiters]) wake();
}

function busyWorkflows(portal: PortalCore): string[] {
  return Object.values(bizprocState(portal).instances)
    .filter((i) => i.status === 'running' || i.status === 'waiting')
    .map((i) => i.id);
}

async function waitFor(portal: PortalCore, done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const runtime = runtimeOf(portal);
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (runtime.pending.size > 0) await Promise.allSettled([...runtime.pending]);
    if (runtime.pending.size === 0 && done()) return;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`portal ${portal.domain} is not idle after ${timeoutMs} ms: ${what()}`);
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        runtime.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, left);
      runtime.waiters.add(wake);
    });
  }
}

/** Resolves when every POST the portal started (robot calls, events, app notifications) has been answered or failed. */
export function whenDelivered(portal: PortalCore): Promise<void> {
  return waitFor(portal, () => true, 60_000, () => `${runtimeOf(portal).pending.size} POSTs in flight`);
}

/**
 * Resolves when nothing is in flight and every workflow has finished (waiting steps answered or timed out).
 * Rejects after `timeoutMs` naming the workflows still running, e.g. when an app never calls bizproc.event.send.
 */
export function whenIdle(portal: PortalCore, options: { timeoutMs?: number } = {}): Promise<void> {
  return waitFor(
    portal,
    () => busyWorkflows(portal).length === 0,
    options.timeoutMs ?? 10_000,
    () => `workflows still running: ${busyWorkflows(portal).join(', ') || 'none'}`,
  );
}

export function clearTimer(portal: PortalCore, workflowId: string): void {
  const runtime = runtimes.get(portal);
  const timer = runtime?.timers.get(workflowId);
  if (timer) clearTimeout(timer);
  runtime?.timers.delete(workflowId);
}

/**
 * Stops every portal's timers and waits for POSTs in flight (the part's `close`). The contract's `close()` names no
 * sandbox, so this stops the timers of every sandbox in the process; a step that is still waiting keeps its
 * `timeoutAt` and can be expired with `runDueTimeouts`.
 */
export async function closeRuntimes(): Promise<void> {
  const closing = [...open];
  open.clear();
  for (const runtime of closing) {
    for (const timer of runtime.timers.values()) clearTimeout(timer);
    runtime.timers.clear();
  }
  await Promise.allSettled(closing.flatMap((runtime) => [...runtime.pending]));
  for (const runtime of closing) for (const wake of [...runtime.waiters]) wake();
}
