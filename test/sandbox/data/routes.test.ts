/** The data part's sandbox-only API under /sandbox/portals/:portal/… */
import { startDataSandbox, type DataSandbox } from './helpers';

let s: DataSandbox;

beforeAll(async () => {
  s = await startDataSandbox({ seed: { companies: 4, managers: 4 } });
});
afterAll(() => s.close());

test('POST /seed adds companies to a seeded portal and reports what it made', async () => {
  const res = await s.api('POST', '/seed', { companies: 6, seed: 3 });
  expect(res.status).toBe(200);
  expect(res.body.companies).toEqual({ count: 6, firstId: 5, lastId: 10 });
  expect(res.body.structure.managersList).toEqual({ iblockId: 17, code: 'managers', properties: { employee: 101, onVacation: 102, onSickLeave: 103 } });
  expect((await s.api('GET', '/crm/4')).body).toHaveLength(10);
  expect((await s.api('POST', '/seed', { companies: -1 })).status).toBe(400);
});

test('a user field is ignored until registered, then stored and returned under both names', async () => {
  const company = (await s.call('crm.company.add', { fields: { TITLE: 'ООО «Поля»', UF_CRM_INN: '7701234567' } })).body.result;
  expect((await s.call('crm.company.get', { id: company })).body.result).not.toHaveProperty('UF_CRM_INN');
  const reg = await s.api('POST', '/userfields', { entityTypeId: 4, code: 'UF_CRM_INN', type: 'string', label: 'ИНН' });
  expect(reg.body).toEqual({ entityTypeId: 4, code: 'UF_CRM_INN', type: 'string', multiple: false, label: 'ИНН' });
  await s.call('crm.company.update', { id: company, fields: { UF_CRM_INN: '7701234567' } });
  expect((await s.call('crm.company.get', { id: company })).body.result.UF_CRM_INN).toBe('7701234567');
  expect((await s.call('crm.item.get', { entityTypeId: 4, id: company })).body.result.item.ufCrmInn).toBe('7701234567');
  const bad = await s.api('POST', '/userfields', { entityTypeId: 4, code: 'UF_CRM_X', type: 'money' });
  expect(bad.status).toBe(400);
  expect(bad.body.error).toBe('INVALID_ARGUMENT');
  expect((await s.api('GET', '/userfields?entityTypeId=4')).body.map((f: any) => f.code)).toContain('UF_CRM_INN');
});

test('CRM items are created, changed and inspected directly; read-only fields such as createdTime may be set', async () => {
  const created = await s.api('POST', '/crm/4', { TITLE: 'ООО «Старый клиент»', createdTime: '2024-01-15T10:00:00+03:00', UF_CRM_TARIFF_TYPE: 'Премиум' });
  expect(created.body).toMatchObject({ title: 'ООО «Старый клиент»', createdTime: '2024-01-15T10:00:00+03:00', ufCrmTariffType: 'Премиум', entityTypeId: 4 });
  const patched = await s.api('PATCH', `/crm/4/${created.body.id}`, { ufCrmTariffCost: 50000 });
  expect(patched.body.ufCrmTariffCost).toBe(50000);
  expect((await s.api('GET', `/crm/4/${created.body.id}`)).body.ufCrmTariffCost).toBe(50000);
  expect((await s.api('GET', '/crm/4/99999')).status).toBe(400);
  const bad = await s.api('PATCH', `/crm/2/${created.body.id}`, { STAGE_ID: 'NOPE' });
  expect(bad.status).toBe(400);
});

test('an unknown portal is 404', async () => {
  const res = await fetch(`${s.sandbox.url}/sandbox/portals/nope/crm/4`);
  expect(res.status).toBe(404);
  expect(((await res.json()) as any).error).toBe('NOT_FOUND');
});

test('a call that happened 100 days ago, added directly, stamps LAST_COMMUNICATION_TIME', async () => {
  const company = (await s.api('POST', '/crm/4', { TITLE: 'ООО «Молчун»' })).body.id;
  const res = await s.api('POST', '/activities', {
    OWNER_TYPE_ID: 4, OWNER_ID: company, TYPE_ID: 2, SUBJECT: 'Звонок', COMPLETED: 'Y', DIRECTION: 2,
    COMMUNICATIONS: [{ VALUE: '+74950000000' }], START_TIME: '2024-12-01T10:00:00+03:00', END_TIME: '2024-12-01T10:10:00+03:00',
  });
  expect(res.body).toMatchObject({ TYPE_ID: '2', END_TIME: '2024-12-01T10:10:00+03:00', sendError: null });
  expect((await s.call('crm.company.get', { id: company })).body.result.LAST_COMMUNICATION_TIME).toBe('2024-12-01T10:10:00+03:00');
  const acts = (await s.api('GET', '/activities')).body.filter((a: any) => a.OWNER_ID === String(company));
  expect(acts[0].BINDINGS).toEqual([{ ownerTypeId: 4, ownerId: company }]);
  expect((await s.api('POST', '/activities', { OWNER_TYPE_ID: 4, OWNER_ID: company, TYPE_ID: 2 })).status).toBe(400);
});

test('a manager back from vacation: PATCH a list element; a new manager: POST a user', async () => {
  const elements = (await s.api('GET', '/lists/managers/elements')).body;
  const onVacation = elements.find((e: any) => e.values['102']?.length);
  await s.api('PATCH', `/lists/managers/elements/${onVacation.id}`, { PROPERTY_102: '' });
  const got = (await s.call('lists.element.get', { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'managers', ELEMENT_ID: onVacation.id })).body.result[0];
  expect(got).not.toHaveProperty('PROPERTY_102');
  const user = (await s.api('POST', '/users', { name: 'Пётр', lastName: 'Новиков', position: 'Менеджер по работе с клиентами' })).body;
  await s.api('POST', '/lists/managers/elements', { NAME: 'Пётр Новиков', CODE: `manager_${user.id}`, PROPERTY_101: user.id });
  expect((await s.call('lists.element.get', { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'managers' })).body.total).toBe(5);
});

test('smart processes and tasks through the sandbox API', async () => {
  const spa = (await s.api('POST', '/smart-processes', { title: 'Проекты', categories: [{ name: 'Проекты', stages: [{ name: 'Новый', code: 'NEW' }, { name: 'Готов', code: 'SUCCESS', semantics: 'S' }, { name: 'Отказ', code: 'FAIL', semantics: 'F' }] }] })).body;
  expect(spa.entityTypeId).toBeGreaterThanOrEqual(128);
  const item = (await s.call('crm.item.add', { entityTypeId: spa.entityTypeId, fields: { title: 'Проект' } })).body.result.item;
  expect(item.stageId).toMatch(/:NEW$/);
  const task = (await s.api('POST', '/tasks', { TITLE: 'Проверить', RESPONSIBLE_ID: 1 })).body;
  expect(task).toMatchObject({ title: 'Проверить', status: '2', ufCrmTask: false });
  expect((await s.api('PATCH', `/tasks/${task.id}`, { STATUS: 5 })).body.status).toBe('5');
  expect((await s.api('GET', '/tasks')).body.some((t: any) => t.id === task.id)).toBe(true);
});
