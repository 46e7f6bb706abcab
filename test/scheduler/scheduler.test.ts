import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../../src/store';
import type { PortalRecord, Store } from '../../src/store/types';
import { createScheduler } from '../../src/scheduler';
import type { ScheduledJob } from '../../src/scheduler';
import { portalRecord } from '../fixtures/portal';

const weekly: ScheduledJob = { name: 'calls_distribute', robotCode: 'calls_distribute', cron: '0 9 * * 1', description: 'weekly calls' };

function portal(memberId: string, timeZone = 'Europe/Moscow'): PortalRecord {
  const at = new Date('2025-01-01T00:00:00Z');
  return portalRecord({
    memberId,
    domain: `${memberId}.bitrix24.test`,
    clientEndpoint: `https://${memberId}.bitrix24.test/rest/`,
    applicationToken: 'a'.repeat(32),
    scope: 'crm,bizproc,task',
    timeZone,
    installedAt: at,
    updatedAt: at,
  });
}

/** A clock the test moves by hand. */
function manualClock(iso: string) {
  let now = new Date(iso);
  return { now: () => now, set: (next: string) => (now = new Date(next)) };
}

describe('scheduler on SQLite', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'b24-sched-'));
    store = await createStore(`sqlite:${join(dir, 'store.sqlite')}`);
    await store.migrate();
    await store.upsertPortal(portal('portal1'));
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a new schedule waits for Monday 09:00 portal time, then fires once', async () => {
    const clock = manualClock('2025-01-15T12:00:00Z'); // Wednesday
    const scheduler = createScheduler({ store, jobs: [weekly], clock: clock.now });
    expect(await scheduler.tick()).toEqual([]);
    const [schedule] = await store.listSchedules('portal1');
    expect(schedule.nextRunAt?.toISOString()).toBe('2025-01-20T06:00:00.000Z');

    clock.set('2025-01-20T06:00:30Z');
    const fired = await scheduler.tick();
    expect(fired.map((f) => [f.job, f.tickAt.toISOString()])).toEqual([['calls_distribute', '2025-01-20T06:00:00.000Z']]);
    expect(await scheduler.tick()).toEqual([]); // the same minute again: nothing

    const runs = await store.listRuns({ memberId: 'portal1' });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ robotCode: 'calls_distribute', source: 'schedule', eventToken: null, documentId: null });
  });

  it('a tick missed while the service was down runs once when it is back', async () => {
    const clock = manualClock('2025-01-15T12:00:00Z');
    await createScheduler({ store, jobs: [weekly], clock: clock.now }).sync();

    // Down over two Mondays; back on Wednesday the 29th.
    clock.set('2025-01-29T10:00:00Z');
    const restarted = createScheduler({ store, jobs: [weekly], clock: clock.now });
    const fired = await restarted.tick();
    expect(fired).toHaveLength(1);
    expect(fired[0].tickAt.toISOString()).toBe('2025-01-20T06:00:00.000Z');
    expect(await restarted.tick()).toEqual([]);
    const [schedule] = await store.listSchedules('portal1');
    expect(schedule.nextRunAt?.toISOString()).toBe('2025-02-03T06:00:00.000Z');
  });

  it('a portal can move a job or switch it off in its settings', async () => {
    const clock = manualClock('2025-01-15T12:00:00Z');
    const scheduler = createScheduler({ store, jobs: [weekly], clock: clock.now });
    await store.saveSettings('portal1', { schedules: { calls_distribute: '0 10 * * 2' } });
    let [schedule] = await scheduler.sync();
    expect(schedule).toMatchObject({ cron: '0 10 * * 2', enabled: true });
    expect(schedule.nextRunAt?.toISOString()).toBe('2025-01-21T07:00:00.000Z');

    await store.saveSettings('portal1', { schedules: { calls_distribute: 'off' } });
    [schedule] = await scheduler.sync();
    expect(schedule).toMatchObject({ enabled: false, nextRunAt: null });
    clock.set('2025-02-01T00:00:00Z');
    expect(await scheduler.tick()).toEqual([]);
  });

  it('an uninstalled portal loses its schedules', async () => {
    const clock = manualClock('2025-01-15T12:00:00Z');
    const scheduler = createScheduler({ store, jobs: [weekly], clock: clock.now });
    await scheduler.sync();
    await store.markPortalUninstalled('portal1', clock.now());
    expect(await scheduler.sync()).toEqual([]);
  });
});

const pgUrl = process.env.TEST_DATABASE_URL;
const describePg = pgUrl ? describe : describe.skip;

describePg('scheduler on PostgreSQL with two instances', () => {
  const schema = `sched_${process.pid}_${Date.now()}`;
  let a: Store;
  let b: Store;

  beforeAll(async () => {
    a = await createStore(pgUrl, { schema });
    await a.migrate();
    b = await createStore(pgUrl, { schema });
    await b.migrate();
    await a.upsertPortal(portal('portal-pg'));
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    const { Client } = await import('pg');
    const admin = new Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('fires one tick once although both instances see it due at the same time', async () => {
    const clock = manualClock('2025-01-15T12:00:00Z');
    await createScheduler({ store: a, jobs: [weekly], clock: clock.now }).sync();
    clock.set('2025-01-20T06:00:10Z');
    const first = createScheduler({ store: a, jobs: [weekly], clock: clock.now });
    const second = createScheduler({ store: b, jobs: [weekly], clock: clock.now });
    const [firedA, firedB] = await Promise.all([first.tick(), second.tick()]);
    expect(firedA.length + firedB.length).toBe(1);
    expect(await a.listRuns({ memberId: 'portal-pg', robotCode: 'calls_distribute' })).toHaveLength(1);
  });
});
