/** crm.activity.add|list and crm.timeline.comment.add (b24-docs crm/timeline; PROTOCOL §6.5, §6.6). */
import { addUser } from '../../../src/sandbox/data';
import { recordEvents, startDataSandbox, type DataSandbox } from './helpers';

let s: DataSandbox;
let company: number;
let deal: number;
let contact: number;

beforeAll(async () => {
  s = await startDataSandbox();
  addUser(s.portal, { id: 5, name: 'Анна', lastName: 'Кузнецова', email: 'anna@acme.test' });
  company = (await s.call('crm.company.add', { fields: { TITLE: 'ООО «Ромашка»', ASSIGNED_BY_ID: 5 } })).body.result;
  contact = (await s.call('crm.item.add', { entityTypeId: 3, fields: { name: 'Klaus', lastName: 'Weber', companyId: company } })).body.result.item.id;
  deal = (await s.call('crm.deal.add', { fields: { TITLE: 'Deal', COMPANY_ID: company, ASSIGNED_BY_ID: 5 } })).body.result;
});
afterAll(() => s.close());

const call = (fields: Record<string, unknown>) => ({
  OWNER_TYPE_ID: 4, OWNER_ID: company, TYPE_ID: 2, SUBJECT: 'Исходящий звонок', COMPLETED: 'Y', DIRECTION: 2,
  COMMUNICATIONS: [{ VALUE: '+74950000000', ENTITY_ID: company, ENTITY_TYPE_ID: 4 }], ...fields,
});

describe('crm.activity.add', () => {
  test('the docs call example answers the id and raises activity.add', async () => {
    const rec = recordEvents(s.portal);
    const res = await s.call('crm.activity.add', {
      fields: {
        OWNER_TYPE_ID: 2, OWNER_ID: deal, TYPE_ID: 2, COMMUNICATIONS: [{ VALUE: '+499832322323', ENTITY_ID: contact, ENTITY_TYPE_ID: 3 }],
        SUBJECT: 'New call', START_TIME: '2023-12-31T12:00:00+00:00', END_TIME: '2023-12-31T12:30:00+00:00', COMPLETED: 'N', PRIORITY: 3,
        RESPONSIBLE_ID: 1, DESCRIPTION: 'Important call', DESCRIPTION_TYPE: 3, DIRECTION: 2,
      },
    });
    rec.stop();
    expect(res.status).toBe(200);
    expect(typeof res.body.result).toBe('number');
    expect(rec.events).toEqual([{ name: 'activity.add', payload: { id: res.body.result, ownerTypeId: 2, ownerId: deal } }]);
    const [row] = (await s.call('crm.activity.list', { filter: { ID: res.body.result }, select: ['*', 'COMMUNICATIONS'] })).body.result;
    expect(row).toMatchObject({
      ID: String(res.body.result), OWNER_ID: String(deal), OWNER_TYPE_ID: '2', TYPE_ID: '2', PROVIDER_ID: 'VOXIMPLANT_CALL', PROVIDER_TYPE_ID: 'CALL',
      SUBJECT: 'New call', START_TIME: '2023-12-31T15:00:00+03:00', END_TIME: '2023-12-31T15:30:00+03:00', DEADLINE: '2023-12-31T15:00:00+03:00',
      COMPLETED: 'N', STATUS: '1', RESPONSIBLE_ID: '1', PRIORITY: '3', DESCRIPTION_TYPE: '3', DIRECTION: '2', SETTINGS: [],
    });
    expect(row.COMMUNICATIONS).toEqual([{ ID: expect.any(String), TYPE: 'PHONE', VALUE: '+499832322323', ENTITY_ID: String(contact), ENTITY_TYPE_ID: '3' }]);
  });

  test.each([
    [{ SUBJECT: '' }, 'The field SUBJECT is not defined or empty'],
    [{ TYPE_ID: 3 }, 'The field TYPE_ID is not defined or invalid'],
    [{ COMMUNICATIONS: [] }, 'The field COMMUNICATIONS is not defined or invalid'],
    [{ COMMUNICATIONS: [{ VALUE: '1' }, { VALUE: '2' }] }, 'The only one communication is allowed for activity of specified type'],
    [{ OWNER_TYPE_ID: undefined, OWNER_ID: undefined, COMMUNICATIONS: [{ VALUE: '+7' }] }, 'Could not build binding. Please ensure that owner info and communications are defined correctly'],
    [{ RESPONSIBLE_ID: 777 }, 'The field RESPONSIBLE_ID is not defined or invalid'],
  ])('rejects %j with the docs error text', async (patch, text) => {
    const res = await s.call('crm.activity.add', { fields: call(patch) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: '', error_description: text });
  });

  test('a completed call stamps the company LAST_COMMUNICATION_TIME; a planned call and a meeting do not', async () => {
    await s.call('crm.activity.add', { fields: call({ START_TIME: '2025-03-01T10:00:00+03:00', END_TIME: '2025-03-01T10:05:00+03:00' }) });
    const stamped = (await s.call('crm.company.get', { id: company })).body.result.LAST_COMMUNICATION_TIME;
    expect(stamped).toBe('2025-03-01T10:05:00+03:00');
    await s.call('crm.activity.add', { fields: call({ COMPLETED: 'N', START_TIME: '2025-03-05T10:00:00+03:00' }) });
    await s.call('crm.activity.add', { fields: call({ TYPE_ID: 1, SUBJECT: 'Встреча', START_TIME: '2025-03-06T10:00:00+03:00' }) });
    expect((await s.call('crm.company.get', { id: company })).body.result.LAST_COMMUNICATION_TIME).toBe(stamped);
  });

  test('an outgoing completed e-mail is sent; with COMPLETED N it is not (PROTOCOL §6.5)', async () => {
    const email = { TYPE_ID: 4, SUBJECT: 'Документы', DESCRIPTION: 'Добрый день', COMMUNICATIONS: [{ VALUE: 'client@romashka.ru' }] };
    await s.call('crm.activity.add', { fields: call({ ...email, COMPLETED: 'N' }) });
    expect((await s.api('GET', '/mail')).body).toEqual([]);
    const sent = await s.call('crm.activity.add', { fields: call({ ...email, SETTINGS: { MESSAGE_FROM: 'Анна Кузнецова <anna@acme.test>' } }) });
    const mail = (await s.api('GET', '/mail')).body;
    expect(mail).toEqual([{ activityId: sent.body.result, from: 'Анна Кузнецова <anna@acme.test>', to: ['client@romashka.ru'], subject: 'Документы', body: 'Добрый день', sentAt: '2025-03-10T09:00:00Z' }]);
  });

  test('a failed send is an error, but the activity exists anyway', async () => {
    const before = (await s.call('crm.activity.list', { filter: { TYPE_ID: 4 } })).body.total;
    const res = await s.call('crm.activity.add', { fields: call({ TYPE_ID: 4, SUBJECT: 'x', COMMUNICATIONS: [{ VALUE: 'not-an-address' }] }) });
    expect(res.body).toEqual({ error: '', error_description: 'Email send error. Invalid email is specified' });
    expect((await s.call('crm.activity.list', { filter: { TYPE_ID: 4 } })).body.total).toBe(before + 1);
  });
});

describe('crm.activity.list', () => {
  test('the "last communication" recipe: completed calls and e-mails of a company, END_TIME DESC, first row', async () => {
    const res = await s.call('crm.activity.list', {
      order: { END_TIME: 'DESC' }, filter: { OWNER_TYPE_ID: 4, OWNER_ID: company, '@TYPE_ID': [2, 4], COMPLETED: 'Y' }, select: ['ID', 'END_TIME', 'TYPE_ID'], start: 0,
    });
    expect(res.body.result[0]).toEqual({ ID: expect.any(String), END_TIME: '2025-03-10T12:00:00+03:00', TYPE_ID: '4' });
    expect(res.body.result.every((r: any) => r.TYPE_ID === '2' || r.TYPE_ID === '4')).toBe(true);
  });

  test('default order is START_TIME ascending; every value is a string', async () => {
    const rows = (await s.call('crm.activity.list', { filter: { OWNER_TYPE_ID: 4, OWNER_ID: company } })).body.result;
    const starts = rows.map((r: any) => Date.parse(r.START_TIME));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(typeof rows[0].ID).toBe('string');
    expect(rows[0]).not.toHaveProperty('COMMUNICATIONS');
  });

  test('OWNER_* match any binding, and several BINDINGS pairs return an activity once per matching pair', async () => {
    const id = (await s.call('crm.activity.add', { fields: call({ SUBJECT: 'both', BINDINGS: [{ OWNER_TYPE_ID: 2, OWNER_ID: deal }] }) })).body.result;
    const byDeal = (await s.call('crm.activity.list', { filter: { OWNER_TYPE_ID: 2, OWNER_ID: deal, SUBJECT: 'both' } })).body.result;
    expect(byDeal.map((r: any) => r.ID)).toEqual([String(id)]);
    const pairs = await s.call('crm.activity.list', { filter: { BINDINGS: [{ OWNER_TYPE_ID: 2 }, { OWNER_TYPE_ID: 4 }], SUBJECT: 'both' } });
    expect(pairs.body.result.map((r: any) => r.ID)).toEqual([String(id), String(id)]);
  });
});

describe('crm.timeline.comment.add', () => {
  test('the docs example answers the comment id', async () => {
    const res = await s.call('crm.timeline.comment.add', {
      fields: { ENTITY_ID: deal, ENTITY_TYPE: 'deal', COMMENT: 'New comment was added', FILES: [['1.gif', 'R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==']] },
    });
    expect(typeof res.body.result).toBe('number');
    const comments = (await s.api('GET', '/comments')).body;
    expect(comments.at(-1)).toMatchObject({ entityTypeId: 2, entityId: deal, comment: 'New comment was added', files: ['1.gif'] });
  });

  test('only lower-case fields is accepted; a missing owner, an empty comment are errors', async () => {
    expect((await s.call('crm.timeline.comment.add', { FIELDS: { ENTITY_ID: deal, ENTITY_TYPE: 'deal', COMMENT: 'x' } })).body.error).toBe('100');
    expect((await s.call('crm.timeline.comment.add', { fields: { ENTITY_ID: 99999, ENTITY_TYPE: 'deal', COMMENT: 'x' } })).body.error).toBe('OWNER_NOT_FOUND');
    expect((await s.call('crm.timeline.comment.add', { fields: { ENTITY_ID: deal, ENTITY_TYPE: 'deal', COMMENT: '  ' } })).body.error).toBe('INVALID_ARG_VALUE');
  });
});
