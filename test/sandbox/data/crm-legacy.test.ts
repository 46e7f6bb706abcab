/** crm.deal.* and crm.company.* conformance over HTTP, from the examples of b24-docs crm/deals and crm/companies. */
import { addCategory, registerUserField } from '../../../src/sandbox/data';
import { startDataSandbox, type DataSandbox } from './helpers';

let s: DataSandbox;
let pipeline: number;

beforeAll(async () => {
  s = await startDataSandbox();
  pipeline = addCategory(s.portal, 2, { name: 'Продажи' }).id;
  registerUserField(s.portal, { entityTypeId: 2, code: 'UF_CRM_1721244482250', type: 'string' });
  registerUserField(s.portal, { entityTypeId: 4, code: 'UF_CRM_TARIFF_TYPE', type: 'string' });
  registerUserField(s.portal, { entityTypeId: 4, code: 'UF_CRM_TARIFF_COST', type: 'double' });
});
afterAll(() => s.close());

describe('crm.deal.*', () => {
  let dealId: number;

  test('crm.deal.add with the docs FIELDS answers the new id as a number', async () => {
    const res = await s.call('crm.deal.add', {
      FIELDS: {
        TITLE: 'New Deal #1', TYPE_ID: 'COMPLEX', CATEGORY_ID: 0, STAGE_ID: 'PREPARATION', IS_RECURRING: 'N', IS_RETURN_CUSTOMER: 'Y',
        IS_REPEATED_APPROACH: 'Y', PROBABILITY: 99, CURRENCY_ID: 'EUR', OPPORTUNITY: 1000000, IS_MANUAL_OPPORTUNITY: 'Y', TAX_VALUE: 0.1,
        COMPANY_ID: 9, CONTACT_IDS: [84, 83], BEGINDATE: '2024-08-30T14:29:00+02:00', CLOSEDATE: '2024-09-09T14:29:00+02:00', OPENED: 'Y',
        CLOSED: 'N', COMMENTS: '[B]Example comment[/B]', SOURCE_ID: 'CALLBACK', ADDITIONAL_INFO: 'Additional information',
        UTM_SOURCE: 'google', UTM_MEDIUM: 'CPC', PARENT_ID_1220: 22, UF_CRM_1721244482250: 'Hello world!',
      },
      PARAMS: { REGISTER_SONET_EVENT: 'N' },
    });
    expect(res.status).toBe(200);
    expect(typeof res.body.result).toBe('number');
    dealId = res.body.result;
  });

  test('crm.deal.get answers every scalar as a string, like the docs example', async () => {
    const res = await s.call('crm.deal.get', { ID: dealId });
    expect(res.body.result).toMatchObject({
      ID: String(dealId), TITLE: 'New Deal #1', TYPE_ID: 'COMPLEX', STAGE_ID: 'PREPARATION', PROBABILITY: '99', CURRENCY_ID: 'EUR',
      OPPORTUNITY: '1000000.00', IS_MANUAL_OPPORTUNITY: 'Y', TAX_VALUE: '0.10', LEAD_ID: null, COMPANY_ID: '9', CONTACT_ID: '84',
      QUOTE_ID: null, BEGINDATE: '2024-08-30T00:00:00+03:00', CLOSEDATE: '2024-09-09T00:00:00+03:00', ASSIGNED_BY_ID: '1',
      CREATED_BY_ID: '1', MODIFY_BY_ID: '1', DATE_CREATE: '2025-03-10T12:00:00+03:00', OPENED: 'Y', CLOSED: 'N',
      COMMENTS: '[B]Example comment[/B]', CATEGORY_ID: '0', STAGE_SEMANTIC_ID: 'P', IS_RETURN_CUSTOMER: 'Y', SOURCE_ID: 'CALLBACK',
      UTM_SOURCE: 'google', UF_CRM_1721244482250: 'Hello world!',
    });
    // CONTACT_IDS is write-only here (crm.item shows contactIds), and there is no PARENT_ID for a type that does not exist
    expect(res.body.result).not.toHaveProperty('CONTACT_IDS');
    expect(res.body.result).not.toHaveProperty('PARENT_ID_1220');
    expect(res.body.result).not.toHaveProperty('observers');
  });

  test('errors have an empty code and the docs descriptions', async () => {
    expect((await s.call('crm.deal.get', { id: 99999 })).body).toEqual({ error: '', error_description: 'Not found' });
    const badId = await s.call('crm.deal.get', { id: 'abc' });
    expect(badId.status).toBe(400);
    expect(badId.body).toEqual({ error: '', error_description: 'ID is not defined or invalid' });
    expect((await s.call('crm.deal.add', { fields: 'x' })).body).toEqual({ error: '', error_description: "Parameter 'fields' must be array." });
    expect((await s.call('crm.deal.update', { id: 99999, fields: {} })).body.error_description).toBe('Not found');
    expect((await s.call('crm.deal.list', { filter: 'x' })).body.error_description).toBe("Parameter 'filter' must be array.");
  });

  test('crm.deal.update answers true, ignores CATEGORY_ID and rejects a stage of another pipeline', async () => {
    const res = await s.call('crm.deal.update', {
      ID: dealId,
      FIELDS: { TITLE: 'New Deal Title!', STAGE_ID: 'WON', CATEGORY_ID: pipeline, OPPORTUNITY: 9999.99, UF_CRM_1725365197310: 'ignored' },
      PARAMS: { REGISTER_SONET_EVENT: 'N', REGISTER_HISTORY_EVENT: 'N' },
    });
    expect(res.body.result).toBe(true);
    const deal = (await s.call('crm.deal.get', { id: dealId })).body.result;
    expect(deal).toMatchObject({ TITLE: 'New Deal Title!', STAGE_ID: 'WON', CATEGORY_ID: '0', STAGE_SEMANTIC_ID: 'S', CLOSED: 'Y', OPPORTUNITY: '9999.99' });
    const foreign = await s.call('crm.deal.update', { id: dealId, fields: { STAGE_ID: `C${pipeline}:NEW` } });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toBe('');
  });

  test('crm.deal.add takes the pipeline from CATEGORY_ID and falls back to its first stage', async () => {
    const id = (await s.call('crm.deal.add', { fields: { TITLE: 'in pipeline', CATEGORY_ID: pipeline, STAGE_ID: 'PREPARATION' } })).body.result;
    expect((await s.call('crm.deal.get', { id })).body.result).toMatchObject({ CATEGORY_ID: String(pipeline), STAGE_ID: `C${pipeline}:NEW` });
  });

  test('crm.deal.list: the docs filter with =% and @, ORDER and SELECT in upper case', async () => {
    for (const [title, amount, assigned] of [['[A] Deal', 19999.99, 1], ['[B] Sale', 12500, 1], ['[C] Deal', 13500, 6], ['[D] Deal', 9000, 1], ['[E] Deal', 15000, 7]] as const) {
      await s.call('crm.deal.add', { fields: { TITLE: title, TYPE_ID: 'COMPLEX', CATEGORY_ID: pipeline, OPPORTUNITY: amount, IS_MANUAL_OPPORTUNITY: 'Y', ASSIGNED_BY_ID: assigned } });
    }
    const res = await s.call('crm.deal.list', {
      SELECT: ['ID', 'TITLE', 'TYPE_ID', 'CATEGORY_ID', 'STAGE_ID', 'OPPORTUNITY', 'IS_MANUAL_OPPORTUNITY', 'ASSIGNED_BY_ID', 'DATE_CREATE'],
      FILTER: { '=%TITLE': '%l', CATEGORY_ID: pipeline, TYPE_ID: 'COMPLEX', STAGE_ID: `C${pipeline}:NEW`, '>OPPORTUNITY': 10000, '<=OPPORTUNITY': 20000, IS_MANUAL_OPPORTUNITY: 'Y', '@ASSIGNED_BY_ID': [1, 6], '>DATE_CREATE': '2024-09-10' },
      ORDER: { TITLE: 'ASC', OPPORTUNITY: 'ASC' },
    });
    expect(res.body.result.map((d: any) => d.TITLE)).toEqual(['[A] Deal', '[C] Deal']);
    expect(res.body.result[0]).toEqual({
      ID: res.body.result[0].ID, TITLE: '[A] Deal', TYPE_ID: 'COMPLEX', CATEGORY_ID: String(pipeline), STAGE_ID: `C${pipeline}:NEW`,
      OPPORTUNITY: '19999.99', IS_MANUAL_OPPORTUNITY: 'Y', ASSIGNED_BY_ID: '1', DATE_CREATE: '2025-03-10T12:00:00+03:00',
    });
    expect(res.body.total).toBe(2);
  });

  test('crm.deal.list ignores logic (not supported) and unknown fields, and supports start=-1', async () => {
    const all = await s.call('crm.deal.list', { select: ['ID'] });
    const withLogic = await s.call('crm.deal.list', { select: ['ID'], filter: { logic: 'OR', NOT_A_FIELD: 1 } });
    expect(withLogic.body.total).toBe(all.body.total);
    const fast = await s.call('crm.deal.list', { select: ['ID'], start: -1 });
    expect(fast.body.total).toBe(0);
    expect(fast.body.result.length).toBe(Math.min(50, all.body.total));
  });
});

describe('crm.company.*', () => {
  let companyId: number;

  test('crm.company.add with the docs fields and a PHONE', async () => {
    const res = await s.call('crm.company.add', {
      fields: {
        TITLE: 'John Doe LLC', COMPANY_TYPE: 'CUSTOMER', INDUSTRY: 'MANUFACTURING', EMPLOYEES: 'EMPLOYEES_2', CURRENCY_ID: 'USD',
        REVENUE: 3000000, OPENED: 'Y', ASSIGNED_BY_ID: 1, PHONE: [{ VALUE: '555888', VALUE_TYPE: 'WORK' }], UF_CRM_TARIFF_TYPE: 'Базовый',
      },
      params: { REGISTER_SONET_EVENT: 'Y' },
    });
    expect(typeof res.body.result).toBe('number');
    companyId = res.body.result;
  });

  test('crm.company.get: strings, PHONE as a multifield list, EMAIL absent when empty, LAST_COMMUNICATION_TIME null', async () => {
    const c = (await s.call('crm.company.get', { ID: companyId })).body.result;
    expect(c).toMatchObject({
      ID: String(companyId), COMPANY_TYPE: 'CUSTOMER', TITLE: 'John Doe LLC', HAS_PHONE: 'Y', HAS_EMAIL: 'N', ASSIGNED_BY_ID: '1',
      INDUSTRY: 'MANUFACTURING', REVENUE: '3000000', CURRENCY_ID: 'USD', EMPLOYEES: 'EMPLOYEES_2', DATE_CREATE: '2025-03-10T12:00:00+03:00',
      OPENED: 'Y', IS_MY_COMPANY: 'N', LAST_COMMUNICATION_TIME: null, UF_CRM_TARIFF_TYPE: 'Базовый', UF_CRM_TARIFF_COST: '',
    });
    expect(c.PHONE).toEqual([{ ID: expect.any(String), VALUE_TYPE: 'WORK', VALUE: '555888', TYPE_ID: 'PHONE' }]);
    expect(c).not.toHaveProperty('EMAIL');
  });

  test('crm.company.update: PHONE with an ID changes it, an empty VALUE deletes it, without ID adds; answers true', async () => {
    const before = (await s.call('crm.company.get', { id: companyId })).body.result.PHONE[0];
    await s.call('crm.company.update', { ID: companyId, FIELDS: { PHONE: [{ ID: before.ID, VALUE: '555999', VALUE_TYPE: 'MOBILE' }, { VALUE: '777', VALUE_TYPE: 'WORK' }], EMAIL: [{ VALUE: 'a@b.ru', VALUE_TYPE: 'WORK' }] } });
    const mid = (await s.call('crm.company.get', { id: companyId })).body.result;
    expect(mid.PHONE.map((p: any) => [p.VALUE, p.VALUE_TYPE])).toEqual([['555999', 'MOBILE'], ['777', 'WORK']]);
    expect(mid.EMAIL[0].VALUE).toBe('a@b.ru');
    const res = await s.call('crm.company.update', { ID: companyId, FIELDS: { PHONE: [{ ID: before.ID, VALUE: '' }], UF_CRM_TARIFF_COST: 15000 } });
    expect(res.body.result).toBe(true);
    const after = (await s.call('crm.company.get', { id: companyId })).body.result;
    expect(after.PHONE.map((p: any) => p.VALUE)).toEqual(['777']);
    expect(after.UF_CRM_TARIFF_COST).toBe('15000');
  });

  test('an invalid e-mail is ERROR_CORE; a missing company is "Company is not found"', async () => {
    const bad = await s.call('crm.company.update', { id: companyId, fields: { EMAIL: [{ VALUE: 'not-an-email', VALUE_TYPE: 'WORK' }] } });
    expect(bad.body.error).toBe('ERROR_CORE');
    expect((await s.call('crm.company.update', { id: 99999, fields: { TITLE: 'x' } })).body).toEqual({ error: '', error_description: 'Company is not found' });
  });

  test('crm.company.list: the docs example selects TITLE, ASSIGNED_BY_ID and PHONE; ID always comes', async () => {
    await s.call('crm.company.add', { fields: { TITLE: 'Crossroads', COMPANY_TYPE: 'CUSTOMER', ASSIGNED_BY_ID: 6 } });
    await s.call('crm.company.add', { fields: { TITLE: 'Supplier Ltd', COMPANY_TYPE: 'SUPPLIER' } });
    const res = await s.call('crm.company.list', {
      ORDER: { DATE_CREATE: 'ASC' }, FILTER: { COMPANY_TYPE: 'CUSTOMER', '>=DATE_CREATE': '2025-01-01' }, SELECT: ['TITLE', 'ASSIGNED_BY_ID', 'PHONE'],
    });
    expect(res.body.result).toEqual([
      { TITLE: 'John Doe LLC', ASSIGNED_BY_ID: '1', ID: String(companyId), PHONE: [{ ID: expect.any(String), VALUE_TYPE: 'WORK', VALUE: '777', TYPE_ID: 'PHONE' }] },
      { TITLE: 'Crossroads', ASSIGNED_BY_ID: '6', ID: expect.any(String) },
    ]);
    expect(res.body.total).toBe(2);
  });

  test('select masks: * without user fields and multifields, UF_* for user fields; multifield filters match exactly', async () => {
    const star = (await s.call('crm.company.list', { select: ['*'], filter: { ID: companyId } })).body.result[0];
    expect(star).toHaveProperty('TITLE');
    expect(star).not.toHaveProperty('UF_CRM_TARIFF_TYPE');
    expect(star).not.toHaveProperty('PHONE');
    const uf = (await s.call('crm.company.list', { select: ['UF_*'], filter: { ID: companyId } })).body.result[0];
    expect(uf).toEqual({ UF_CRM_TARIFF_TYPE: 'Базовый', UF_CRM_TARIFF_COST: '15000', ID: String(companyId) });
    expect((await s.call('crm.company.list', { filter: { PHONE: '777' }, select: ['ID'] })).body.total).toBe(1);
    expect((await s.call('crm.company.list', { filter: { PHONE: '77' }, select: ['ID'] })).body.total).toBe(0);
  });
});
