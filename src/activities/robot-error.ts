/**
 * `RobotError`: a final failure a robot reports on purpose ("the company has no tariff").
 * The run is not retried; the message goes to the workflow log and to the `Error` return value, with `Result=error`.
 * Any other exception is treated as transient and retried with backoff (DESIGN: "A robot, as its author sees it").
 */
export class RobotError extends Error {
  /** Stable code for logs and tests, e.g. `COMPANY_NOT_FOUND`. */
  readonly code: string;
  /** Return values to send along with `Result=error` (e.g. a task id created before the failure). */
  readonly values: Record<string, unknown>;

  constructor(message: string, options: { code?: string; values?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RobotError';
    this.code = options.code ?? 'ROBOT_ERROR';
    this.values = options.values ?? {};
  }
}

/** True for a RobotError, also across module copies (checks the name, not only the prototype). */
export function isRobotError(error: unknown): error is RobotError {
  return error instanceof RobotError || (error instanceof Error && error.name === 'RobotError' && 'values' in error);
}
