/**
 * Workflow templates on companies: started when a company is added or changed, or with bizproc.workflow.start;
 * template parameters in expressions; the sandbox API for templates, placements, the log and idleness.
 */
import { attachCompanyTemplate, whenDelivered, whenIdle, workflowLog } from '../../../src/sandbox/bizproc';
import { bizprocState } from '../../../src/sandbox/bizproc/state';
import { addDocument, startBed, updateDocument, type Bed } from './helpers';

let bed: Bed;
beforeAll(async () => {
  bed = await startBed();
  const res = await bed.call('bizproc.activity.add', {
    CODE: 'onboarding_create_deal',
    HANDLER: `${bed.receiver.url}/activities/onboarding_create_deal`,
    AUTH_USER_ID: 1,
    USE_SUBSCRIPTION: 'Y',
    NAME: { ru: 'Создать сделку по компании', en: 'Create deal from company' },
    PROPERTIES: {
      categoryId: { Name: 'Pipeline', Type: 'int' },
      title: { Name: 'Title', Type: 'string', Default: '{=Document:TITLE} / {=Template:Tariff}' },
      manager: { Name: 'Manager', Type: 'user' },
    },
    RETURN_PROPERTIES: { DealId: { Name: 'Deal', Type: 'int' }, Title: { Name: 'Title', Type: 'string' } },
    DOCUMENT_TYPE: ['crm', 'CCrmDocumentCompany', 'COMPANY'],
  });
  expect(res.status).toBe(200);
  attachCompanyTemplate(bed.sandbox, bed.portal, {
    name: 'Onboarding',
    steps: [{ code: 'onboarding_create_deal', properties: { categoryId: 3, manager: '{=Document:ASSIGNED_BY_ID}' } }],
    parameters: { Tariff: 'Базовый' },
  });
});
afterAll(() => bed.close());

const calls = () => bed.receiver.on('/activities/onboarding_create_deal');

describe('company workflow templates', () => {
  it('start when a company is added, once at a time, and finish on event.send', async () => {
    const companyId = addDocument(bed.portal, 4, { TITLE: 'ООО «Рога и копыта»', ASSIGNED_BY_ID: '5' });
    await whenDelivered(bed.portal);
    expect(calls()).toHaveLength(1);
    const { form } = calls()[0];
    expect(form).toMatchObject({
      code: 'onboarding_create_deal',
      document_id: ['crm', 'CCrmDocumentCompany', `COMPANY_${companyId}`],
      document_type: ['crm', 'CCrmDocumentCompany', 'COMPANY'],
      properties: { categoryId: '3', title: 'ООО «Рога и копыта» / Базовый', manager: 'user_5' },
    });
    await expect(whenIdle(bed.portal, { timeoutMs: 30 })).rejects.toThrow(/workflows still running/);

    // the workflow's own change of the company does not start a second copy while it runs
    updateDocument(bed.portal, 4, companyId, { UF_CRM_TARIFF: 'Базовый' });
    await whenDelivered(bed.portal);
    expect(calls()).toHaveLength(1);

    const sent = await bed.call('bizproc.event.send', {
      EVENT_TOKEN: form.event_token,
      RETURN_VALUES: { DealId: 394, TITLE: 'ООО «Рога и копыта» / Базовый / Январь 2025' },
    });
    expect(sent.body).toMatchObject({ result: true });
    await whenIdle(bed.portal);
    const summary = bizprocState(bed.portal).workflows[form.workflow_id as string];
    expect(summary).toMatchObject({ kind: 'template', status: 'completed', entityId: companyId });
    expect(Object.values(summary.results)).toEqual([{ DealId: 394, Title: 'ООО «Рога и копыта» / Базовый / Январь 2025' }]);
    // no LOG_MESSAGE: the default localized line is written
    expect(workflowLog(bed.portal, summary.id).map((l) => l.message)).toContain('Получен ответ приложения');
  });

  it('start with bizproc.workflow.start and its PARAMETERS', async () => {
    const companyId = addDocument(bed.portal, 4, { TITLE: 'ИП Иванов', ASSIGNED_BY_ID: '7' });
    await whenDelivered(bed.portal);
    await bed.call('bizproc.event.send', { EVENT_TOKEN: calls().at(-1)!.form.event_token });

    const started = await bed.call('bizproc.workflow.start', {
      TEMPLATE_ID: bizprocState(bed.portal).templates[0].id,
      DOCUMENT_ID: ['crm', 'CCrmDocumentCompany', `COMPANY_${companyId}`],
      PARAMETERS: { Tariff: 'Индивидуальный' },
    });
    expect(started.status).toBe(200);
    expect(started.body.result).toMatch(/^[0-9a-f]{14}\.\d{8}$/);
    await whenDelivered(bed.portal);
    expect(calls().at(-1)!.form).toMatchObject({ workflow_id: started.body.result, properties: { title: 'ИП Иванов / Индивидуальный' } });
    await bed.call('bizproc.event.send', { EVENT_TOKEN: calls().at(-1)!.form.event_token });

    const templateId = bizprocState(bed.portal).templates[0].id;
    const refused = async (params: Record<string, unknown>) => (await bed.call('bizproc.workflow.start', params)).body;
    expect(await refused({ DOCUMENT_ID: ['crm', 'CCrmDocumentCompany', 'COMPANY_1'] })).toMatchObject({ error_description: 'Empty TEMPLATE_ID' });
    expect(await refused({ TEMPLATE_ID: 999, DOCUMENT_ID: ['crm', 'CCrmDocumentCompany', 'COMPANY_1'] })).toMatchObject({
      error_description: 'Template not found',
    });
    expect(await refused({ TEMPLATE_ID: templateId, DOCUMENT_ID: ['crm', 'CCrmDocumentCompany', 'C_1'] })).toMatchObject({
      error_description: 'Wrong DOCUMENT_ID',
    });
    expect(await refused({ TEMPLATE_ID: templateId, DOCUMENT_ID: ['crm', 'CCrmDocumentDeal', 'DEAL_1'] })).toMatchObject({
      error_description: 'Document type does not match the template',
    });
    expect(await refused({ TEMPLATE_ID: templateId, DOCUMENT_ID: ['crm', 'CCrmDocumentCompany', 'COMPANY_999'] })).toMatchObject({
      error: 'ERROR_TEMPLATE_VALIDATION_FAILURE',
      error_description: 'Document not found',
    });
  });
});

describe('the sandbox API', () => {
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${bed.sandbox.url}/sandbox/portals/${bed.portal.memberId}${path}`, {
      ...init,
      headers: { 'Content-Type': 'application/json' },
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));

  it('places robots, starts templates, shows workflows with their log and waits for idleness', async () => {
    await bed.call('bizproc.robot.add', {
      CODE: 'stamp',
      HANDLER: `${bed.receiver.url}/robots/stamp`,
      USE_SUBSCRIPTION: 'N',
      AUTH_USER_ID: 1,
      NAME: 'Stamp',
      PROPERTIES: { note: { Name: 'Note', Type: 'string' } },
    });
    const placed = await api('/bizproc/automation', {
      method: 'POST',
      body: JSON.stringify({ entityTypeId: 2, stageId: 'C2:EXECUTING', code: 'stamp', properties: { note: '{{TITLE}}' } }),
    });
    expect(placed.status).toBe(201);
    expect((await api('/bizproc/automation')).body).toEqual([
      { entityTypeId: 2, categoryId: 2, stageId: 'C2:EXECUTING', steps: [placed.body] },
    ]);
    expect((await api('/bizproc/automation', { method: 'POST', body: JSON.stringify({ entityTypeId: 2, stageId: 'NEW', code: 'nope' }) })).body)
      .toMatchObject({ error: 'INVALID_ARGUMENT', error_description: expect.stringContaining('no robot "nope"') });

    addDocument(bed.portal, 2, { TITLE: 'Внедрение', STAGE_ID: 'C2:EXECUTING', CATEGORY_ID: '2' });
    expect((await api('/bizproc/idle')).body).toEqual({ idle: true });
    expect(bed.receiver.on('/robots/stamp')[0].form.properties).toEqual({ note: 'Внедрение' });

    const workflows = (await api('/bizproc/workflows')).body as Array<{ id: string; kind: string }>;
    const automation = workflows.find((w) => w.kind === 'automation')!;
    const detail = (await api(`/bizproc/workflows/${automation.id}`)).body;
    expect(detail).toMatchObject({ status: 'completed', instance: null });
    expect(detail.log.map((l: { kind: string }) => l.kind)).toEqual(['start', 'call', 'close', 'finish']);

    const companyId = addDocument(bed.portal, 4, { TITLE: 'АО «Вектор»', ASSIGNED_BY_ID: '5' });
    const started = await api('/bizproc/templates/1/start', { method: 'POST', body: JSON.stringify({ entityId: companyId }) });
    expect(started.status).toBe(200);
    // an explicit start runs beside the copy the company's creation started
    expect(bizprocState(bed.portal).instances[started.body.workflowId]).toMatchObject({ status: 'waiting', entityId: companyId });
    await whenDelivered(bed.portal);
    expect(calls().filter((c) => (c.form.document_id as string[])[2] === `COMPANY_${companyId}`)).toHaveLength(2);
  });
});
