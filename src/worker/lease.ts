/**
 * Keeps a claimed run's lease alive while its handler works, and notices when it was lost (this process stalled
 * past the lease and another worker claimed the run). A run whose lease is lost starts no new step and is not
 * completed here: the new owner does that.
 */
import type { Store } from '../store/types';
import type { RobotLogger } from '../activities/types';

export class LeaseLostError extends Error {
  readonly code = 'LEASE_LOST';
  constructor(runId: string) {
    super(`run ${runId}: the lease was lost to another worker; this worker stops working on it`);
    this.name = 'LeaseLostError';
  }
}

export interface Lease {
  readonly lost: boolean;
  /** Marks the lease lost (an owner-checked update found another owner). */
  markLost(): void;
  /** Throws LeaseLostError when the lease is lost. */
  check(): void;
  /** Renews the lease now and throws LeaseLostError if another worker holds it: called before each new side effect,
   *  so a stalled worker that lost its run starts nothing more, even between two timer renewals. */
  confirm(): Promise<void>;
  stop(): void;
}

export function keepLease(options: {
  store: Store;
  runId: string;
  owner: string;
  leaseMs: number;
  renewEveryMs: number;
  now: () => Date;
  logger: RobotLogger;
}): Lease {
  let lost = false;
  let renewing = false;
  const timer = setInterval(() => {
    if (lost || renewing) return;
    renewing = true;
    const leaseUntil = new Date(options.now().getTime() + options.leaseMs);
    options.store
      .updateRun(options.runId, options.owner, { leaseUntil })
      .then((held) => {
        if (!held) lost = true;
      })
      .catch((error: unknown) => {
        // A failed renewal is not a lost lease: the next one may succeed before the lease runs out.
        options.logger.warn('lease renewal failed', { run: options.runId, error: (error as Error).message });
      })
      .finally(() => {
        renewing = false;
      });
  }, options.renewEveryMs);
  timer.unref();
  return {
    get lost() {
      return lost;
    },
    markLost() {
      lost = true;
    },
    check() {
      if (lost) throw new LeaseLostError(options.runId);
    },
    async confirm() {
      if (lost) throw new LeaseLostError(options.runId);
      const leaseUntil = new Date(options.now().getTime() + options.leaseMs);
      if (!(await options.store.updateRun(options.runId, options.owner, { leaseUntil }))) {
        lost = true;
        throw new LeaseLostError(options.runId);
      }
    },
    stop() {
      clearInterval(timer);
    },
  };
}
