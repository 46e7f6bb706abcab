/**
 * Every write raises the portal event the bizproc part runs stage robots from — REST, sandbox API and automation
 * (portal.documents) alike — with the legacy upper-case fields and, for updates, the fields before.
 */
import { startDataSandbox, recordEvents, type DataSandbox } from './helpers';

let s: DataSandbox;
let pipeline: number;
let stages: string[];

beforeAll(async () => {
  s = await startDataSandbox({ seed: { companies: 1, managers: 2 } });
  const cats = (await s.call('crm.category.list', { entityTypeId: 2 })).body.result.categories;
  pipeline = cats.find((c: any) => c.name === 'Инфраструктура').id;
  stages = (await s.call('crm.status.list', { filter: { ENTITY_ID: `DEAL_STAGE_${pipeline}` } })).body.result.map((r: any) => r.STATUS_ID);
});
afterAll(() => s.close());

async function eventsOf(action: () => Promise<unknown>): Promise<{ name: string; payload: any }[]> {
  const rec = recordEvents(s.portal);
  try {
    await action();
  } finally {
    rec.stop();
  }
  return rec.events;
}

test('REST creates raise crm.add with legacy fields and previous null', async () => {
  const viaDeal = await eventsOf(() => s.call('crm.deal.add', { fields: { TITLE: 'Хостинг', CATEGORY_ID: pipeline } }));
  expect(viaDeal).toEqual([{ name: 'crm.add', payload: expect.objectContaining({ entityTypeId: 2, previous: null }) }]);
  expect(viaDeal[0].payload.fields).toMatchObject({ TITLE: 'Хостинг', CATEGORY_ID: String(pipeline), STAGE_ID: stages[0] });
  const viaCompany = await eventsOf(() => s.call('crm.company.add', { fields: { TITLE: 'ООО «Новая»' } }));
  expect(viaCompany[0]).toMatchObject({ name: 'crm.add', payload: { entityTypeId: 4, fields: { TITLE: 'ООО «Новая»' } } });
  const viaItem = await eventsOf(() => s.call('crm.item.add', { entityTypeId: 31, fields: { title: 'Счёт' } }));
  expect(viaItem[0]).toMatchObject({ name: 'crm.add', payload: { entityTypeId: 31, fields: { TITLE: 'Счёт' } } });
});

test('a stage move raises crm.update with the stage before and after, through REST, the sandbox API and automation', async () => {
  const id = (await s.call('crm.deal.add', { fields: { TITLE: 'Домен', CATEGORY_ID: pipeline } })).body.result;
  const moves: [string, () => Promise<unknown>][] = [
    ['crm.deal.update', () => s.call('crm.deal.update', { id, fields: { STAGE_ID: stages[1] } })],
    ['crm.item.update', () => s.call('crm.item.update', { entityTypeId: 2, id, fields: { stageId: stages[2] } })],
    ['sandbox API', () => s.api('PATCH', `/crm/2/${id}`, { STAGE_ID: stages[3] })],
    ['portal.documents', async () => s.portal.documents.update(2, id, { STAGE_ID: stages[4] })],
  ];
  let before = stages[0];
  for (const [via, move] of moves) {
    const events = await eventsOf(move);
    const after = stages[moves.findIndex(([v]) => v === via) + 1];
    expect({ via, events }).toEqual({
      via,
      events: [{ name: 'crm.update', payload: expect.objectContaining({ entityTypeId: 2, id, previous: expect.objectContaining({ STAGE_ID: before }), fields: expect.objectContaining({ STAGE_ID: after }) }) }],
    });
    before = after;
  }
  expect(s.portal.documents.get(2, id)).toMatchObject({ STAGE_ID: stages[4], CATEGORY_ID: String(pipeline) });
});

test('automation may move a deal to another pipeline (a REST update of crm.deal cannot)', async () => {
  const id = (await s.call('crm.deal.add', { fields: { TITLE: 'Рекламация' } })).body.result;
  s.portal.documents.update(2, id, { CATEGORY_ID: pipeline, STAGE_ID: stages[1] });
  expect(s.portal.documents.get(2, id)).toMatchObject({ CATEGORY_ID: String(pipeline), STAGE_ID: stages[1] });
  expect(s.portal.documents.get(2, 999999)).toBeNull();
});

test('deletes raise crm.delete; activities, tasks and sandbox writes raise their events', async () => {
  const company = (await s.call('crm.company.add', { fields: { TITLE: 'ООО «Событие»' } })).body.result;
  const events = await eventsOf(async () => {
    await s.call('crm.activity.add', { fields: { OWNER_TYPE_ID: 4, OWNER_ID: company, TYPE_ID: 2, SUBJECT: 'Звонок', COMMUNICATIONS: [{ VALUE: '+7' }] } });
    const task = (await s.call('tasks.task.add', { fields: { TITLE: 'T', RESPONSIBLE_ID: 1 } })).body.result.task;
    await s.call('tasks.task.update', { taskId: task.id, fields: { STATUS: 3 } });
    const created = (await s.api('POST', '/crm/4', { TITLE: 'ООО «Через API»' })).body;
    await s.api('DELETE', `/crm/4/${created.id}`);
    await s.call('crm.item.delete', { entityTypeId: 4, id: company });
  });
  expect(events.map((e) => e.name)).toEqual(['activity.add', 'task.add', 'task.update', 'crm.add', 'crm.delete', 'crm.delete']);
});

test('the seed builds its data silently (no events)', async () => {
  const events = await eventsOf(() => s.api('POST', '/seed', { companies: 3 }));
  expect(events).toEqual([]);
});
