/**
 * What a run ends with: `Result`, `Error`, the robot's own values and the workflow log line
 * (RULES.md: every robot returns Result and Error and writes a human-readable line to the workflow log).
 */
import { STANDARD_RETURNS } from '../activities/define-robot';
import { externalizeReturns } from '../activities/externalize';
import type { PropertyMap, RobotDefinition, RobotReturn } from '../activities/types';

export type ResultCode = 'ok' | 'skipped' | 'error';

export interface RunOutcome {
  result: ResultCode;
  /** Typed values by return code, `Result` and `Error` included. */
  values: Record<string, unknown>;
  logMessage: string;
}

const RESULTS: readonly ResultCode[] = ['ok', 'skipped', 'error'];

function defaultLogMessage(robot: RobotDefinition, result: ResultCode): string {
  const words: Record<ResultCode, [string, string]> = {
    ok: ['выполнено', 'done'],
    skipped: ['пропущено, делать нечего', 'skipped, nothing to do'],
    error: ['ошибка', 'failed'],
  };
  const [ru, en] = words[result];
  return `«${robot.name.ru}»: ${ru}. "${robot.name.en}": ${en}.`;
}

/** A handler's return value → outcome. `Result` defaults to ok, `Error` to ''; `LogMessage` is not a return value. */
export function outcomeFromReturn(robot: RobotDefinition, returned: RobotReturn | undefined | null): RunOutcome {
  const { LogMessage, Result, Error: errorText, ...own } = (returned ?? {}) as RobotReturn;
  let result: ResultCode = Result ?? 'ok';
  let error = typeof errorText === 'string' ? errorText : '';
  if (!RESULTS.includes(result)) {
    error = `Робот вернул недопустимый Result «${String(result)}». The robot returned an invalid Result "${String(result)}".`;
    result = 'error';
  }
  if (result === 'error' && error === '') error = typeof LogMessage === 'string' && LogMessage ? LogMessage : 'error';
  const logMessage = typeof LogMessage === 'string' && LogMessage.trim() !== '' ? LogMessage : result === 'error' ? error : defaultLogMessage(robot, result);
  return { result, values: { ...own, Result: result, Error: error }, logMessage };
}

/** A run that ends in error: the message is both `Error` and the log line. */
export function errorOutcome(message: string, values: Record<string, unknown> = {}): RunOutcome {
  return { result: 'error', values: { ...values, Result: 'error', Error: message }, logMessage: message };
}

/** Return values in wire form for bizproc.event.send (only declared ones; unknown robots have Result/Error only). */
export function wireValues(robot: RobotDefinition | null, outcome: RunOutcome, timeZone: string): Record<string, unknown> {
  const returns: PropertyMap = robot ? robot.returns : STANDARD_RETURNS;
  return externalizeReturns({ ...returns, ...STANDARD_RETURNS }, outcome.values, timeZone);
}
