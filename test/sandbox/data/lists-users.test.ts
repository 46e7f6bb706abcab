/** lists.element.get|add and user.get over HTTP (b24-docs lists/elements, user/user-get.md; PROTOCOL §6.8, §6.9). */
import { addUser, createIblock } from '../../../src/sandbox/data';
import { startDataSandbox, type DataSandbox } from './helpers';

let s: DataSandbox;

beforeAll(async () => {
  s = await startDataSandbox({ culture: 'en', seed: { companies: 2, managers: 4 } });
});
afterAll(() => s.close());

describe('lists.element.get / add', () => {
  test('the seeded «Менеджеры» list: property values keyed by value-row id, the on-vacation/sick flags on managers 2 and 4', async () => {
    const res = await s.call('lists.element.get', { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'managers' });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(4);
    const rows = res.body.result;
    const vacationEnum = Object.values(rows[1].PROPERTY_102)[0];
    expect(rows[0]).toEqual({
      ID: expect.any(String), IBLOCK_ID: '17', NAME: expect.any(String), IBLOCK_SECTION_ID: null, CREATED_BY: '1', BP_PUBLISHED: 'Y',
      CODE: expect.stringMatching(/^manager_\d+$/), DATE_CREATE: '03/10/2025 12:00:00 pm', SORT: '500', PROPERTY_101: expect.any(Object),
    });
    // one value row: {"<value id>": "<user id>"}
    expect(Object.entries(rows[0].PROPERTY_101)).toEqual([[expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)]]);
    expect(vacationEnum).toMatch(/^\d+$/);
    expect(rows[3].PROPERTY_103).toBeDefined();
    expect(rows[0]).not.toHaveProperty('PROPERTY_102');
    // the employee value is the user id
    const userId = Object.values(rows[0].PROPERTY_101)[0];
    expect((await s.call('user.get', { ID: userId })).body.result[0].WORK_POSITION).toBe('Менеджер по работе с клиентами');
  });

  test('the docs add example: multiple employee values and a datetime in culture format', async () => {
    addUser(s.portal, { id: 1269, name: 'A', lastName: 'B' });
    addUser(s.portal, { id: 1271, name: 'C', lastName: 'D' });
    const list = createIblock(s.portal, {
      code: 'docs', name: 'Docs list',
      properties: [{ code: 'USERS', name: 'Users', type: 'S:employee', multiple: true }, { code: 'UNTIL', name: 'Until', type: 'S:DateTime' }],
    });
    const [users, until] = list.properties.map((p) => p.id);
    const add = await s.call('lists.element.add', {
      IBLOCK_TYPE_ID: 'lists', IBLOCK_ID: list.id, ELEMENT_CODE: 'test_element', LIST_ELEMENT_URL: '#list_id#/element/#section_id#/#element_id#/',
      FIELDS: { NAME: 'Test Element', [`PROPERTY_${users}`]: ['1269', '1271'], [`PROPERTY_${until}`]: '2024-12-31 23:59:59' },
    });
    expect(typeof add.body.result).toBe('number');
    const got = await s.call('lists.element.get', {
      IBLOCK_TYPE_ID: 'lists', IBLOCK_ID: list.id, ELEMENT_ID: add.body.result, SELECT: ['ID', 'CODE', 'NAME', 'IBLOCK_SECTION_ID', `PROPERTY_${users}`, `PROPERTY_${until}`],
      FILTER: { NAME: '%Test%' }, ELEMENT_ORDER: { NAME: 'asc' }, start: 0,
    });
    const [row] = got.body.result;
    expect(row).toMatchObject({ ID: String(add.body.result), NAME: 'Test Element', CODE: 'test_element', IBLOCK_SECTION_ID: null });
    expect(Object.values(row[`PROPERTY_${users}`])).toEqual(['1269', '1271']);
    expect(Object.values(row[`PROPERTY_${until}`])).toEqual(['12/31/2024 11:59:59 pm']);
    expect(got.body.total).toBe(1);
  });

  test('errors: missing parameters, unknown list, duplicate code, no NAME', async () => {
    expect((await s.call('lists.element.get', { IBLOCK_CODE: 'managers' })).body).toEqual({ error: 'ERROR_REQUIRED_PARAMETERS_MISSING', error_description: 'Required parameter "IBLOCK_TYPE_ID" is missing' });
    expect((await s.call('lists.element.get', { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'nope' })).body).toEqual({ error: 'ERROR_IBLOCK_NOT_FOUND', error_description: 'Iblock not found' });
    expect((await s.call('lists.element.get', { IBLOCK_TYPE_ID: 'bitrix_processes', IBLOCK_CODE: 'managers' })).body.error).toBe('ERROR_IBLOCK_NOT_FOUND');
    const base = { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'docs' };
    expect((await s.call('lists.element.add', { ...base, FIELDS: { NAME: 'x' } })).body.error).toBe('ERROR_REQUIRED_PARAMETERS_MISSING');
    expect((await s.call('lists.element.add', { ...base, ELEMENT_CODE: 'test_element', FIELDS: { NAME: 'x' } })).body).toEqual({ error: 'ERROR_ELEMENT_ALREADY_EXISTS', error_description: 'Element already exists' });
    expect((await s.call('lists.element.add', { ...base, ELEMENT_CODE: 'other', FIELDS: { NAME: '' } })).body.error).toBe('ERROR_ADD_ELEMENT');
  });

  test('filters on properties: managers not on vacation', async () => {
    const res = await s.call('lists.element.get', { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'managers', FILTER: { PROPERTY_102: false }, SELECT: ['ID'] });
    expect(res.body.total).toBe(3);
  });
});

describe('user.get', () => {
  beforeAll(() => {
    addUser(s.portal, { id: 900, name: 'Иван', lastName: 'Уволенный', active: false });
  });

  test('always an array: string ID, a real boolean ACTIVE, UF_DEPARTMENT numbers, USER_TYPE', async () => {
    const res = await s.call('user.get', { FILTER: { ID: [1, 900] } });
    expect(res.body.result).toEqual([
      expect.objectContaining({ ID: '1', ACTIVE: true, EMAIL: expect.any(String), UF_DEPARTMENT: [1], USER_TYPE: 'employee' }),
      expect.objectContaining({ ID: '900', ACTIVE: false, NAME: 'Иван', LAST_NAME: 'Уволенный' }),
    ]);
    expect(res.body.total).toBe(2);
  });

  test('filter keys at the top level, LIKE patterns, !% and ACTIVE', async () => {
    expect((await s.call('user.get', { ID: 900 })).body.result.map((u: any) => u.ID)).toEqual(['900']);
    expect((await s.call('user.get', { filter: { NAME: 'Ив%' } })).body.result.map((u: any) => u.ID)).toEqual(['900']);
    const active = (await s.call('user.get', { FILTER: { ACTIVE: true } })).body.result;
    expect(active.some((u: any) => u.ID === '900')).toBe(false);
    const notOn = (await s.call('user.get', { filter: { '!%LAST_NAME': 'Уволен' } })).body.result;
    expect(notOn.some((u: any) => u.ID === '900')).toBe(false);
  });

  test('sort and order are a field and a direction; start=-1 skips the count', async () => {
    const desc = (await s.call('user.get', { sort: 'ID', order: 'DESC' })).body.result.map((u: any) => Number(u.ID));
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    const fast = await s.call('user.get', { start: -1 });
    expect(fast.body.total).toBe(0);
  });

  test('user_brief gives no contact data (EMAIL needs user or user_basic)', async () => {
    const app = s.sandbox.addApp({ scope: ['user_brief'] });
    const token = s.sandbox.issueTokens(s.portal, app.clientId, 1).access_token;
    const res = await fetch(`${s.portal.clientEndpoint}user.get`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ID: 1, auth: token }) });
    const body = (await res.json()) as any;
    expect(body.result[0].ID).toBe('1');
    expect(body.result[0]).not.toHaveProperty('EMAIL');
  });
});
