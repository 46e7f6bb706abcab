/** Time for client tests: virtual (sleep jumps the clock at once) or manual (sleeps end when the test advances). */

export interface TestTime {
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  now(): number;
}

/** Sleeping moves the shared clock forward immediately: waits cost no real time and stay deterministic. */
export function virtualTime(start = Date.UTC(2024, 6, 18, 9, 0, 0)): TestTime {
  let now = start;
  return {
    clock: () => new Date(now),
    sleep: async (ms) => {
      now += Math.max(0, ms);
      await Promise.resolve();
    },
    now: () => now,
  };
}

export interface ManualTime extends TestTime {
  /** Moves the clock and wakes every sleeper whose time has come. */
  advance(ms: number): void;
  sleepers(): number;
}

export function manualTime(start = Date.UTC(2024, 6, 18, 9, 0, 0)): ManualTime {
  let now = start;
  let waiters: { until: number; wake: () => void }[] = [];
  return {
    clock: () => new Date(now),
    sleep: (ms) =>
      ms <= 0 ? Promise.resolve() : new Promise<void>((wake) => waiters.push({ until: now + ms, wake })),
    now: () => now,
    advance(ms) {
      now += ms;
      const due = waiters.filter((w) => w.until <= now);
      waiters = waiters.filter((w) => w.until > now);
      for (const w of due) w.wake();
    },
    sleepers: () => waiters.length,
  };
}
