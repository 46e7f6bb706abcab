export { createBitrixClient, type BitrixClientOptions } from './client';
export { B24Error, ClientErrorCode, isB24Error, redactSecrets } from './errors';
export { defaultLimits } from './rate-limiter';
export { defaultRetryPolicy, isReadMethod, type RetryPolicy } from './retry';
export { buildCommand, BATCH_LIMIT } from './batch';
export { DEFAULT_LIST_SPECS, type ListSpec } from './list-specs';
export type { ClientLogger } from './runtime';
export type * from './types';
