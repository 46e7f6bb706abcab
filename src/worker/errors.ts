/**
 * How the worker treats a failure: retry later (transient) or end the run (final).
 * - RobotError: final, the robot said so.
 * - Bitrix24 errors: transient when the portal refused for load or did not answer (429, 503, 5xx, network, an
 *   instance locked by another process: 423, PROTOCOL §3.2); final otherwise (a 400 NOT_FOUND will not heal).
 * - Anything else (a bug, the database briefly gone): transient, up to maxAttempts.
 */
import { isRobotError } from '../activities/robot-error';
import { SettingsError } from '../activities/settings';
import type { B24ErrorShape } from '../bitrix/types';

export type Failure =
  | { kind: 'final'; message: string; values: Record<string, unknown> }
  | { kind: 'transient'; message: string; /** earliest retry, epoch ms (e.g. operating_reset_at) */ notBefore?: number };

/** Duck-typed so errors from any copy of the client module are recognised (B24Error implements B24ErrorShape). */
export function isB24ErrorShape(error: unknown): error is B24ErrorShape & Error & { operatingResetAt?: number } {
  return (
    error instanceof Error &&
    typeof (error as Partial<B24ErrorShape>).status === 'number' &&
    typeof (error as Partial<B24ErrorShape>).method === 'string' &&
    'code' in error
  );
}

/** Codes worth another attempt: limits, no answer, an unreadable answer (a proxy's error page), the client shutting
 *  down, a token that expired while the refresh raced, a workflow instance locked by another process (423). */
const TRANSIENT_CODES = new Set([
  'QUERY_LIMIT_EXCEEDED',
  'OVERLOAD_LIMIT',
  'OPERATION_TIME_LIMIT',
  'NETWORK_ERROR',
  'BAD_RESPONSE',
  'CLIENT_CLOSED',
  'expired_token',
  '423',
]);

export function isTransientB24(error: B24ErrorShape): boolean {
  return TRANSIENT_CODES.has(String(error.code)) || error.status === 429 || error.status >= 500;
}

/** `event.send` for a workflow that no longer exists: `{"error": 404}` with HTTP 400 (PROTOCOL §3.2). */
export function isWorkflowGone(error: unknown): boolean {
  return isB24ErrorShape(error) && String(error.code) === '404';
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function classifyFailure(error: unknown): Failure {
  if (isRobotError(error)) return { kind: 'final', message: error.message, values: error.values };
  if (error instanceof SettingsError) return { kind: 'final', message: error.message, values: {} };
  if (isB24ErrorShape(error)) {
    if (isTransientB24(error)) {
      const notBefore = error.operatingResetAt ? error.operatingResetAt * 1000 : undefined;
      return { kind: 'transient', message: error.message, ...(notBefore ? { notBefore } : {}) };
    }
    return {
      kind: 'final',
      message: `Bitrix24 отклонил вызов: ${error.message}. Bitrix24 rejected the call: ${error.message}`,
      values: {},
    };
  }
  return { kind: 'transient', message: errorText(error) };
}
