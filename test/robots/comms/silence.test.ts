/**
 * `comms_check_silence` for one company, against the sandbox portal through the client and the worker (RULES.md §B):
 * 90 days without a call, an e-mail, a deal or a stamp → a client-service deal (unless an open one exists) and the
 * task «Связаться с клиентом» for the responsible; otherwise the next check date.
 */
import { addCall, addCompany, addDeal, createWorld, DAY, remindersOf, requests, runRobot, serviceCategory, serviceDealsOf, type World } from './world';

const NOW = '2025-03-05T09:00:00Z';

const onCompany = (id: number) => ({ documentId: ['crm', 'CCrmDocumentCompany', `COMPANY_${id}`] });

describe('comms_check_silence against the sandbox portal', () => {
  let world: World;

  beforeEach(async () => {
    world = await createWorld({ start: NOW });
  });

  afterEach(async () => {
    await world.close();
  });

  it('a company with a call 89 days ago is not silent: no deal, and the next check is the call + 90 days', async () => {
    const company = addCompany(world, 'ООО «Ромашка»');
    const call = addCall(world, company.id, 89);

    const run = await runRobot(world, 'comms_check_silence', onCompany(company.id));

    expect(run.returnValues).toMatchObject({ Result: 'ok', Silent: 'N', DealId: 0, TaskId: 0 });
    const nextCheck = Date.parse(String(run.returnValues!.NextCheck));
    expect(nextCheck).toBeCloseTo(Date.parse(call.endTime!) + 90 * DAY, -4);
    expect(serviceDealsOf(world, company.id)).toHaveLength(0);
    expect(remindersOf(world, company.id)).toHaveLength(0);
  });

  it('a company whose last call was 91 days ago is silent: a service deal and a task for its responsible', async () => {
    const responsible = world.managers[2];
    const company = addCompany(world, 'ООО «Лютик»', { assignedTo: responsible });
    addCall(world, company.id, 91);

    const run = await runRobot(world, 'comms_check_silence', onCompany(company.id));

    expect(run.returnValues).toMatchObject({ Result: 'ok', Silent: 'Y' });
    const [deal] = serviceDealsOf(world, company.id);
    expect(deal).toBeDefined();
    expect(Number(run.returnValues!.DealId)).toBe(deal.id);
    expect(Number(deal.assignedById)).toBe(responsible);
    const [task] = remindersOf(world, company.id);
    expect(Number(run.returnValues!.TaskId)).toBe(task.id);
    expect(task.responsibleId).toBe(responsible);
    expect(task.ufCrmTask).toEqual([`CO_${company.id}`, `D_${deal.id}`]);
    expect(run.logMessage).toContain('создана сделка');
  });

  it('an open service deal is not duplicated: the task goes to the deal there is, and a second check adds nothing', async () => {
    const company = addCompany(world, 'ООО «Василёк»');
    addCall(world, company.id, 200);
    // Opened long ago and never worked on since.
    const open = addDeal(world, {
      TITLE: 'Связаться с клиентом: ООО «Василёк»',
      CATEGORY_ID: serviceCategory(world),
      COMPANY_ID: company.id,
      ASSIGNED_BY_ID: world.managers[0],
      createdTime: new Date(Date.parse(NOW) - 150 * DAY).toISOString(),
      updatedTime: new Date(Date.parse(NOW) - 150 * DAY).toISOString(),
    });

    const first = await runRobot(world, 'comms_check_silence', onCompany(company.id));
    const second = await runRobot(world, 'comms_check_silence', onCompany(company.id));

    expect(first.returnValues).toMatchObject({ Silent: 'Y', DealId: open.id });
    expect(first.logMessage).toContain(`открытая сделка #${open.id} уже есть`);
    expect(serviceDealsOf(world, company.id).map((deal) => deal.id)).toEqual([open.id]);
    expect(remindersOf(world, company.id)).toHaveLength(1);
    expect(remindersOf(world, company.id)[0].ufCrmTask).toContain(`D_${open.id}`);
    expect(second.returnValues).toMatchObject({ Silent: 'Y', DealId: open.id, TaskId: 0 });
    expect(second.logMessage).toContain('задача по ней уже поставлена');
    expect(remindersOf(world, company.id)).toHaveLength(1);
  });

  it('a deal worked on last week counts as communication', async () => {
    const company = addCompany(world, 'ООО «Клевер»');
    addCall(world, company.id, 300);
    addDeal(world, {
      TITLE: 'Заказ',
      CATEGORY_ID: 0,
      COMPANY_ID: company.id,
      createdTime: new Date(Date.parse(NOW) - 100 * DAY).toISOString(),
      updatedTime: new Date(Date.parse(NOW) - 7 * DAY).toISOString(),
    });

    const run = await runRobot(world, 'comms_check_silence', onCompany(company.id));

    expect(run.returnValues).toMatchObject({ Silent: 'N' });
    expect(serviceDealsOf(world, company.id)).toHaveLength(0);
  });

  it('a company created 30 days ago without any contact is not silent yet: its first check is 90 days after creation', async () => {
    const company = addCompany(world, 'ИП Соколов', { ageDays: 30 });

    const run = await runRobot(world, 'comms_check_silence', onCompany(company.id));

    expect(run.returnValues).toMatchObject({ Silent: 'N' });
    expect(run.returnValues!.LastContact).toBeUndefined();
    expect(Date.parse(String(run.returnValues!.NextCheck))).toBeCloseTo(Date.parse(NOW) + 60 * DAY, -4);
  });

  it('on a deal it checks the deal’s company; the silence days can be set on the robot', async () => {
    const company = addCompany(world, 'АО «Север»');
    addCall(world, company.id, 40);
    const deal = addDeal(world, {
      TITLE: 'Поставка',
      CATEGORY_ID: 0,
      COMPANY_ID: company.id,
      createdTime: new Date(Date.parse(NOW) - 60 * DAY).toISOString(),
      updatedTime: new Date(Date.parse(NOW) - 60 * DAY).toISOString(),
    });

    const run = await runRobot(world, 'comms_check_silence', {
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${deal.id}`],
      properties: { silenceDays: '30' },
    });

    expect(run.returnValues).toMatchObject({ Silent: 'Y' });
    expect(serviceDealsOf(world, company.id)).toHaveLength(1);
  });

  it('a bad silence days value ends the run with an error naming the property, before any work', async () => {
    const company = addCompany(world, 'ООО «Пусто»');
    const before = requests(world);

    const run = await runRobot(world, 'comms_check_silence', { ...onCompany(company.id), properties: { silenceDays: '0' } });

    expect(run.returnValues).toMatchObject({ Result: 'error' });
    expect(String(run.returnValues!.Error)).toContain('silenceDays');
    expect(requests(world)).toBe(before);
  });

  it('one request when the company is fine, two more when it is silent', async () => {
    const fine = addCompany(world, 'ООО «Есть связь»');
    addCall(world, fine.id, 10);
    const silent = addCompany(world, 'ООО «Тишина»');

    let before = requests(world);
    await runRobot(world, 'comms_check_silence', onCompany(fine.id));
    expect(requests(world) - before).toBe(1);

    before = requests(world);
    await runRobot(world, 'comms_check_silence', onCompany(silent.id));
    // card+history batch; the pipeline; open deals; the deal and task batch
    expect(requests(world) - before).toBeLessThanOrEqual(4);
  });
});
