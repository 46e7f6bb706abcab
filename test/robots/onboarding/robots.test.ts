/**
 * The onboarding robots against the sandbox portal, over HTTP, through the real service and workers (RULES.md §A).
 */
import { attachCompanyTemplate } from '../../../src/sandbox/bizproc';
import { bizprocState } from '../../../src/sandbox/bizproc/state';
import { PROBLEM } from '../../../robots/onboarding/check';
import { onboardingDefaults } from '../../../robots/onboarding/settings';
import { crashAfter } from './crash';
import { startWorld, type World } from './world';

const TASK_TITLE = onboardingDefaults.taskTitle;
// 23:30 on 31 January and 00:30 on 1 February, Moscow time (UTC+3).
const JAN_31_2330_MSK = '2025-01-31T20:30:00Z';
const FEB_01_0030_MSK = '2025-01-31T21:30:00Z';

let world: World;
let checkTemplate: number;
let dealTemplate: number;

beforeAll(async () => {
  world = await startWorld();
  // Company workflows started on demand (bizproc.workflow.start), as an admin's template would run the actions.
  const steps = (code: string) => ({ steps: [{ code }], onAdd: false, onUpdate: false });
  checkTemplate = attachCompanyTemplate(world.sandbox, world.portal, { name: 'Проверка', ...steps('onboarding_check_company_bp') }).id;
  dealTemplate = attachCompanyTemplate(world.sandbox, world.portal, { name: 'Сделка', ...steps('onboarding_create_deal_bp') }).id;
});

afterAll(async () => world?.close());

async function startWorkflow(templateId: number, companyId: number): Promise<string> {
  return world.rest('bizproc.workflow.start', {
    TEMPLATE_ID: templateId,
    DOCUMENT_ID: ['crm', 'CCrmDocumentCompany', `COMPANY_${companyId}`],
  });
}

/** What the workflow received from our activity (the sandbox keeps return values per step). */
function workflowResult(workflowId: string): Record<string, unknown> {
  const summary = bizprocState(world.portal).workflows[workflowId];
  expect(summary?.status).toBe('completed');
  return Object.values(summary.results)[0];
}

const openTasks = async (companyId: number) => (await world.tasks(companyId)).filter((t) => t.title === TASK_TITLE && t.status !== '5');

describe('onboarding_check_company', () => {
  it('an incomplete company gets one task listing exactly what to fill in, and the workflow gets Valid, Missing, TaskId', async () => {
    const id = world.plantCompany({ TITLE: 'ИП Иванов', ASSIGNED_BY_ID: 2, UF_CRM_TARIFF_TYPE: 'Индивидуальный' }, JAN_31_2330_MSK);
    const workflowId = await startWorkflow(checkTemplate, id);
    await world.settle();

    const tasks = await openTasks(id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ responsibleId: '2', ufCrmTask: [`CO_${id}`] });
    expect(tasks[0].description).toContain(`— ${PROBLEM.noCost}`);
    expect(workflowResult(workflowId)).toMatchObject({ Valid: 'N', Missing: [PROBLEM.noCost], TaskId: Number(tasks[0].id), Result: 'ok' });
  });

  it('a rerun updates the same task with the new list and never adds a second one', async () => {
    const id = world.plantCompany({ TITLE: 'ООО «Ромашка»', ASSIGNED_BY_ID: 3 }, JAN_31_2330_MSK);
    await world.invoke('onboarding_check_company', id);
    await world.settle();
    world.patchCompany(id, { UF_CRM_TARIFF_TYPE: 'Базовый', UF_CRM_TARIFF_COST: 5000 });
    await world.invoke('onboarding_check_company', id);
    await world.invoke('onboarding_check_company', id);
    await world.settle();

    const tasks = (await world.tasks(id)).filter((t) => t.title === TASK_TITLE);
    expect(tasks).toHaveLength(1);
    expect(tasks[0].status).not.toBe('5');
    expect(tasks[0].description).toContain('Стоимость 5000 не совпадает с тарифом Базовый (3000)');
    expect(tasks[0].description).not.toContain(PROBLEM.noTariff);
  });

  it('a company whose responsible was dismissed gets its task set for the fallback user', async () => {
    const manager = world.portal.users.find((u) => u.id === 4)!;
    const id = world.plantCompany({ TITLE: 'ООО «Вектор»', ASSIGNED_BY_ID: manager.id, UF_CRM_TARIFF_TYPE: 'Стандарт' }, JAN_31_2330_MSK);
    manager.active = false;
    try {
      const workflowId = await startWorkflow(checkTemplate, id);
      await world.settle();
      const [task] = await openTasks(id);
      expect(task.responsibleId).toBe(String(onboardingDefaults.fallbackUserId));
      expect(workflowResult(workflowId)).toMatchObject({ Valid: 'N', Missing: [PROBLEM.inactiveResponsible] });
    } finally {
      manager.active = true;
    }
  });

  it('a company that becomes valid gets its task closed', async () => {
    const id = world.plantCompany({ TITLE: 'ООО «Берёзка»', ASSIGNED_BY_ID: 2, UF_CRM_TARIFF_TYPE: 'Премиум', UF_CRM_TARIFF_COST: 5000 }, JAN_31_2330_MSK);
    await world.invoke('onboarding_check_company', id);
    await world.settle();
    const [task] = await openTasks(id);
    expect(task.description).toContain('Стоимость 5000 не совпадает с тарифом Премиум (12000)');

    world.patchCompany(id, { UF_CRM_TARIFF_COST: 12000 });
    const workflowId = await startWorkflow(checkTemplate, id);
    await world.settle();
    expect(await openTasks(id)).toEqual([]);
    const closed = (await world.tasks(id)).find((t) => t.id === task.id);
    expect(closed?.status).toBe('5');
    expect(workflowResult(workflowId)).toMatchObject({ Valid: 'Y', Missing: [], TaskId: Number(task.id) });
  });
});

describe('onboarding_create_deal', () => {
  it('creates the deal in «Работа по бухгалтерскому аутсорсингу» / «Новая»: title, company, responsible, tariff, month; no cost for a fixed tariff', async () => {
    const id = world.plantCompany({ TITLE: 'ООО «Рога и копыта»', ASSIGNED_BY_ID: 3, UF_CRM_TARIFF_TYPE: 'Базовый', UF_CRM_TARIFF_COST: 3000 }, JAN_31_2330_MSK);
    const workflowId = await startWorkflow(dealTemplate, id);
    await world.settle();

    const deals = await world.deals(id);
    expect(deals).toHaveLength(1);
    const pipeline = (await world.rest('crm.category.list', { entityTypeId: 2 })).categories.find(
      (c: { name: string }) => c.name === 'Работа по бухгалтерскому аутсорсингу',
    );
    // A company created at 23:30 on 31 January in Moscow is a January client.
    expect(deals[0]).toMatchObject({
      TITLE: 'ООО «Рога и копыта» / Базовый / Январь 2025',
      CATEGORY_ID: String(pipeline.id),
      STAGE_ID: `C${pipeline.id}:NEW`,
      COMPANY_ID: String(id),
      ASSIGNED_BY_ID: '3',
      UF_CRM_TARIFF_TYPE: 'Базовый',
      UF_CRM_SERVICE_MONTH: 'Январь 2025',
    });
    expect(deals[0].UF_CRM_TARIFF_COST || null).toBeNull();
    expect(workflowResult(workflowId)).toMatchObject({ DealId: Number(deals[0].ID), Title: deals[0].TITLE, Result: 'ok' });
  });

  it('copies the cost of an individual tariff; 00:30 on 1 February in Moscow is a February client', async () => {
    const id = world.plantCompany({ TITLE: 'ИП Петров', ASSIGNED_BY_ID: 2, UF_CRM_TARIFF_TYPE: 'индивидуальный', UF_CRM_TARIFF_COST: '8750.5' }, FEB_01_0030_MSK);
    await world.invoke('onboarding_create_deal', id);
    await world.settle();
    const [deal] = await world.deals(id);
    expect(deal).toMatchObject({ TITLE: 'ИП Петров / Индивидуальный / Февраль 2025', UF_CRM_SERVICE_MONTH: 'Февраль 2025' });
    expect(Number(deal.UF_CRM_TARIFF_COST)).toBe(8750.5);
  });

  it('does nothing but the check when data are missing, and a rerun returns the existing deal', async () => {
    const id = world.plantCompany({ TITLE: 'ООО «Луч»', ASSIGNED_BY_ID: 2 }, JAN_31_2330_MSK);
    const first = await startWorkflow(dealTemplate, id);
    await world.settle();
    expect(await world.deals(id)).toEqual([]);
    expect(workflowResult(first)).toMatchObject({ DealId: 0, Result: 'skipped', Valid: 'N', Missing: [PROBLEM.noTariff] });
    expect(await openTasks(id)).toHaveLength(1);

    world.patchCompany(id, { UF_CRM_TARIFF_TYPE: 'Стандарт' });
    const second = await startWorkflow(dealTemplate, id);
    await world.settle();
    const third = await startWorkflow(dealTemplate, id);
    await world.settle();
    const deals = await world.deals(id);
    expect(deals).toHaveLength(1);
    expect(workflowResult(second).DealId).toBe(Number(deals[0].ID));
    expect(workflowResult(third).DealId).toBe(Number(deals[0].ID));
    expect(await openTasks(id)).toEqual([]);
  });

  it('a worker that dies between crm.deal.add and event.send is retried into the same deal, answered once', async () => {
    const id = world.plantCompany({ TITLE: 'ООО «Феникс»', ASSIGNED_BY_ID: 2, UF_CRM_TARIFF_TYPE: 'Стандарт' }, JAN_31_2330_MSK);
    const client = crashAfter(world.app.client, 'crm.deal.add');
    const doomed = world.addWorker({ client });
    world.portal.journal.clear();
    const workflowId = await startWorkflow(dealTemplate, id);
    await world.settle(doomed);

    expect(client.crashes).toBe(1);
    const deals = await world.deals(id);
    expect(deals).toHaveLength(1);
    expect(workflowResult(workflowId)).toMatchObject({ DealId: Number(deals[0].ID), Result: 'ok' });
    const [run] = (await world.app.store.listRuns({ robotCode: 'onboarding_create_deal' })).filter((r) => r.workflowId === workflowId);
    expect(run).toMatchObject({ state: 'done', attempts: 2 });
    const sends = world.sandbox.journal(world.memberId).entries.filter((e) => e.method === 'bizproc.event.send');
    expect(sends.filter((e) => e.status === 200)).toHaveLength(1);
  });

  it('a worker that dies right after event.send is not answered twice and makes no second deal', async () => {
    const id = world.plantCompany({ TITLE: 'ООО «Гранит»', ASSIGNED_BY_ID: 2, UF_CRM_TARIFF_TYPE: 'Базовый' }, JAN_31_2330_MSK);
    const client = crashAfter(world.app.client, 'bizproc.event.send');
    const workflowId = await startWorkflow(dealTemplate, id);
    await world.settle(world.addWorker({ client }));
    expect(client.crashes).toBe(1);
    expect(await world.deals(id)).toHaveLength(1);
    expect(workflowResult(workflowId).DealId).toBe(Number((await world.deals(id))[0].ID));
  });

  it('the workflow, the event subscription and a manual run racing each other make one deal', async () => {
    const id = await world.addCompany({ TITLE: 'ООО «Трио»', ASSIGNED_BY_ID: 2, UF_CRM_TARIFF_TYPE: 'Премиум', UF_CRM_TARIFF_COST: 12000 });
    const workflowId = await startWorkflow(dealTemplate, id);
    await world.invoke('onboarding_create_deal', id);
    await world.settle();

    const deals = await world.deals(id);
    expect(deals).toHaveLength(1);
    const runs = (await world.app.store.listRuns({ robotCode: 'onboarding_create_deal' })).filter(
      (r) => r.documentId?.[2] === `COMPANY_${id}`,
    );
    expect(runs.map((r) => r.source).sort()).toEqual(['event', 'manual', 'robot']);
    const dealId = Number(deals[0].ID);
    expect(runs.map((r) => Number(r.returnValues?.DealId))).toEqual([dealId, dealId, dealId]);
    expect(workflowResult(workflowId).DealId).toBe(dealId);
  });
});

describe('per-portal settings', () => {
  afterEach(async () => world.app.store.saveSettings(world.memberId, {}));

  it('a pipeline that does not exist ends the run with an error naming the setting to fix', async () => {
    await world.app.store.saveSettings(world.memberId, { onboarding: { pipelineName: 'Продажи услуг' } });
    const id = world.plantCompany({ TITLE: 'ООО «Эхо»', ASSIGNED_BY_ID: 2, UF_CRM_TARIFF_TYPE: 'Базовый' }, JAN_31_2330_MSK);
    const workflowId = await startWorkflow(dealTemplate, id);
    await world.settle();
    expect(workflowResult(workflowId)).toMatchObject({ Result: 'error', Error: expect.stringContaining('onboarding.pipelineId') });
    expect(await world.deals(id)).toEqual([]);
  });

  it("a portal's own field codes, tariff table and pipeline id are used", async () => {
    const categories = (await world.rest('crm.category.list', { entityTypeId: 2 })).categories;
    const service = categories.find((c: { name: string }) => c.name === 'Клиентский сервис');
    await world.app.store.saveSettings(world.memberId, {
      onboarding: { pipelineId: service.id, companyTariffField: 'COMMENTS', tariffs: [{ name: 'Эконом', price: 1500 }] },
    });
    const id = world.plantCompany({ TITLE: 'ООО «Своё»', ASSIGNED_BY_ID: 2, COMMENTS: 'эконом' }, JAN_31_2330_MSK);
    await world.invoke('onboarding_create_deal', id);
    await world.settle();
    const [deal] = await world.deals(id);
    expect(deal).toMatchObject({ TITLE: 'ООО «Своё» / Эконом / Январь 2025', CATEGORY_ID: String(service.id), STAGE_ID: `C${service.id}:NEW` });
  });
});

describe('update-driven re-run', () => {
  it('an incomplete new company that a manager fixes gets its deal within one update, and its task closed', async () => {
    const id = await world.addCompany({ TITLE: 'ООО «Север»', ASSIGNED_BY_ID: 3 });
    await world.settle();
    expect(await world.deals(id)).toEqual([]);
    const [task] = await openTasks(id);
    expect(task.description).toContain(PROBLEM.noTariff);

    await world.rest('crm.company.update', { id, fields: { UF_CRM_TARIFF_TYPE: 'Стандарт' } });
    await world.settle();
    const deals = await world.deals(id);
    expect(deals).toHaveLength(1);
    expect(deals[0].TITLE).toMatch(/^ООО «Север» \/ Стандарт \/ [А-Я][а-я]+ \d{4}$/);
    expect(await openTasks(id)).toEqual([]);
  });

  it('editing an old client creates no onboarding deal and no task', async () => {
    const id = world.plantCompany({ TITLE: 'ООО «Старожил»', ASSIGNED_BY_ID: 2 }, '2023-05-10T09:00:00Z');
    await world.rest('crm.company.update', { id, fields: { COMMENTS: 'новый телефон' } });
    await world.settle();
    expect(await world.deals(id)).toEqual([]);
    expect(await world.tasks(id)).toEqual([]);
    const [run] = (await world.app.store.listRuns({ robotCode: 'onboarding_create_deal' })).filter((r) => r.documentId?.[2] === `COMPANY_${id}`);
    expect(run.returnValues).toMatchObject({ Result: 'skipped' });
  });
});
