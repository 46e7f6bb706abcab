/**
 * A batch runs every sub-call and answers 200 even when some of them were refused for load (PROTOCOL §5.3–5.4:
 * 429 OPERATION_TIME_LIMIT per method, 503 QUERY_LIMIT_EXCEEDED). Recording such a chunk as done would lose its work
 * for good, so the run fails transiently instead and the worker retries it later; the retry finds what the refused
 * chunk did create (call tasks of the week, service deals of the day) and does only the rest.
 */
import { commandError } from '../../src/bitrix/batch';
import type { BatchCommand, BatchResult } from '../../src/bitrix/types';

const LIMIT_CODES = new Set(['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT', 'OVERLOAD_LIMIT']);

export function throwIfLimited(answer: BatchResult, commands: Record<string, BatchCommand>, memberId: string): void {
  for (const [key, failure] of Object.entries(answer.errors)) {
    if (LIMIT_CODES.has(failure.error)) throw commandError(commands[key]?.[0] ?? 'batch', failure, memberId);
  }
}
