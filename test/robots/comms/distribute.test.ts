/**
 * `calls_distribute` against the sandbox portal over HTTP, through the real client and the worker (RULES.md §B).
 * The seeded «Менеджеры» list has five managers: the 2nd is on vacation, the 4th on sick leave.
 */
import { saveSettings } from '../../../src/activities/settings';
import { addUser } from '../../../src/sandbox/data';
import { standaloneRun } from '../../../src/store/standalone-run';
import { commsSettings } from '../../../robots/comms/settings';
import {
  addCompany,
  addListManager,
  clearManagersList,
  createWorld,
  DAY,
  markManager,
  requests,
  runRobot,
  tasks,
  type World,
} from './world';

const MONDAY = '2025-03-03T06:00:00Z'; // Monday 09:00 in Moscow

/** Call tasks made by the distribution: company id → responsible, for tasks created since `since`. */
function callTasks(world: World, since = 0): Array<{ companyId: number; responsibleId: number; title: string; createdMs: number }> {
  return tasks(world)
    .filter((task) => task.title.startsWith('Позвонить клиенту') && Date.parse(task.createdDate) >= since)
    .map((task) => ({
      companyId: Number(task.ufCrmTask.find((code) => code.startsWith('CO_'))!.slice(3)),
      responsibleId: task.responsibleId,
      title: task.title,
      createdMs: Date.parse(task.createdDate),
    }));
}

async function setPerManager(world: World, perManager: number): Promise<void> {
  await saveSettings(world.store, world.portal.memberId, commsSettings, { perManager });
}

describe('calls_distribute against the sandbox portal', () => {
  let world: World;
  let companies: number[];

  beforeEach(async () => {
    world = await createWorld({ start: MONDAY });
    companies = Array.from({ length: 20 }, (_, i) => addCompany(world, `ООО «Клиент ${i + 1}»`).id);
    await setPerManager(world, 3);
  });

  afterEach(async () => {
    await world.close();
  });

  it('managers on vacation and on sick leave get no companies; the others get theirs in turn, linked to the company', async () => {
    const [first, onVacation, third, onSickLeave, fifth] = world.managers;

    const run = await runRobot(world, 'calls_distribute');

    expect(run.returnValues).toMatchObject({ Result: 'ok', Assigned: 9, Managers: 3, Skipped: 2 });
    const made = callTasks(world);
    expect(made).toHaveLength(9);
    const given = (userId: number) => made.filter((task) => task.responsibleId === userId).map((task) => task.companyId);
    expect(given(onVacation)).toEqual([]);
    expect(given(onSickLeave)).toEqual([]);
    // In turn, like cards: companies 1, 2, 3 go to the first, third and fifth manager, and so on.
    expect(given(first)).toEqual([companies[0], companies[3], companies[6]]);
    expect(given(third)).toEqual([companies[1], companies[4], companies[7]]);
    expect(given(fifth)).toEqual([companies[2], companies[5], companies[8]]);
    expect(made[0].title).toBe('Позвонить клиенту: ООО «Клиент 1»');
    expect(run.logMessage).toContain('в отпуске');
    expect(run.logMessage).toContain('на больничном');
  });

  it('a rerun in the same week assigns nothing twice', async () => {
    await runRobot(world, 'calls_distribute');
    const before = callTasks(world).length;

    world.clock.advance(2 * 3_600_000);
    const rerun = await runRobot(world, 'calls_distribute');

    expect(rerun.returnValues).toMatchObject({ Result: 'skipped', Assigned: 0 });
    expect(rerun.logMessage).toContain('уже распределены');
    expect(callTasks(world)).toHaveLength(before);
  });

  it('a manager added to the list mid-week gets work on the rerun, after the companies already given', async () => {
    await runRobot(world, 'calls_distribute');
    const newcomer = addListManager(world, 'Глеб');

    world.clock.advance(DAY);
    const rerun = await runRobot(world, 'calls_distribute');

    expect(rerun.returnValues).toMatchObject({ Result: 'ok', Assigned: 3, Managers: 1 });
    const made = callTasks(world);
    expect(made.filter((task) => task.responsibleId === newcomer).map((task) => task.companyId)).toEqual(companies.slice(9, 12));
    expect(new Set(made.map((task) => task.companyId)).size).toBe(made.length);
  });

  it('the cursor carries over to next week and wraps around to the first company', async () => {
    const seen: number[][] = [];
    for (let week = 0; week < 3; week++) {
      const since = world.clock.now().getTime();
      const run = await runRobot(world, 'calls_distribute', { source: 'schedule' });
      expect(run.returnValues).toMatchObject({ Result: 'ok', Assigned: 9 });
      seen.push(callTasks(world, since).map((task) => task.companyId).sort((a, b) => a - b));
      world.clock.advance(7 * DAY);
    }
    expect(seen[0]).toEqual(companies.slice(0, 9));
    expect(seen[1]).toEqual(companies.slice(9, 18));
    // Week 3: the last two companies, then the queue starts over from the first.
    expect(seen[2]).toEqual([...companies.slice(0, 7), ...companies.slice(18, 20)].sort((a, b) => a - b));
  });

  it('with more capacity than companies every company is given once, and the log says so', async () => {
    await setPerManager(world, 10); // 3 active managers × 10 = 30 places for 20 companies

    const run = await runRobot(world, 'calls_distribute');

    expect(run.returnValues).toMatchObject({ Result: 'ok', Assigned: 20 });
    const made = callTasks(world);
    expect(made.map((task) => task.companyId).sort((a, b) => a - b)).toEqual(companies);
    expect(run.logMessage).toContain('меньше, чем мест: не хватило 10');

    // A rerun in the same week finds nothing left to give, even though every manager still has room.
    const rerun = await runRobot(world, 'calls_distribute');
    expect(rerun.returnValues).toMatchObject({ Result: 'skipped', Assigned: 0 });
    expect(rerun.logMessage).toContain('не осталось компаний');
    expect(callTasks(world)).toHaveLength(20);
  });

  it('a manager back from vacation is picked up the next week', async () => {
    const onVacation = world.managers[1];
    await runRobot(world, 'calls_distribute');
    markManager(world, onVacation, { vacation: false, sick: false });

    world.clock.advance(7 * DAY);
    const since = world.clock.now().getTime();
    const run = await runRobot(world, 'calls_distribute');

    expect(run.returnValues).toMatchObject({ Assigned: 12, Managers: 4, Skipped: 1 });
    expect(callTasks(world, since).filter((task) => task.responsibleId === onVacation)).toHaveLength(3);
  });

  it('with no active managers nothing is assigned and the log line says why', async () => {
    clearManagersList(world);

    const run = await runRobot(world, 'calls_distribute');

    expect(run.returnValues).toMatchObject({ Result: 'skipped', Assigned: 0, Managers: 0 });
    expect(run.logMessage).toContain('нет активных менеджеров');
    expect(callTasks(world)).toHaveLength(0);
  });

  it('costs a handful of requests: managers, users, the queue, and one batch per 50 tasks', async () => {
    const before = requests(world);
    await runRobot(world, 'calls_distribute');
    // lists.element.get, user.get, one keyset batch for the queue, one tasks batch.
    expect(requests(world) - before).toBeLessThanOrEqual(4);
  });

  it('two runs started at the same moment (the Monday job and an admin) give each company once', async () => {
    const enqueue = (key: string) =>
      world.store.enqueueRun(
        standaloneRun({
          memberId: world.portal.memberId,
          robotCode: 'calls_distribute',
          source: 'manual',
          dedupeKey: key,
          firedAt: world.clock.now(),
          availableAt: world.clock.now(),
        }),
      );
    await enqueue('monday-job');
    await enqueue('admin');

    await world.worker.drain(); // the worker runs both at once (concurrency 4)

    const made = callTasks(world);
    expect(made).toHaveLength(9);
    expect(new Set(made.map((task) => task.companyId)).size).toBe(9);
    const runs = await world.store.listRuns({ robotCode: 'calls_distribute' });
    expect(runs.map((run) => run.returnValues?.Assigned).sort()).toEqual([0, 9]);
  });

  it('takes the active employees of a department when the settings say so', async () => {
    const sales = [
      addUser(world.portal, { name: 'Ирина', lastName: 'Орлова', departments: [7] }),
      addUser(world.portal, { name: 'Пётр', lastName: 'Зайцев', departments: [7] }),
      addUser(world.portal, { name: 'Олег', lastName: 'Уволенный', departments: [7], active: false }),
    ];
    await saveSettings(world.store, world.portal.memberId, commsSettings, { perManager: 3, managers: { source: 'department', departmentId: 7 } });

    const run = await runRobot(world, 'calls_distribute');

    expect(run.returnValues).toMatchObject({ Result: 'ok', Assigned: 6, Managers: 2 });
    expect(new Set(callTasks(world).map((task) => task.responsibleId))).toEqual(new Set([sales[0].id, sales[1].id]));
  });
});
