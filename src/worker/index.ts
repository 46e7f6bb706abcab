/** The worker: claims runs, runs robot handlers, answers workflows. */
export { createWorker, type Worker, type WorkerOptions, type WorkerClock } from './worker';
export { exponentialBackoff, type Backoff } from './backoff';
export { deliverResult, needsEventSend, EVENT_SENT_STEP, type Delivery } from './complete';
export { classifyFailure, isWorkflowGone, isB24ErrorShape, type Failure } from './errors';
export { createWorkerMetrics, type WorkerMetrics, type RunFinished, type AttemptEnd } from './metrics';
export { outcomeFromReturn, errorOutcome, wireValues, type RunOutcome, type ResultCode } from './outcome';
export { processRun, DELIVERY_EXTRA_ATTEMPTS } from './process-run';
