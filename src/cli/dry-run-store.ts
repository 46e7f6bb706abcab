/**
 * The store a `--dry-run` invocation works with: it reads the real store (portal, settings, robot state) but keeps
 * the run, its steps and state changes in memory, so a dry run leaves no trace in the service's database. Tokens are
 * the exception: a refresh rotates the refresh token and the old one dies (PROTOCOL §4.6), so a rotated pair must be
 * saved for real or the portal would be lost. Locks are real too, so a dry run waits for real runs it would race.
 */
import { randomUUID } from 'node:crypto';
import type { NewRun, RunPatch, RunRecord, RunState, Store } from '../store/types';

export function dryRunStore(real: Store, now: () => Date = () => new Date()): Store {
  const runs = new Map<string, RunRecord>();
  const steps = new Map<string, unknown>();
  const state = new Map<string, unknown>();
  const stateKey = (memberId: string, key: string): string => `${memberId}\u0000${key}`;
  const noop = async (): Promise<void> => undefined;

  return {
    kind: real.kind,
    migrate: noop,
    ping: () => real.ping(),
    // The real store belongs to the CLI session, which closes it.
    close: noop,

    getPortal: (memberId) => real.getPortal(memberId),
    getPortalByDomain: (domain) => real.getPortalByDomain(domain),
    listPortals: (options) => real.listPortals(options),
    upsertPortal: noop,
    markPortalUninstalled: noop,
    touchPortal: noop,

    getToken: (memberId, userId) => real.getToken(memberId, userId),
    saveToken: (token) => real.saveToken(token),

    async enqueueRun(run: NewRun) {
      const existing = [...runs.values()].find((r) => r.memberId === run.memberId && r.dedupeKey === run.dedupeKey);
      if (existing) return { run: structuredClone(existing), created: false };
      const at = now();
      const record: RunRecord = {
        ...structuredClone(run),
        id: randomUUID(),
        state: 'queued',
        attempts: 0,
        availableAt: run.availableAt ?? at,
        leaseOwner: null,
        leaseUntil: null,
        returnValues: null,
        logMessage: null,
        lastError: null,
        eventSentAt: null,
        createdAt: at,
        updatedAt: at,
        finishedAt: null,
      };
      runs.set(record.id, record);
      return { run: structuredClone(record), created: true };
    },
    async getRun(id) {
      const run = runs.get(id);
      return run ? structuredClone(run) : null;
    },
    // Nothing here is ever handed to a worker: the invocation processes its one run itself.
    claimRuns: async () => [],
    async updateRun(id: string, owner: string | null, patch: RunPatch) {
      const run = runs.get(id);
      if (!run || (owner !== null && run.leaseOwner !== owner)) return false;
      Object.assign(run, structuredClone(patch), { updatedAt: now() });
      return true;
    },
    async listRuns(filter = {}) {
      return [...runs.values()]
        .filter((r) => (!filter.memberId || r.memberId === filter.memberId) && (!filter.state || r.state === filter.state))
        .filter((r) => !filter.robotCode || r.robotCode === filter.robotCode)
        .slice(0, filter.limit ?? Infinity)
        .map((r) => structuredClone(r));
    },
    async countRunsByState() {
      const counts: Record<RunState, number> = { queued: 0, running: 0, waiting: 0, done: 0, failed: 0 };
      for (const run of runs.values()) counts[run.state] += 1;
      return counts;
    },
    cancelPortalRuns: async () => 0,

    async getStep(runId, key) {
      const id = `${runId}\u0000${key}`;
      return steps.has(id) ? { value: structuredClone(steps.get(id)) } : null;
    },
    async saveStep(runId, key, value) {
      const id = `${runId}\u0000${key}`;
      if (!steps.has(id)) steps.set(id, structuredClone(value));
    },

    getSettings: (memberId) => real.getSettings(memberId),
    saveSettings: noop,

    async getState<T>(memberId: string, key: string): Promise<T | null> {
      const id = stateKey(memberId, key);
      if (state.has(id)) return structuredClone(state.get(id)) as T | null;
      return real.getState<T>(memberId, key);
    },
    async setState(memberId, key, value) {
      state.set(stateKey(memberId, key), structuredClone(value));
    },

    upsertSchedule: noop,
    listSchedules: (memberId) => real.listSchedules(memberId),
    deleteSchedule: noop,
    claimTick: async () => false,
    markScheduleRun: noop,

    withLock: (name, fn, options) => real.withLock(name, fn, options),
  };
}
