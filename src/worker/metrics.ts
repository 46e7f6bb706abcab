/** Counters of the worker for /metrics: runs by the state they ended an attempt in, results, durations. */
import type { RunState } from '../store/types';
import type { ResultCode } from './outcome';

/** `lost`: the attempt stopped because another worker took the run over. */
export type AttemptEnd = RunState | 'lost';

export interface RunFinished {
  runId: string;
  memberId: string;
  robotCode: string;
  attempt: number;
  state: AttemptEnd;
  result: ResultCode | null;
  durationMs: number;
}

export interface WorkerMetrics {
  attempts: Record<AttemptEnd, number>;
  results: Record<ResultCode, number>;
  /** Wall time of attempts, ms. */
  duration: { count: number; totalMs: number; maxMs: number };
  /** Per robot: attempts and total ms. */
  byRobot: Map<string, { attempts: number; totalMs: number }>;
}

export function createWorkerMetrics(): WorkerMetrics {
  return {
    attempts: { queued: 0, running: 0, waiting: 0, done: 0, failed: 0, lost: 0 },
    results: { ok: 0, skipped: 0, error: 0 },
    duration: { count: 0, totalMs: 0, maxMs: 0 },
    byRobot: new Map(),
  };
}

export function recordAttempt(metrics: WorkerMetrics, event: RunFinished): void {
  metrics.attempts[event.state] += 1;
  if (event.result && (event.state === 'done' || event.state === 'failed')) metrics.results[event.result] += 1;
  metrics.duration.count += 1;
  metrics.duration.totalMs += event.durationMs;
  metrics.duration.maxMs = Math.max(metrics.duration.maxMs, event.durationMs);
  const robot = metrics.byRobot.get(event.robotCode) ?? { attempts: 0, totalMs: 0 };
  robot.attempts += 1;
  robot.totalMs += event.durationMs;
  metrics.byRobot.set(event.robotCode, robot);
}
