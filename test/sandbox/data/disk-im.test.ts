/** disk.* and im.notify.system.add over HTTP (b24-docs disk/*, chats/notifications; PROTOCOL §6.10, §6.11). */
import { addUser } from '../../../src/sandbox/data';
import { startDataSandbox, type DataSandbox } from './helpers';

let s: DataSandbox;

beforeAll(async () => {
  s = await startDataSandbox();
  addUser(s.portal, { id: 5, name: 'Анна', lastName: 'Кузнецова' });
});
afterAll(() => s.close());

describe('disk', () => {
  test('disk.storage.getForApp creates the app storage once and answers string ids', async () => {
    const first = await s.call('disk.storage.getForApp');
    expect(first.status).toBe(200);
    expect(first.body.result).toEqual({
      ID: expect.stringMatching(/^\d+$/), NAME: 'b24-robots', CODE: null, MODULE_ID: 'disk', ENTITY_TYPE: 'restapp',
      ENTITY_ID: expect.any(String), ROOT_OBJECT_ID: expect.stringMatching(/^\d+$/),
    });
    expect((await s.call('disk.storage.getforapp')).body.result).toEqual(first.body.result);
  });

  test('getforapp needs an app (not a webhook) and an admin', async () => {
    const hook = s.sandbox.createWebhook(s.portal.memberId, { userId: 1 });
    const viaHook = await fetch(`${hook.url}disk.storage.getforapp`, { method: 'POST' });
    expect(viaHook.status).toBe(403);
    expect(((await viaHook.json()) as any).error).toBe('ACCESS_DENIED');
    const nonAdmin = await s.call('disk.storage.getforapp', {}, 5);
    expect(nonAdmin.body.error).toBe('ACCESS_DENIED');
  });

  test('addfolder in the shared drive, addSubFolder inside it: mixed int and string ids like the docs', async () => {
    const [shared] = (await s.call('disk.storage.getlist', { filter: { ENTITY_TYPE: 'common' } })).body.result;
    expect(shared).toMatchObject({ NAME: 'Общий диск', ENTITY_TYPE: 'common' });
    const folder = (await s.call('disk.storage.addfolder', { id: Number(shared.ID), data: { NAME: 'Сделки' }, rights: [{ TASK_ID: 71, ACCESS_CODE: 'U1' }] })).body.result;
    expect(folder).toEqual({
      ID: expect.any(Number), NAME: 'Сделки', CODE: null, STORAGE_ID: shared.ID, TYPE: 'folder', REAL_OBJECT_ID: folder.ID, PARENT_ID: shared.ROOT_OBJECT_ID,
      DELETED_TYPE: 0, CREATE_TIME: '2025-03-10T12:00:00+03:00', UPDATE_TIME: '2025-03-10T12:00:00+03:00', DELETE_TIME: null,
      CREATED_BY: '1', UPDATED_BY: '1', DELETED_BY: null, DETAIL_URL: 'https://acme.bitrix24.test/docs/path/Сделки',
    });
    const sub = (await s.call('disk.folder.addSubFolder', { id: folder.ID, data: { NAME: 'Сделка 10' } })).body.result;
    expect(sub).toMatchObject({ PARENT_ID: String(folder.ID), STORAGE_ID: shared.ID, DETAIL_URL: 'https://acme.bitrix24.test/docs/path/Сделки/Сделка 10' });
    const children = (await s.call('disk.folder.getchildren', { id: folder.ID })).body.result;
    expect(children.map((c: any) => c.NAME)).toEqual(['Сделка 10']);
  });

  test('errors: same name (case-insensitive) DISK_OBJ_22000, no NAME ERROR_ARGUMENT, unknown id ERROR_NOT_FOUND', async () => {
    const [shared] = (await s.call('disk.storage.getlist', { filter: { ENTITY_TYPE: 'common' } })).body.result;
    expect((await s.call('disk.storage.addfolder', { id: shared.ID, data: { NAME: 'сделки' } })).body).toEqual({ error: 'DISK_OBJ_22000', error_description: 'A folder with this name already exists' });
    expect((await s.call('disk.storage.addfolder', { id: shared.ID, data: {} })).body).toMatchObject({ error: 'ERROR_ARGUMENT', error_description: 'Invalid value of parameter {Parameter #1}' });
    expect((await s.call('disk.folder.addsubfolder', { id: 99999, data: { NAME: 'x' } })).body.error).toBe('ERROR_NOT_FOUND');
  });
});

describe('im.notify.system.add', () => {
  test('the docs example answers the notification id', async () => {
    const res = await s.call('im.notify.system.add', { USER_ID: 5, MESSAGE: '  System notification ', MESSAGE_OUT: 'System notification for email', TAG: 'SYSTEM_EVENT_42', SUB_TAG: 'SYSTEM_EVENT|42' });
    expect(typeof res.body.result).toBe('number');
    const [n] = (await s.api('GET', '/notifications')).body;
    expect(n).toMatchObject({ userId: 5, message: 'System notification', tag: 'SYSTEM_EVENT_42', subTag: 'SYSTEM_EVENT|42' });
  });

  test('a new notification with the same TAG replaces the earlier one', async () => {
    await s.call('im.notify.system.add', { USER_ID: 5, MESSAGE: 'second', TAG: 'SYSTEM_EVENT_42' });
    const tagged = (await s.api('GET', '/notifications')).body.filter((n: any) => n.tag === 'SYSTEM_EVENT_42');
    expect(tagged.map((n: any) => n.message)).toEqual(['second']);
  });

  test('errors and false', async () => {
    expect((await s.call('im.notify.system.add', { MESSAGE: 'x' })).body).toEqual({ error: 'USER_ID_EMPTY', error_description: "User ID can't be empty" });
    expect((await s.call('im.notify.system.add', { USER_ID: 5, MESSAGE: '   ' })).body).toEqual({ error: 'MESSAGE_EMPTY', error_description: "Message can't be empty" });
    expect((await s.call('im.notify.system.add', { USER_ID: 5, MESSAGE: 'x', ATTACH: [{ MESSAGE: 'y'.repeat(60_001) }] })).body.error).toBe('ATTACH_OVERSIZE');
    expect((await s.call('im.notify.system.add', { USER_ID: 5, MESSAGE: 'x', ATTACH: '{broken' })).body.error).toBe('ATTACH_ERROR');
    const unknown = await s.call('im.notify.system.add', { USER_ID: 4242, MESSAGE: 'x' });
    expect(unknown.status).toBe(200);
    expect(unknown.body.result).toBe(false);
  });
});
