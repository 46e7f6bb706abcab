/**
 * The bench's world: one sandbox with one portal per measured run (so each starts with an empty rate bucket and its
 * own operating budget), the portals installed in an in-memory store, and a client + worker per phase. Every part
 * reads one clock, which the bench can shift (to prepare "yesterday" before measuring "today").
 */
import { createRegistry } from '../src/activities/registry';
import { saveSettings } from '../src/activities/settings';
import type { RobotLogger } from '../src/activities/types';
import { createBitrixClient, defaultLimits } from '../src/bitrix';
import type { BitrixClient, LimitConfig } from '../src/bitrix/types';
import { startSandbox, type Sandbox, type SandboxPortal } from '../src/sandbox';
import type { LimitsPatch } from '../src/sandbox/limits';
import { attachSandboxPortal } from '../src/dev/sandbox-portal';
import { createStore } from '../src/store';
import { standaloneRun } from '../src/store/standalone-run';
import type { RunRecord, Store } from '../src/store/types';
import { createWorker, type Worker } from '../src/worker/worker';
import { robots } from '../robots';
import { commsSettings, type CommsSettings } from '../robots/comms/settings';

export const DAY = 86_400_000;

/** Real time plus an offset the bench moves. */
export class ShiftedClock {
  offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

const quiet: RobotLogger = { debug() {}, info() {}, warn() {}, error() {} };

export type LimitMode = 'real' | 'bucket-only' | 'off';

/** The sandbox's limits for a mode: the real plan (burst 50, 2/s, 480 s per method per 10 min), the bucket alone, none. */
export function sandboxLimits(mode: LimitMode): LimitsPatch {
  return {
    bucket: { enabled: mode !== 'off', burst: 50, drainPerSecond: 2 },
    operating: { enabled: mode === 'real', limitSeconds: 480, windowSeconds: 600 },
  };
}

/** The client's own pacing for a mode: the plan's limits, or none at all. */
function clientLimits(mode: LimitMode): LimitConfig {
  return mode === 'off' ? { burst: 1e9, drainPerSecond: 1e9, operatingLimitSeconds: 1e9 } : defaultLimits('standard');
}

export interface Bench {
  sandbox: Sandbox;
  store: Store;
  clock: ShiftedClock;
  portal(name: string): SandboxPortal;
  setLimits(name: string, mode: LimitMode): void;
  /** A client and a worker pacing themselves as `mode` says, for every portal. */
  phase(mode: LimitMode): Promise<{ client: BitrixClient; worker: Worker; close(): Promise<void> }>;
  /** Enqueues a run of a robot on a portal and lets the worker finish it. */
  run(worker: Worker, name: string, robotCode: string): Promise<RunRecord>;
  saveCommsSettings(name: string, settings: Partial<CommsSettings>): Promise<void>;
  journal(name: string): { httpRequests: number; batchSubCalls: number };
  close(): Promise<void>;
}

export async function startBench(portals: Array<{ name: string; seed: Record<string, unknown> }>, clock: ShiftedClock): Promise<Bench> {
  const sandbox = await startSandbox({
    clock: clock.now,
    randomSeed: 11,
    portals: portals.map((p) => ({ domain: `${p.name}.bitrix24.test`, timeZone: 'Europe/Moscow', culture: 'ru' as const, seed: p.seed })),
    logger: { error: (message) => process.stderr.write(`${message}\n`) },
  });
  const store = await createStore('sqlite::memory:', { clock: clock.now });
  const byName = new Map<string, SandboxPortal>();
  for (const p of portals) {
    const portal = sandbox.portal(`${p.name}.bitrix24.test`);
    byName.set(p.name, portal);
    const now = clock.now();
    sandbox.setLimits(portal.memberId, { tokenTtlSeconds: 14 * 86_400 });
    await attachSandboxPortal(store, sandbox, portal, {
      now,
      applicationToken: 'c0ffee00c0ffee00c0ffee00c0ffee00',
      // Valid for the whole bench, whatever the clock shift.
      expiresAt: new Date(now.getTime() + 7 * DAY),
    });
  }
  const get = (name: string) => {
    const portal = byName.get(name);
    if (!portal) throw new RangeError(`no bench portal "${name}"`);
    return portal;
  };
  const registry = createRegistry(robots);
  let runs = 0;
  return {
    sandbox,
    store,
    clock,
    portal: get,
    setLimits(name, mode) {
      sandbox.setLimits(get(name).memberId, sandboxLimits(mode));
    },
    async phase(mode) {
      const client = createBitrixClient({
        store,
        oauth: { clientId: sandbox.app.clientId, clientSecret: sandbox.app.clientSecret, server: sandbox.url },
        clock: clock.now,
        sleep: clock.sleep,
        limits: () => clientLimits(mode),
      });
      const worker = createWorker({ store, client, registry, logger: quiet, clock: clock.now, maxAttempts: 1 });
      return {
        client,
        worker,
        async close() {
          await worker.stop();
          await client.close();
        },
      };
    },
    async run(worker, name, robotCode) {
      runs += 1;
      const now = clock.now();
      const { run } = await store.enqueueRun(
        standaloneRun({ memberId: get(name).memberId, robotCode, source: 'manual', dedupeKey: `bench-${runs}`, firedAt: now, availableAt: now }),
      );
      await worker.drain();
      const done = await store.getRun(run.id);
      if (!done || done.state !== 'done') throw new Error(`bench run of ${robotCode} on ${name} ended ${done?.state}: ${done?.lastError}`);
      return done;
    },
    async saveCommsSettings(name, settings) {
      await saveSettings(store, get(name).memberId, commsSettings, settings);
    },
    journal(name) {
      const { httpRequests, batchSubCalls } = sandbox.journal(get(name).memberId);
      return { httpRequests, batchSubCalls };
    },
    async close() {
      await store.close();
      await sandbox.close();
    },
  };
}
