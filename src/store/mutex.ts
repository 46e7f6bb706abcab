import { lockTimeout } from './errors';

interface Waiter {
  grant(): void;
}

/**
 * Named in-process mutex: callers of one name queue in FIFO order, so same-process callers wait here instead of
 * each holding a database connection (or polling) for the same lock.
 */
export class KeyedMutex {
  private readonly queues = new Map<string, Waiter[]>();

  /** Resolves with a release function once `name` is free; rejects with STORE_LOCK_TIMEOUT after `timeoutMs`. */
  acquire(name: string, timeoutMs: number): Promise<() => void> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = [];
      this.queues.set(name, queue);
    }
    const waiters = queue;
    return new Promise((resolve, reject) => {
      const waiter: Waiter & { timer?: NodeJS.Timeout } = {
        grant: () => {
          clearTimeout(waiter.timer);
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            this.releaseHead(name, waiters);
          });
        },
      };
      waiters.push(waiter);
      if (waiters.length === 1) {
        waiter.grant();
        return;
      }
      waiter.timer = setTimeout(() => {
        const index = waiters.indexOf(waiter);
        if (index > 0) waiters.splice(index, 1);
        reject(lockTimeout(name, timeoutMs));
      }, Math.max(0, timeoutMs));
    });
  }

  /** Number of names currently held or awaited (for tests and leak checks). */
  get size(): number {
    return this.queues.size;
  }

  private releaseHead(name: string, waiters: Waiter[]): void {
    waiters.shift();
    const next = waiters[0];
    if (next) next.grant();
    else this.queues.delete(name);
  }
}
