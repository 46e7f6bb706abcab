/**
 * `comms_sweep`, the daily silence check over every company, against the sandbox portal (RULES.md §B, §F).
 */
import { addCall, addCompany, addDeal, createWorld, DAY, deals, remindersOf, requests, runRobot, serviceCategory, serviceDealsOf, tasks, type World } from './world';

const NOW = '2025-03-05T03:00:00Z'; // 06:00 in Moscow

describe('comms_sweep against the sandbox portal', () => {
  let world: World;
  const ids: Record<string, number> = {};

  beforeEach(async () => {
    world = await createWorld({ start: NOW });
    const company = (key: string, title: string, options?: Parameters<typeof addCompany>[2]) => (ids[key] = addCompany(world, title, options).id);
    addCall(world, company('call89', 'ООО «Звонок 89»'), 89);
    addCall(world, company('call91', 'ООО «Звонок 91»'), 91);
    company('never', 'ООО «Без связи»');
    company('young', 'ООО «Новичок»', { ageDays: 20 });
    // Stamped by comms_stamp 10 days ago, although the portal's own LAST_COMMUNICATION_TIME is old.
    company('stamped', 'ООО «Отмечено»', { fields: { UF_CRM_LAST_CONTACT: new Date(Date.parse(NOW) - 10 * DAY).toISOString() } });
    addCall(world, company('dealRecent', 'ООО «Сделка»'), 200);
    addDeal(world, {
      TITLE: 'Заказ',
      CATEGORY_ID: 0,
      COMPANY_ID: ids.dealRecent,
      createdTime: new Date(Date.parse(NOW) - 120 * DAY).toISOString(),
      updatedTime: new Date(Date.parse(NOW) - 5 * DAY).toISOString(),
    });
    company('openService', 'ООО «Уже в сервисе»');
    addDeal(world, {
      TITLE: 'Связаться с клиентом',
      CATEGORY_ID: serviceCategory(world),
      COMPANY_ID: ids.openService,
      ASSIGNED_BY_ID: world.managers[0],
      createdTime: new Date(Date.parse(NOW) - 100 * DAY).toISOString(),
      updatedTime: new Date(Date.parse(NOW) - 100 * DAY).toISOString(),
    });
    // Thirty more silent companies, so the work spans more than one batch of 25.
    for (let i = 0; i < 30; i++) addCall(world, company(`bulk${i}`, `ООО «Архив ${i}»`), 95 + i);
  });

  afterEach(async () => {
    await world.close();
  });

  it('finds exactly the silent companies and gives each one service deal and one task', async () => {
    const run = await runRobot(world, 'comms_sweep', { source: 'schedule' });

    expect(run.returnValues).toMatchObject({ Result: 'ok', Companies: 37, Silent: 33, DealsCreated: 32, TasksCreated: 33 });
    for (const key of ['call89', 'young', 'stamped', 'dealRecent']) {
      expect([key, serviceDealsOf(world, ids[key]).length, remindersOf(world, ids[key]).length]).toEqual([key, 0, 0]);
    }
    for (const key of ['call91', 'never', 'bulk0', 'bulk29']) {
      expect([key, serviceDealsOf(world, ids[key]).length, remindersOf(world, ids[key]).length]).toEqual([key, 1, 1]);
    }
    // The open service deal is kept; its company gets the task on that deal.
    const [open] = serviceDealsOf(world, ids.openService);
    expect(serviceDealsOf(world, ids.openService)).toHaveLength(1);
    expect(remindersOf(world, ids.openService)[0].ufCrmTask).toEqual([`CO_${ids.openService}`, `D_${open.id}`]);
    expect(run.logMessage).toContain('Проверено компаний: 37');
  });

  it('a second sweep the same day creates nothing', async () => {
    await runRobot(world, 'comms_sweep', { source: 'schedule' });
    const dealCount = deals(world).length;
    const taskCount = tasks(world).length;

    world.clock.advance(3_600_000);
    const rerun = await runRobot(world, 'comms_sweep', { source: 'manual' });

    expect(rerun.returnValues).toMatchObject({ DealsCreated: 0, TasksCreated: 0 });
    expect(deals(world)).toHaveLength(dealCount);
    expect(tasks(world)).toHaveLength(taskCount);
  });

  it('a company checked by the robot earlier in the day is not given a second deal by the sweep', async () => {
    await runRobot(world, 'comms_check_silence', { documentId: ['crm', 'CCrmDocumentCompany', `COMPANY_${ids.never}`] });
    expect(serviceDealsOf(world, ids.never)).toHaveLength(1);

    await runRobot(world, 'comms_sweep', { source: 'schedule' });

    expect(serviceDealsOf(world, ids.never)).toHaveLength(1);
    expect(remindersOf(world, ids.never)).toHaveLength(1);
  });

  it('needs a few requests for the whole base: the list, the candidates, the open deals, the work in batches', async () => {
    const before = requests(world);
    await runRobot(world, 'comms_sweep', { source: 'schedule' });
    // 1 company page + 1 candidates batch + pipeline + open deals + reminders + 2 work batches (33 companies)
    expect(requests(world) - before).toBeLessThanOrEqual(7);
  });
});
