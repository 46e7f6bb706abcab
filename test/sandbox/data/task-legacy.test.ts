/**
 * Legacy task.* item methods over HTTP: task.checklistitem.add, task.dependence.add, task.elapseditem.add|getlist,
 * with named, positional-JSON, top-level-array and form-encoded parameters (b24-docs tasks/*; PROTOCOL §5.5, §6.7).
 */
import { addUser } from '../../../src/sandbox/data';
import { startDataSandbox, type DataSandbox } from './helpers';

let s: DataSandbox;

beforeAll(async () => {
  s = await startDataSandbox();
  addUser(s.portal, { id: 547, name: 'Helen', lastName: 'Lawyer' });
});
afterAll(() => s.close());

const newTask = async (title = 'Задача'): Promise<number> =>
  Number((await s.call('tasks.task.add', { fields: { TITLE: title, RESPONSIBLE_ID: 1 } })).body.result.task.id);

describe('task.checklistitem.add', () => {
  test('the docs example: a PARENT_ID that is not an item of the task starts a new checklist; MEMBERS join the task', async () => {
    const taskId = await newTask();
    const res = await s.call('task.checklistitem.add', {
      TASKID: taskId, FIELDS: { TITLE: 'Prepare the report', PARENT_ID: 457, SORT_INDEX: 200, IS_COMPLETE: 'N', IS_IMPORTANT: 'Y', MEMBERS: { 547: { TYPE: 'A' } } },
    });
    expect(res.status).toBe(200);
    expect(typeof res.body.result).toBe('number');
    const task = (await s.call('tasks.task.get', { taskId })).body.result.task;
    expect(task.accomplices).toEqual(['547']);
    expect(task.checklist[String(res.body.result)]).toMatchObject({ title: 'Prepare the report', parentId: '0', isImportant: 'Y', sortIndex: '200' });
  });

  test('without PARENT_ID an item goes into the top-level checklist, made when the task has none (positional form body)', async () => {
    const taskId = await newTask();
    const first = await s.callForm('task.checklistitem.add', { 0: String(taskId), 1: { TITLE: 'Собрать документы' } });
    const second = await s.call('task.checklistitem.add', { 0: taskId, 1: { TITLE: 'Сверить акты' } });
    const items = Object.values((await s.call('tasks.task.get', { taskId })).body.result.task.checklist) as any[];
    const root = items.find((i) => i.parentId === '0');
    expect(root.title).toBe('Чек-лист 1');
    expect(items.filter((i) => i.parentId === root.id).map((i) => i.id)).toEqual([String(first.body.result), String(second.body.result)]);
  });

  test('errors are ERROR_CORE with TASKS_ERROR_EXCEPTION texts', async () => {
    const taskId = await newTask();
    expect((await s.call('task.checklistitem.add', { TASKID: taskId, FIELDS: { IS_COMPLETE: 'N' } })).body).toEqual({
      error: 'ERROR_CORE', error_description: 'TASKS_ERROR_EXCEPTION_#8; Item name not specified; 8/TE/ACTION_FAILED_TO_BE_PROCESSED<br>',
    });
    expect((await s.call('task.checklistitem.add', { TASKID: 99999, FIELDS: { TITLE: 'x' } })).body.error_description)
      .toBe('TASKS_ERROR_EXCEPTION_#8; Adding item: action not allowed; 8/TE/ACTION_FAILED_TO_BE_PROCESSED<br>');
    expect((await s.call('task.checklistitem.add', { FIELDS: { TITLE: 'x' } })).body.error_description).toMatch(/^TASKS_ERROR_EXCEPTION_#256; Param #0 \(taskId\)/);
  });
});

describe('task.dependence.add', () => {
  test('finish-start links answer [], a second link is ILLEGAL_NEW_LINK, and DEPENDS_ON finds the follower', async () => {
    const a = await newTask('Сбор документов');
    const b = await newTask('Сдача отчётности');
    const res = await s.call('task.dependence.add', { taskIdFrom: a, taskIdTo: b, linkType: 2 });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual([]);
    expect((await s.call('task.dependence.add', { taskIdFrom: b, taskIdTo: a, linkType: 2 })).body).toEqual({ error: 'ILLEGAL_NEW_LINK', error_description: 'A link between tasks already exists' });
    expect((await s.call('task.dependence.add', { taskIdFrom: a, taskIdTo: 99999, linkType: 2 })).body.error).toBe('ACTION_NOT_ALLOWED');
    const followers = (await s.call('tasks.task.list', { filter: { DEPENDS_ON: a }, select: ['ID'] })).body.result.tasks;
    expect(followers.map((t: any) => Number(t.id))).toEqual([b]);
  });
});

describe('task.elapseditem.add / getlist', () => {
  let taskId: number;

  beforeAll(async () => {
    taskId = await newTask('Учёт времени');
  });

  test('the docs add example answers the record id; timeSpentInLogs sums the records', async () => {
    const res = await s.call('task.elapseditem.add', { TASKID: taskId, ARFIELDS: { SECONDS: 113, COMMENT_TEXT: 'comment text' } });
    expect(typeof res.body.result).toBe('number');
    await s.callForm('task.elapseditem.add', { 0: String(taskId), 1: { SECONDS: '3600', COMMENT_TEXT: 'positional', USER_ID: '547' } });
    const task = (await s.call('tasks.task.get', { taskId, select: ['TIME_SPENT_IN_LOGS', 'DURATION_FACT'] })).body.result.task;
    expect(task).toMatchObject({ timeSpentInLogs: '3713', durationFact: '62' });
  });

  test('getlist rows are strings as in the docs; the docs top-level array (no TASKID) is order and filter', async () => {
    const res = await s.call('task.elapseditem.getlist', [{ ID: 'desc' }, { '>=CREATED_DATE': '2024-02-16' }]);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect(res.body.result[0]).toEqual({
      ID: expect.any(String), TASK_ID: String(taskId), USER_ID: '547', COMMENT_TEXT: 'positional', SECONDS: '3600', MINUTES: '60', SOURCE: '2',
      CREATED_DATE: '2025-03-10T12:00:00+03:00', DATE_START: '2025-03-10T11:00:00+03:00', DATE_STOP: '2025-03-10T12:00:00+03:00',
    });
  });

  test('positional JSON: TASKID, ORDER, FILTER, SELECT and PARAMS.NAV_PARAMS paging', async () => {
    for (let i = 0; i < 3; i++) await s.call('task.elapseditem.add', { TASKID: taskId, ARFIELDS: { SECONDS: 60 * (i + 1), COMMENT_TEXT: `r${i}` } });
    const page2 = await s.call('task.elapseditem.getlist', { 0: taskId, 1: { ID: 'asc' }, 2: { USER_ID: 1 }, 3: ['ID', 'SECONDS'], 4: { NAV_PARAMS: { nPageSize: 2, iNumPage: 2 } } });
    // user 1 has 113, 60, 120, 180 seconds: the second page of two is 120 and 180
    expect(page2.body.total).toBe(4);
    expect(page2.body.result).toEqual([{ ID: expect.any(String), SECONDS: '120' }, { ID: expect.any(String), SECONDS: '180' }]);
  });

  test('a negative start is ignored: page 1 with the full count (legacy task.* paging)', async () => {
    const res = await s.call('task.elapseditem.getlist', { TASKID: taskId, ORDER: { ID: 'asc' }, start: -1 });
    expect(res.body.total).toBe(5);
    expect(res.body.result[0].COMMENT_TEXT).toBe('comment text');
  });

  test('a task that does not exist is ACTION_NOT_ALLOWED', async () => {
    expect((await s.call('task.elapseditem.getlist', { 0: 99999 })).body).toEqual({ error: 'ERROR_CORE', error_description: 'ACTION_NOT_ALLOWED' });
    expect((await s.call('task.elapseditem.add', { TASKID: 99999, ARFIELDS: { SECONDS: 1 } })).body.error_description).toBe('ACTION_NOT_ALLOWED');
  });
});
