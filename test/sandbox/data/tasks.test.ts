/** tasks.task.add|update|get|list conformance over HTTP (b24-docs tasks/*; PROTOCOL §6.7). */
import { addUser, createSmartProcess } from '../../../src/sandbox/data';
import { recordEvents, startDataSandbox, type DataSandbox } from './helpers';

let s: DataSandbox;
let company: number;

beforeAll(async () => {
  s = await startDataSandbox();
  addUser(s.portal, { id: 123, name: 'Maria', lastName: 'Johnson', position: 'Tester' });
  addUser(s.portal, { id: 456, name: 'Viola', lastName: 'Smith' });
  company = (await s.call('crm.company.add', { fields: { TITLE: 'ООО «Ромашка»' } })).body.result;
});
afterAll(() => s.close());

const add = async (fields: Record<string, unknown>): Promise<any> => (await s.call('tasks.task.add', { fields })).body.result.task;

describe('tasks.task.add / get', () => {
  let taskId: string;

  test('the docs example answers {task} with camelCase string values and no UF fields', async () => {
    const rec = recordEvents(s.portal);
    const res = await s.call('tasks.task.add', {
      fields: { TITLE: 'Task Title', DEADLINE: '2025-12-31T23:59:59', CREATED_BY: 456, RESPONSIBLE_ID: 123, UF_CRM_TASK: ['L_4', 'C_7', `CO_${company}`, 'D_10'], UF_TASK_WEBDAV_FILES: ['n12345', 'n67890'] },
    });
    rec.stop();
    expect(res.status).toBe(200);
    const task = res.body.result.task;
    taskId = task.id;
    expect(task).toMatchObject({
      id: expect.stringMatching(/^\d+$/), parentId: null, title: 'Task Title', description: '', priority: '1', createdBy: '456', responsibleId: '123',
      createdDate: '2025-03-10T12:00:00+03:00', deadline: '2025-12-31T23:59:59+03:00', status: '2', closedDate: null, groupId: '0',
      timeSpentInLogs: null, allowTimeTracking: 'N', auditors: [], accomplices: [], checklist: [], group: [],
      creator: { id: '456', name: 'Viola Smith', link: '/company/personal/user/456/' }, responsible: { id: '123', name: 'Maria Johnson', workPosition: 'Tester' },
    });
    expect(task).not.toHaveProperty('ufCrmTask');
    expect(rec.events.filter((e) => e.name === 'task.add')).toEqual([{ name: 'task.add', payload: { id: Number(task.id) } }]);
  });

  test('get with the docs select returns the selected fields; naming one UF field brings all three', async () => {
    const res = await s.call('tasks.task.get', { taskId, select: ['ID', 'TITLE', 'DESCRIPTION', 'CREATED_BY', 'RESPONSIBLE_ID', 'DEADLINE', 'UF_CRM_TASK', 'UF_TASK_WEBDAV_FILES'] });
    const task = res.body.result.task;
    expect(task).toMatchObject({
      id: taskId, title: 'Task Title', description: '', createdBy: '456', responsibleId: '123', deadline: '2025-12-31T23:59:59+03:00',
      ufCrmTask: ['L_4', 'C_7', `CO_${company}`, 'D_10'], ufTaskWebdavFiles: [12345, 67890], ufMailMessage: null, descriptionInBbcode: 'Y', group: [],
      creator: { id: '456' }, responsible: { id: '123' },
    });
    expect(task).not.toHaveProperty('status');
    expect(task).toHaveProperty('action');
  });

  test('a missing task is "result": [], not an error', async () => {
    const res = await s.call('tasks.task.get', { taskId: 99999 });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual([]);
  });

  test('errors: 100 without fields, ERROR_CORE texts ending in <br>, 0 "wrong task id"', async () => {
    expect((await s.call('tasks.task.add', {})).body).toEqual({ error: '100', error_description: 'Could not find value for parameter {fields} (internal error)' });
    expect((await s.call('tasks.task.add', { fields: { RESPONSIBLE_ID: 123 } })).body).toEqual({ error: 'ERROR_CORE', error_description: 'Task title is not specified<br>' });
    expect((await s.call('tasks.task.add', { fields: { TITLE: 'x', RESPONSIBLE_ID: 9999 } })).body.error_description).toBe('The user specified in the "Responsible" field was not found<br>');
    expect((await s.call('tasks.task.get', { taskId: 'abc' })).body).toEqual({ error: '0', error_description: 'wrong task id' });
    expect((await s.call('tasks.task.get', { select: ['ID'] })).body.error).toBe('100');
  });

  test('a binding to a CRM item shows the task in its timeline as a TYPE_ID 3 activity', async () => {
    const acts = (await s.call('crm.activity.list', { filter: { OWNER_TYPE_ID: 4, OWNER_ID: company, TYPE_ID: 3 } })).body.result;
    expect(acts).toHaveLength(1);
    expect(acts[0]).toMatchObject({ SUBJECT: 'Task Title', ASSOCIATED_ENTITY_ID: taskId, COMPLETED: 'N', RESPONSIBLE_ID: '123' });
  });

  test('an SPA binding is kept only when the SPA links tasks (linkedUserFields TASKS_TASK|UF_CRM_TASK)', async () => {
    const linked = createSmartProcess(s.portal, { title: 'Linked' }, s.clock());
    const unlinked = createSmartProcess(s.portal, { title: 'Unlinked', linkedToTasks: false }, s.clock());
    const hex = (n: number) => n.toString(16);
    const task = await add({ TITLE: 'spa', RESPONSIBLE_ID: 123, UF_CRM_TASK: [`T${hex(linked.entityTypeId)}_1`, `T${hex(unlinked.entityTypeId)}_1`] });
    const got = (await s.call('tasks.task.get', { taskId: task.id, select: ['UF_CRM_TASK'] })).body.result.task;
    expect(got.ufCrmTask).toEqual([`T${hex(linked.entityTypeId)}_1`]);
  });
});

describe('tasks.task.update', () => {
  test('completing a task stamps closedDate and closedBy, completes its timeline activity, raises task.update', async () => {
    const task = await add({ TITLE: 'Позвонить клиенту', RESPONSIBLE_ID: 123, UF_CRM_TASK: [`CO_${company}`] });
    s.clock.advance(1800);
    const rec = recordEvents(s.portal);
    const res = await s.call('tasks.task.update', { taskId: task.id, fields: { STATUS: 5 } }, 123);
    rec.stop();
    expect(res.body.result.task).toMatchObject({ id: task.id, status: '5', closedDate: '2025-03-10T12:30:00+03:00', closedBy: '123', changedBy: '123' });
    expect(rec.events).toContainEqual({ name: 'task.update', payload: { id: Number(task.id) } });
    const act = (await s.call('crm.activity.list', { filter: { TYPE_ID: 3, ASSOCIATED_ENTITY_ID: task.id } })).body.result[0];
    expect(act.COMPLETED).toBe('Y');
    const reopened = await s.call('tasks.task.update', { taskId: task.id, fields: { STATUS: 2 } });
    expect(reopened.body.result.task).toMatchObject({ status: '2', closedDate: null });
    s.clock.set(Date.UTC(2025, 2, 10, 9, 0, 0));
  });

  test('a task under control goes to "awaiting control" (4) when the responsible completes it', async () => {
    const task = await add({ TITLE: 'controlled', RESPONSIBLE_ID: 123, TASK_CONTROL: 'Y' });
    const res = await s.call('tasks.task.update', { taskId: task.id, fields: { STATUS: 5 } }, 123);
    expect(res.body.result.task.status).toBe('4');
  });

  test('errors of update: missing task, missing taskId, self parent, empty fields', async () => {
    expect((await s.call('tasks.task.update', { taskId: 99999, fields: { TITLE: 'x' } })).body).toEqual({ error: '0', error_description: 'Action on the task is not allowed (internal error)' });
    expect((await s.call('tasks.task.update', { fields: { TITLE: 'x' } })).body.error).toBe('100');
    const task = await add({ TITLE: 'self', RESPONSIBLE_ID: 123 });
    expect((await s.call('tasks.task.update', { taskId: task.id, fields: { PARENT_ID: task.id } })).body.error_description).toBe('Cannot bind the node to itself<br>');
    expect((await s.call('tasks.task.update', { taskId: task.id, fields: {} })).body.error).toBe('100');
  });
});

describe('tasks.task.list', () => {
  beforeAll(async () => {
    for (let i = 0; i < 55; i++) await add({ TITLE: `Звонок ${i}`, RESPONSIBLE_ID: 456, DEADLINE: i < 3 ? '2025-03-01T10:00:00' : '2025-04-01T10:00:00', UF_CRM_TASK: i % 2 ? [`CO_${company}`] : [] });
  });

  test('the docs request shape: {tasks}, total, select with status bringing subStatus', async () => {
    const res = await s.call('tasks.task.list', {
      order: { DEADLINE: 'asc', PRIORITY: 'desc' }, filter: { '!STATUS': 6, '>=DEADLINE': '2025-03-01', RESPONSIBLE_ID: 456 },
      select: ['ID', 'TITLE', 'STATUS', 'DEADLINE', 'RESPONSIBLE_ID'],
    });
    expect(res.body.total).toBe(55);
    expect(res.body.next).toBe(50);
    const [first] = res.body.result.tasks;
    expect(first).toEqual({
      id: expect.any(String), title: 'Звонок 0', status: '2', subStatus: '-1', deadline: '2025-03-01T10:00:00+03:00', responsibleId: '456',
      responsible: expect.objectContaining({ id: '456' }), group: [],
    });
  });

  test('STATUS -1 is overdue; UF_CRM_TASK finds the tasks bound to an item', async () => {
    expect((await s.call('tasks.task.list', { filter: { STATUS: -1, RESPONSIBLE_ID: 456 }, select: ['ID'] })).body.total).toBe(3);
    expect((await s.call('tasks.task.list', { filter: { UF_CRM_TASK: `CO_${company}`, RESPONSIBLE_ID: 456 }, select: ['ID'] })).body.total).toBe(27);
  });

  test('default order is ID descending; start=-1 skips the count', async () => {
    const res = await s.call('tasks.task.list', { select: ['ID'], start: -1 });
    const ids = res.body.result.tasks.map((t: any) => Number(t.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(res.body.total).toBe(0);
    expect(res.body).not.toHaveProperty('next');
  });

  test('an unknown sort key is error "0" "Invalid sorting key"', async () => {
    const res = await s.call('tasks.task.list', { order: { RESPONSIBLE_ID: 'asc' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: '0', error_description: 'Invalid sorting key (internal error)' });
  });
});
