/** crm.status.list, crm.category.list and crm.type.list (b24-docs crm-status-list.md, crm-category-list.md). */
import { addCategory, createSmartProcess } from '../../../src/sandbox/data';
import { startDataSandbox, type DataSandbox } from './helpers';

let s: DataSandbox;

beforeAll(async () => {
  s = await startDataSandbox({ culture: 'en' });
});
afterAll(() => s.close());

describe('crm.status.list', () => {
  test('the docs example: the default deal pipeline, by SORT, with SEMANTICS and EXTRA', async () => {
    const res = await s.call('crm.status.list', { order: { SORT: 'ASC' }, filter: { ENTITY_ID: 'DEAL_STAGE' } });
    expect(res.status).toBe(200);
    const rows = res.body.result;
    expect(rows.map((r: any) => r.STATUS_ID)).toEqual(['NEW', 'PREPARATION', 'PREPAYMENT_INVOICE', 'EXECUTING', 'FINAL_INVOICE', 'WON', 'LOSE', 'APOLOGY']);
    expect(rows[0]).toEqual({
      ID: expect.stringMatching(/^\d+$/), ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'NEW', NAME: 'New', NAME_INIT: 'New', SORT: '10', SYSTEM: 'Y',
      CATEGORY_ID: null, COLOR: '#39A8EF', SEMANTICS: null, EXTRA: { SEMANTICS: 'process', COLOR: '#39A8EF' },
    });
    expect(rows[5]).toMatchObject({ STATUS_ID: 'WON', NAME: 'Deal successful', SEMANTICS: 'S', EXTRA: { SEMANTICS: 'success' } });
    expect(rows[6]).toMatchObject({ STATUS_ID: 'LOSE', SEMANTICS: 'F', EXTRA: { SEMANTICS: 'failure' } });
    expect(rows[7]).toMatchObject({ STATUS_ID: 'APOLOGY', SEMANTICS: 'F', EXTRA: { SEMANTICS: 'apology' } });
    expect(res.body.total).toBe(8);
  });

  test('pipeline N has C<N>: stages under DEAL_STAGE_<N> with CATEGORY_ID', async () => {
    const c = addCategory(s.portal, 2, { name: 'Services' });
    const rows = (await s.call('crm.status.list', { filter: { ENTITY_ID: `DEAL_STAGE_${c.id}` } })).body.result;
    expect(rows[0]).toMatchObject({ STATUS_ID: `C${c.id}:NEW`, CATEGORY_ID: String(c.id) });
    expect(rows.map((r: any) => r.STATUS_ID)).toContain(`C${c.id}:WON`);
  });

  test('SPA and smart-invoice stages have SEMANTICS but no EXTRA (EXTRA is for leads, deals and quotes)', async () => {
    const spa = createSmartProcess(s.portal, { title: 'Production' }, s.clock());
    const cats = (await s.call('crm.category.list', { entityTypeId: spa.entityTypeId })).body.result.categories;
    const spaRows = (await s.call('crm.status.list', { filter: { ENTITY_ID: `DYNAMIC_${spa.entityTypeId}_STAGE_${cats[0].id}` } })).body.result;
    expect(spaRows.map((r: any) => [r.STATUS_ID.split(':')[1], r.SEMANTICS])).toEqual([['NEW', null], ['PREPARATION', null], ['CLIENT', null], ['SUCCESS', 'S'], ['FAIL', 'F']]);
    expect(spaRows[0].STATUS_ID).toBe(`DT${spa.entityTypeId}_${cats[0].id}:NEW`);
    expect(spaRows.some((r: any) => 'EXTRA' in r)).toBe(false);
    const invoiceCat = (await s.call('crm.category.list', { entityTypeId: 31 })).body.result.categories[0].id;
    const inv = (await s.call('crm.status.list', { filter: { ENTITY_ID: `SMART_INVOICE_STAGE_${invoiceCat}` } })).body.result;
    expect(inv.map((r: any) => r.STATUS_ID)).toEqual(['N', 'S', 'P', 'D'].map((x) => `DT31_${invoiceCat}:${x}`));
    expect(inv.map((r: any) => r.SEMANTICS)).toEqual([null, null, 'S', 'F']);
  });

  test('reference lists (SOURCE, COMPANY_TYPE) are there; a filter that is not an object is "Invalid parameters."', async () => {
    const sources = (await s.call('crm.status.list', { filter: { ENTITY_ID: 'SOURCE' } })).body.result;
    expect(sources.map((r: any) => r.STATUS_ID)).toContain('CALLBACK');
    const bad = await s.call('crm.status.list', { filter: 'DEAL_STAGE' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'Invalid parameters.', error_description: 'Incorrect parameters passed.' });
  });
});

describe('crm.category.list', () => {
  test('deal pipelines: the default one has id 0 and isDefault Y; answers categories and total', async () => {
    const res = await s.call('crm.category.list', { entityTypeId: 2 });
    const cats = res.body.result.categories;
    const general = cats.find((c: any) => c.id === 0);
    expect(general).toEqual({ id: 0, name: 'General', sort: 300, entityTypeId: 2, isDefault: 'Y' });
    expect(cats.find((c: any) => c.name === 'Services')).toMatchObject({ isDefault: 'N', originId: '', originatorId: '', entityTypeId: 2 });
    expect(res.body.total).toBe(cats.length);
  });

  test('errors: NOT_FOUND for a type that does not exist, ENTITY_TYPE_NOT_SUPPORTED for leads', async () => {
    expect((await s.call('crm.category.list', { entityTypeId: 999 })).body).toEqual({ error: 'NOT_FOUND', error_description: 'Smart process not found' });
    expect((await s.call('crm.category.list', { entityTypeId: 1 })).body.error).toBe('ENTITY_TYPE_NOT_SUPPORTED');
  });
});

describe('crm.type.list', () => {
  test('smart processes with an id and an entityTypeId that differ', async () => {
    createSmartProcess(s.portal, { title: 'Service card', code: 'service_card' }, s.clock());
    const res = await s.call('crm.type.list', { filter: { title: 'Service card' } });
    const [type] = res.body.result.types;
    expect(type).toMatchObject({ title: 'Service card', code: 'service_card', isStagesEnabled: 'Y', isCategoriesEnabled: 'Y' });
    expect(type.entityTypeId).toBeGreaterThanOrEqual(128);
    expect(type.id).not.toBe(type.entityTypeId);
    expect(type.linkedUserFields['TASKS_TASK|UF_CRM_TASK']).toBe('true');
    expect(res.body.total).toBe(1);
  });
});
