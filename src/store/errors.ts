/** Errors of the store, each with a stable code and a message that names the fix. */

export type StoreErrorCode =
  | 'STORE_BAD_URL'
  | 'STORE_BAD_SCHEMA'
  | 'STORE_LOCK_TIMEOUT'
  | 'STORE_MIGRATION_FAILED';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export function lockTimeout(name: string, timeoutMs: number): StoreError {
  return new StoreError(
    'STORE_LOCK_TIMEOUT',
    `lock "${name}" was not acquired within ${timeoutMs} ms: another holder (this process or another instance) ` +
      'still has it; retry later, or pass a larger timeoutMs',
  );
}
