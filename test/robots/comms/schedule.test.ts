/**
 * The service runs the weekly distribution and the daily sweep on its own (RULES.md §F): the robots' schedules become
 * per-portal scheduler jobs, and a Monday missed while the service was down is caught up with one distribution.
 */
import { createScheduler, jobsFromRobots } from '../../../src/scheduler';
import { createStore } from '../../../src/store';
import type { Store } from '../../../src/store/types';
import { robots } from '../../../robots';
import { addCompany, createWorld, tasks, type World } from './world';

const pgUrl = process.env.TEST_DATABASE_URL;
const describePg = pgUrl ? describe : describe.skip;

describe('the comms schedules', () => {
  it('calls_distribute is a Monday 09:00 job and comms_sweep a daily 06:00 job', () => {
    const jobs = jobsFromRobots(robots);
    expect(jobs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'calls_distribute', robotCode: 'calls_distribute', cron: '0 9 * * 1' }),
        expect.objectContaining({ name: 'comms_sweep', robotCode: 'comms_sweep', cron: '0 6 * * *' }),
      ]),
    );
  });

  describe('with the service down over a Monday', () => {
    let world: World;

    beforeEach(async () => {
      world = await createWorld({ start: '2025-03-05T10:00:00Z' }); // a Wednesday
      for (let i = 0; i < 12; i++) addCompany(world, `ООО «Клиент ${i + 1}»`);
    });

    afterEach(async () => {
      await world.close();
    });

    it('the missed Monday triggers one distribution run when the service is back', async () => {
      const jobs = jobsFromRobots(robots).filter((job) => job.name === 'calls_distribute');
      await createScheduler({ store: world.store, jobs, clock: world.clock.now }).sync();

      // Down from Wednesday to the next Wednesday: Monday 10 March 09:00 Moscow (06:00 UTC) was missed.
      world.clock.set('2025-03-12T08:00:00Z');
      const scheduler = createScheduler({ store: world.store, jobs, clock: world.clock.now });
      const fired = await scheduler.tick();
      expect(fired.map((tick) => [tick.job, tick.tickAt.toISOString()])).toEqual([['calls_distribute', '2025-03-10T06:00:00.000Z']]);
      expect(await scheduler.tick()).toEqual([]);

      await world.worker.drain();

      const runs = await world.store.listRuns({ robotCode: 'calls_distribute' });
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ source: 'schedule', state: 'done' });
      expect(runs[0].returnValues).toMatchObject({ Result: 'ok', Assigned: 12, Managers: 3 });
      expect(tasks(world).filter((task) => task.title.startsWith('Позвонить клиенту'))).toHaveLength(12);
    });
  });

  describePg('two service instances on one PostgreSQL', () => {
    const schema = `comms_sched_${process.pid}_${Date.now()}`;
    let world: World;
    let second: Store;

    beforeAll(async () => {
      world = await createWorld({ start: '2025-03-05T10:00:00Z', databaseUrl: pgUrl, schema });
      second = await createStore(pgUrl, { schema, clock: world.clock.now });
      for (let i = 0; i < 12; i++) addCompany(world, `ООО «Клиент ${i + 1}»`);
    });

    afterAll(async () => {
      await second?.close();
      await world?.close();
      const { Client } = await import('pg');
      const admin = new Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    });

    it('fire the Monday tick once: one distribution, each company given once', async () => {
      const jobs = jobsFromRobots(robots).filter((job) => job.name === 'calls_distribute');
      await createScheduler({ store: world.store, jobs, clock: world.clock.now }).sync();
      world.clock.set('2025-03-10T06:00:10Z');
      const a = createScheduler({ store: world.store, jobs, clock: world.clock.now });
      const b = createScheduler({ store: second, jobs, clock: world.clock.now });

      const [firedA, firedB] = await Promise.all([a.tick(), b.tick()]);
      await world.worker.drain();

      expect(firedA.length + firedB.length).toBe(1);
      expect(await world.store.listRuns({ robotCode: 'calls_distribute' })).toHaveLength(1);
      const companies = tasks(world).map((task) => task.ufCrmTask[0]);
      expect(companies).toHaveLength(12);
      expect(new Set(companies).size).toBe(12);
    });
  });
});
