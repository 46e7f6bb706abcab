/**
 * The Store contract, one suite for every engine. An engine's test file calls
 * `describeStoreContract(name, makeDatabase)`; each test gets a fresh, empty database, and `open()` gives further
 * Store instances on it, standing in for a second process or instance.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { appliedMigrations } from '../../src/store';
import type { StoreOptions } from '../../src/store';
import type { Store } from '../../src/store/types';
import { memberId, portal, robotCall, schedule, token } from './fixtures/records';

export interface StoreTestDatabase {
  /** Opens (and migrates) a new Store instance on this database. */
  open(options?: StoreOptions): Promise<Store>;
  /** Removes the database (file or schema); stores are closed before. */
  drop(): Promise<void>;
}

export type MakeStoreTestDatabase = () => Promise<StoreTestDatabase>;

const T0 = new Date('2024-11-04T09:20:01.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

export function describeStoreContract(
  name: string,
  makeDatabase: MakeStoreTestDatabase,
  describeFn: jest.Describe = describe,
): void {
  describeFn(`Store contract: ${name}`, () => {
    let database: StoreTestDatabase;
    let opened: Store[] = [];
    let store: Store;
    const clock = { now: () => T0 };

    /** Another instance on the same database, as a second process would have. */
    async function another(options: StoreOptions = {}): Promise<Store> {
      const instance = await database.open({ clock, ...options });
      opened.push(instance);
      return instance;
    }

    beforeEach(async () => {
      opened = [];
      database = await makeDatabase();
      store = await another();
    });

    afterEach(async () => {
      await Promise.all(opened.map((instance) => instance.close()));
      await database.drop();
    });

    describe('migrations', () => {
      it('migrating again on the next start applies nothing twice and keeps the data', async () => {
        const acme = portal();
        await store.upsertPortal(acme);
        await store.migrate();
        await store.migrate();
        expect(await appliedMigrations(store)).toEqual(['0001_initial']);
        expect(await store.getPortal(acme.memberId)).toEqual(acme);
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('two instances starting together on an empty database both come up on one schema', async () => {
        const fresh = await makeDatabase();
        try {
          const [first, second] = await Promise.all([fresh.open({ clock }), fresh.open({ clock })]);
          try {
            const acme = portal();
            await first.upsertPortal(acme);
            expect(await second.getPortal(acme.memberId)).toEqual(acme);
            expect(await appliedMigrations(second)).toEqual(['0001_initial']);
          } finally {
            await Promise.all([first.close(), second.close()]);
          }
        } finally {
          await fresh.drop();
        }
      });
    });

    describe('installations', () => {
      it('an installed portal is found by member_id and, case-insensitively, by domain', async () => {
        const acme = portal({ domain: 'acme.bitrix24.ru', plan: 'enterprise', lastActivityAt: at(0) });
        await store.upsertPortal(acme);
        expect(await store.getPortal(acme.memberId)).toEqual(acme);
        expect(await store.getPortalByDomain('ACME.Bitrix24.ru')).toEqual(acme);
        expect(await store.getPortal(memberId())).toBeNull();
        expect(await store.getPortalByDomain('other.bitrix24.ru')).toBeNull();
      });

      it('a reinstall updates the same portal in place, including a new domain after a rename', async () => {
        const acme = portal();
        await store.upsertPortal(acme);
        const renamed = { ...acme, domain: 'acme-group.bitrix24.ru', clientEndpoint: 'https://acme-group.bitrix24.ru/rest/', appVersion: 2, updatedAt: at(1000) };
        await store.upsertPortal(renamed);
        expect(await store.getPortal(acme.memberId)).toEqual(renamed);
        expect(await store.getPortalByDomain('acme.bitrix24.ru')).toBeNull();
        expect(await store.listPortals()).toEqual([renamed]);
      });

      it('an uninstalled portal leaves the active list but stays readable, and reinstalling brings it back', async () => {
        const acme = portal({ domain: 'acme.bitrix24.ru' });
        const beta = portal({ domain: 'beta.bitrix24.ru' });
        await store.upsertPortal(beta);
        await store.upsertPortal(acme);
        await store.markPortalUninstalled(beta.memberId, at(5000));
        expect((await store.listPortals()).map((p) => p.domain)).toEqual(['acme.bitrix24.ru']);
        expect((await store.listPortals({ includeUninstalled: true })).map((p) => p.domain)).toEqual([
          'acme.bitrix24.ru', 'beta.bitrix24.ru',
        ]);
        expect((await store.getPortal(beta.memberId))?.uninstalledAt).toEqual(at(5000));
        await store.upsertPortal({ ...beta, uninstalledAt: null, updatedAt: at(9000) });
        expect((await store.listPortals()).map((p) => p.domain)).toEqual(['acme.bitrix24.ru', 'beta.bitrix24.ru']);
      });

      it('a domain reused by a new installation resolves to the installed portal', async () => {
        const old = portal({ domain: 'acme.bitrix24.ru' });
        await store.upsertPortal(old);
        await store.markPortalUninstalled(old.memberId, at(0));
        const current = portal({ domain: 'acme.bitrix24.ru', updatedAt: new Date('2024-01-01T00:00:00.000Z') });
        await store.upsertPortal(current);
        expect((await store.getPortalByDomain('acme.bitrix24.ru'))?.memberId).toBe(current.memberId);
      });

      it('touching a portal records its last activity only', async () => {
        const acme = portal();
        await store.upsertPortal(acme);
        await store.touchPortal(acme.memberId, at(60_000));
        expect(await store.getPortal(acme.memberId)).toEqual({ ...acme, lastActivityAt: at(60_000) });
      });
    });

    describe('tokens per (portal, user)', () => {
      it('each user of each portal has its own pair, and a refresh replaces only that pair', async () => {
        const acme = memberId();
        const beta = memberId();
        const admin = token(acme, 1);
        const manager = token(acme, 5);
        const betaAdmin = token(beta, 1);
        await Promise.all([store.saveToken(admin), store.saveToken(manager), store.saveToken(betaAdmin)]);
        const rotated = token(acme, 5, { expiresAt: at(3600_000), updatedAt: at(0) });
        await store.saveToken(rotated);
        expect(await store.getToken(acme, 1)).toEqual(admin);
        expect(await store.getToken(acme, 5)).toEqual(rotated);
        expect(await store.getToken(beta, 1)).toEqual(betaAdmin);
        expect(await store.getToken(beta, 5)).toBeNull();
      });
    });

    describe('runs', () => {
      it('a robot call is stored as a queued run with every field of the call', async () => {
        const call = robotCall(memberId());
        const { run, created } = await store.enqueueRun(call);
        expect(created).toBe(true);
        expect(run.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(run).toMatchObject({
          ...call, state: 'queued', attempts: 0, availableAt: T0, leaseOwner: null, leaseUntil: null,
          returnValues: null, logMessage: null, lastError: null, eventSentAt: null, createdAt: T0, finishedAt: null,
        });
        expect(await store.getRun(run.id)).toEqual(run);
        expect(await store.getRun('00000000-0000-4000-8000-000000000000')).toBeNull();
      });

      it('a scheduled run without a document or workflow keeps its nulls and its own availableAt', async () => {
        const owner = memberId();
        const tick = new Date('2024-11-11T06:00:00.000Z');
        const { run } = await store.enqueueRun({
          memberId: owner, robotCode: 'weekly_distribution', source: 'schedule',
          dedupeKey: `weekly_distribution@${tick.toISOString()}`, workflowId: null, eventToken: null,
          documentId: null, documentType: null, properties: {}, userId: null, useSubscription: false,
          firedAt: tick, availableAt: tick,
        });
        expect(await store.getRun(run.id)).toMatchObject({
          documentId: null, documentType: null, workflowId: null, eventToken: null, userId: null,
          useSubscription: false, properties: {}, availableAt: tick,
        });
      });

      it('the same event_token enqueued again returns the first run unchanged', async () => {
        const call = robotCall(memberId());
        const first = await store.enqueueRun(call);
        const again = await store.enqueueRun({ ...call, properties: { title: 'changed' } });
        expect(again.created).toBe(false);
        expect(again.run).toEqual(first.run);
        // The same key on another portal is another run.
        const elsewhere = await store.enqueueRun({ ...call, memberId: memberId() });
        expect(elsewhere.created).toBe(true);
      });

      it('20 concurrent enqueues of one call across two instances create exactly one run', async () => {
        const second = await another();
        const call = robotCall(memberId());
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : second).enqueueRun(call)),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.run.id)).size).toBe(1);
        expect(await store.listRuns({ memberId: call.memberId })).toHaveLength(1);
      });

      it('a run that cannot be stored fails alone; calls stored at the same moment are kept', async () => {
        const owner = memberId();
        const good = robotCall(owner);
        const bad = robotCall(owner, { properties: { amount: BigInt(10) } });
        const other = robotCall(owner);
        const [first, broken, third] = await Promise.allSettled([
          store.enqueueRun(good), store.enqueueRun(bad), store.enqueueRun(other),
        ]);
        expect(first).toMatchObject({ status: 'fulfilled', value: { created: true } });
        expect(broken.status).toBe('rejected');
        expect(third).toMatchObject({ status: 'fulfilled', value: { created: true } });
        expect((await store.listRuns({ memberId: owner })).map((r) => r.dedupeKey).sort()).toEqual(
          [good.dedupeKey, other.dedupeKey].sort(),
        );
      });

      it('a claim leases due queued and waiting runs, oldest first, and leaves future and finished runs', async () => {
        const owner = memberId();
        const late = await store.enqueueRun(robotCall(owner, { availableAt: at(-1000) }));
        const early = await store.enqueueRun(robotCall(owner, { availableAt: at(-5000) }));
        const parked = await store.enqueueRun(robotCall(owner, { availableAt: at(-3000) }));
        await store.updateRun(parked.run.id, null, { state: 'waiting', lastError: 'QUERY_LIMIT_EXCEEDED' });
        const future = await store.enqueueRun(robotCall(owner, { availableAt: at(60_000) }));
        const done = await store.enqueueRun(robotCall(owner, { availableAt: at(-9000) }));
        await store.updateRun(done.run.id, null, { state: 'done', finishedAt: at(-8000) });

        const claimed = await store.claimRuns({ owner: 'worker-a', limit: 10, leaseMs: 30_000, now: T0 });
        expect(claimed.map((r) => r.id)).toEqual([early.run.id, parked.run.id, late.run.id]);
        for (const run of claimed) {
          expect(run).toMatchObject({ state: 'running', leaseOwner: 'worker-a', leaseUntil: at(30_000) });
          expect(await store.getRun(run.id)).toEqual(run);
        }
        expect(await store.claimRuns({ owner: 'worker-b', limit: 10, leaseMs: 30_000, now: T0 })).toEqual([]);
        expect((await store.getRun(future.run.id))?.state).toBe('queued');
      });

      it('workers on two instances claiming at once never get the same run', async () => {
        const second = await another();
        const owner = memberId();
        const ids: string[] = [];
        for (let i = 0; i < 60; i++) ids.push((await store.enqueueRun(robotCall(owner, { availableAt: at(-i) }))).run.id);
        async function drain(instance: Store, worker: string): Promise<string[]> {
          const got: string[] = [];
          while (true) {
            const batch = await instance.claimRuns({ owner: worker, limit: 3, leaseMs: 60_000, now: T0 });
            if (batch.length === 0) return got;
            for (const run of batch) expect(run.leaseOwner).toBe(worker);
            got.push(...batch.map((r) => r.id));
          }
        }
        // Three workers per instance, as a worker pool with concurrency 3 would run.
        const workers = [store, second].flatMap((instance, i) =>
          [1, 2, 3].map((n) => drain(instance, `worker-${i}-${n}`)),
        );
        const claimed = (await Promise.all(workers)).flat();
        expect(claimed).toHaveLength(60);
        expect([...claimed].sort()).toEqual([...ids].sort());
      });

      it('a run whose worker died is claimed again after its lease expires, and the dead worker can no longer write it', async () => {
        const second = await another();
        const { run } = await store.enqueueRun(robotCall(memberId()));
        const [leased] = await store.claimRuns({ owner: 'worker-a', limit: 1, leaseMs: 30_000, now: T0 });
        expect(leased.id).toBe(run.id);
        expect(await second.claimRuns({ owner: 'worker-b', limit: 1, leaseMs: 30_000, now: at(29_999) })).toEqual([]);

        const [reclaimed] = await second.claimRuns({ owner: 'worker-b', limit: 1, leaseMs: 30_000, now: at(30_000) });
        expect(reclaimed).toMatchObject({ id: run.id, leaseOwner: 'worker-b', leaseUntil: at(60_000) });

        expect(await store.updateRun(run.id, 'worker-a', { state: 'done', returnValues: { DealId: 1 } })).toBe(false);
        expect(
          await second.updateRun(run.id, 'worker-b', {
            state: 'done', attempts: 2, returnValues: { DealId: 7, Title: 'Ромашка' }, logMessage: 'deal 7 created',
            eventSentAt: at(31_000), finishedAt: at(31_000), leaseOwner: null, leaseUntil: null,
          }),
        ).toBe(true);
        expect(await store.getRun(run.id)).toMatchObject({
          state: 'done', attempts: 2, returnValues: { DealId: 7, Title: 'Ромашка' }, logMessage: 'deal 7 created',
          eventSentAt: at(31_000), finishedAt: at(31_000), leaseOwner: null, leaseUntil: null,
        });
        // Released: not even the last owner may write it now; an owner-less update (admin retry) still can.
        expect(await second.updateRun(run.id, 'worker-b', { lastError: 'late' })).toBe(false);
        expect(await store.updateRun(run.id, null, { state: 'queued', availableAt: at(40_000) })).toBe(true);
        expect(await store.updateRun('00000000-0000-4000-8000-000000000000', null, { state: 'done' })).toBe(false);
      });

      it('runs are listed newest first and filtered by portal, state and robot', async () => {
        const acme = memberId();
        const beta = memberId();
        const first = await another({ clock: () => at(1) });
        const a1 = (await first.enqueueRun(robotCall(acme))).run;
        const later = await another({ clock: () => at(2) });
        const a2 = (await later.enqueueRun(robotCall(acme, { robotCode: 'deal_reminder' }))).run;
        const b1 = (await later.enqueueRun(robotCall(beta))).run;
        await store.updateRun(a1.id, null, { state: 'failed', lastError: 'company 12 not found' });

        expect((await store.listRuns({ memberId: acme })).map((r) => r.id)).toEqual([a2.id, a1.id]);
        expect((await store.listRuns({ memberId: acme, state: 'failed' })).map((r) => r.id)).toEqual([a1.id]);
        expect((await store.listRuns({ robotCode: 'onboarding_create_deal' })).map((r) => r.id).sort()).toEqual(
          [a1.id, b1.id].sort(),
        );
        expect(await store.listRuns({ memberId: acme, limit: 1 })).toHaveLength(1);
        expect(await store.listRuns()).toHaveLength(3);
        expect(await store.countRunsByState()).toEqual({ queued: 2, running: 0, waiting: 0, done: 0, failed: 1 });
      });

      it('uninstalling fails every unfinished run of that portal, and its worker loses the lease', async () => {
        const acme = memberId();
        const beta = memberId();
        const queued = (await store.enqueueRun(robotCall(acme))).run;
        const running = (await store.enqueueRun(robotCall(acme, { availableAt: at(-1000) }))).run;
        await store.claimRuns({ owner: 'worker-a', limit: 1, leaseMs: 30_000, now: at(-500) });
        const done = (await store.enqueueRun(robotCall(acme))).run;
        await store.updateRun(done.id, null, { state: 'done' });
        const other = (await store.enqueueRun(robotCall(beta))).run;

        expect(await store.cancelPortalRuns(acme, 'app uninstalled')).toBe(2);
        for (const id of [queued.id, running.id]) {
          expect(await store.getRun(id)).toMatchObject({
            state: 'failed', lastError: 'app uninstalled', finishedAt: T0, leaseOwner: null,
          });
        }
        expect((await store.getRun(done.id))?.state).toBe('done');
        expect((await store.getRun(other.id))?.state).toBe('queued');
        expect(await store.updateRun(running.id, 'worker-a', { state: 'done' })).toBe(false);
        expect(await store.cancelPortalRuns(acme, 'again')).toBe(0);
      });
    });

    describe('step ledger', () => {
      it('a retried run reads back the result each step stored, per run', async () => {
        const first = (await store.enqueueRun(robotCall(memberId()))).run;
        const second = (await store.enqueueRun(robotCall(memberId()))).run;
        expect(await store.getStep(first.id, 'deal')).toBeNull();
        await store.saveStep(first.id, 'deal', 1234);
        await store.saveStep(first.id, 'task', { id: 77, title: 'Позвонить клиенту', tags: ['onboarding'] });
        await store.saveStep(first.id, 'zero', 0);
        await store.saveStep(first.id, 'nothing', undefined);
        await store.saveStep(first.id, 'text', 'ok');
        expect(await store.getStep(first.id, 'deal')).toEqual({ value: 1234 });
        expect(await store.getStep(first.id, 'task')).toEqual({
          value: { id: 77, title: 'Позвонить клиенту', tags: ['onboarding'] },
        });
        expect(await store.getStep(first.id, 'zero')).toEqual({ value: 0 });
        expect(await store.getStep(first.id, 'nothing')).toEqual({ value: null });
        expect(await store.getStep(first.id, 'text')).toEqual({ value: 'ok' });
        expect(await store.getStep(second.id, 'deal')).toBeNull();
      });
    });

    describe('settings and state', () => {
      it('settings are an empty object until saved, then round-trip as saved and are replaced whole', async () => {
        const acme = memberId();
        expect(await store.getSettings(acme)).toEqual({});
        const settings = { onboarding: { categoryId: 3, managers: [5, 7], title: 'Онбординг {company}' }, enabled: true };
        await store.saveSettings(acme, settings);
        expect(await store.getSettings(acme)).toEqual(settings);
        await store.saveSettings(acme, { enabled: false });
        expect(await store.getSettings(acme)).toEqual({ enabled: false });
        expect(await store.getSettings(memberId())).toEqual({});
      });

      it('robot state is kept per portal and key', async () => {
        const acme = memberId();
        const beta = memberId();
        expect(await store.getState(acme, 'distribution.cursor')).toBeNull();
        await store.setState(acme, 'distribution.cursor', { lastCompanyId: 2000, round: 3 });
        await store.setState(beta, 'distribution.cursor', 'ABC');
        await store.setState(acme, 'distribution.cursor', { lastCompanyId: 2050, round: 3 });
        expect(await store.getState(acme, 'distribution.cursor')).toEqual({ lastCompanyId: 2050, round: 3 });
        expect(await store.getState<string>(beta, 'distribution.cursor')).toBe('ABC');
        expect(await store.getState(acme, 'other')).toBeNull();
      });
    });

    describe('schedules', () => {
      it('schedules are upserted, listed per portal, marked after a run and deleted', async () => {
        const acme = memberId();
        const beta = memberId();
        const weekly = schedule(acme, 'weekly_distribution');
        await store.upsertSchedule(weekly);
        await store.upsertSchedule(schedule(acme, 'daily_sweep', { cron: '0 8 * * *', enabled: false, nextRunAt: null }));
        await store.upsertSchedule(schedule(beta, 'daily_sweep'));
        await store.upsertSchedule({ ...weekly, cron: '0 10 * * 1' });

        const listed = await store.listSchedules(acme);
        expect(listed.map((s) => s.job)).toEqual(['daily_sweep', 'weekly_distribution']);
        expect(listed[0]).toMatchObject({ enabled: false, nextRunAt: null });
        expect(listed[1]).toEqual({ ...weekly, cron: '0 10 * * 1' });
        expect(await store.listSchedules()).toHaveLength(3);

        await store.markScheduleRun(weekly.id, at(0), new Date('2024-11-18T07:00:00.000Z'));
        expect((await store.listSchedules(acme))[1]).toMatchObject({
          lastRunAt: at(0), nextRunAt: new Date('2024-11-18T07:00:00.000Z'),
        });
        await store.deleteSchedule(weekly.id);
        expect((await store.listSchedules(acme)).map((s) => s.job)).toEqual(['daily_sweep']);
      });

      it('a tick fires once even when two instances claim it at the same moment', async () => {
        const second = await another();
        const id = `${memberId()}:weekly_distribution`;
        const tick = new Date('2024-11-11T06:00:00.000Z');
        const claims = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? store : second).claimTick(id, tick)),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
        expect(await second.claimTick(id, new Date('2024-11-18T06:00:00.000Z'))).toBe(true);
        expect(await store.claimTick(`${memberId()}:weekly_distribution`, tick)).toBe(true);
      });
    });

    describe('named locks', () => {
      async function exclusive(holders: Store[], rounds: number): Promise<number> {
        let inside = 0;
        let maxInside = 0;
        let entries = 0;
        await Promise.all(
          holders.flatMap((instance) =>
            Array.from({ length: rounds }, () =>
              instance.withLock(
                'refresh:acme:1',
                async () => {
                  inside++;
                  entries++;
                  maxInside = Math.max(maxInside, inside);
                  await sleep(5);
                  inside--;
                },
                { timeoutMs: 20_000 },
              ),
            ),
          ),
        );
        expect(entries).toBe(holders.length * rounds);
        return maxInside;
      }

      it('one holder at a time, within an instance and across two instances', async () => {
        const second = await another();
        expect(await exclusive([store, second], 4)).toBe(1);
      });

      it('returns what fn returns, and releases the lock when fn throws', async () => {
        const second = await another();
        await expect(
          store.withLock('tick:weekly', async () => {
            throw new Error('handler failed');
          }),
        ).rejects.toThrow('handler failed');
        await expect(second.withLock('tick:weekly', async () => 42, { timeoutMs: 2_000 })).resolves.toBe(42);
      });

      it('a caller that cannot get the lock in time gets STORE_LOCK_TIMEOUT, and other names are free', async () => {
        const second = await another();
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let entered!: () => void;
        const inside = new Promise<void>((resolve) => (entered = resolve));
        const holder = store.withLock('refresh:acme:5', async () => {
          entered();
          await held;
          return 'held';
        });
        await inside;
        await expect(second.withLock('refresh:acme:5', async () => 'second', { timeoutMs: 50 })).rejects.toMatchObject({
          code: 'STORE_LOCK_TIMEOUT',
        });
        await expect(store.withLock('refresh:acme:5', async () => 'same', { timeoutMs: 50 })).rejects.toMatchObject({
          code: 'STORE_LOCK_TIMEOUT',
        });
        await expect(second.withLock('refresh:acme:6', async () => 'other', { timeoutMs: 2_000 })).resolves.toBe('other');
        release();
        await expect(holder).resolves.toBe('held');
        await expect(second.withLock('refresh:acme:5', async () => 'after', { timeoutMs: 2_000 })).resolves.toBe('after');
      });
    });
  });
}
