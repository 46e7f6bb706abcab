/** crm.item.* conformance over HTTP, built from the request/response examples of b24-docs crm/universal. */
import { addCategory, createSmartProcess, registerUserField } from '../../../src/sandbox/data';
import { recordEvents, startDataSandbox, type DataSandbox } from './helpers';

let s: DataSandbox;
let funnel: number;
let stages: Record<string, string>;

beforeAll(async () => {
  s = await startDataSandbox();
  // the docs' deal pipeline 9 with its custom stages
  const c = addCategory(s.portal, 2, {
    name: 'Funnel with Original Name',
    stages: [{ name: 'Start', code: 'NEW' }, { name: 'Work' }, { name: 'Closing' }, { name: 'Won', code: 'WON', semantics: 'S' }, { name: 'Lost', code: 'LOSE', semantics: 'F' }],
  });
  funnel = c.id;
  const list = await s.call('crm.status.list', { filter: { ENTITY_ID: `DEAL_STAGE_${funnel}` } });
  stages = Object.fromEntries(list.body.result.map((r: any) => [r.NAME, r.STATUS_ID]));
  registerUserField(s.portal, { entityTypeId: 2, code: 'UF_CRM_1721244707107', type: 'double' });
  registerUserField(s.portal, { entityTypeId: 2, code: 'UF_CRM_TARIFF_TYPE', type: 'string' });
  registerUserField(s.portal, { entityTypeId: 2, code: 'UF_CRM_LABELS', type: 'string', multiple: true });
});
afterAll(() => s.close());

describe('crm.item.add', () => {
  test('the docs deal example: a typed camelCase item in result.item', async () => {
    const res = await s.call('crm.item.add', {
      entityTypeId: 2,
      fields: {
        title: 'New deal (specifically for REST method examples)', typeId: 'SERVICE', categoryId: funnel, stageId: stages.Work,
        isReccurring: 'Y', probability: 50, currencyId: 'EUR', isManualOpportunity: 'Y', opportunity: 999.99, taxValue: 99.9,
        companyId: 5, contactId: 4, contactIds: [4, 5], quoteId: 7, begindate: '2024-06-18T02:00:00+02:00', closedate: '2024-07-30',
        opened: 'N', comments: 'commentsExample', assignedById: 6, sourceId: 'WEB', leadId: 102,
        additionalInfo: 'There should be additional information', observers: [2, 3], utmSource: 'google', utmMedium: 'CPC',
        ufCrm_1721244707107: 1111.1, parentId1220: 2,
      },
    });
    expect(res.status).toBe(200);
    const item = res.body.result.item;
    expect(item).toMatchObject({
      title: 'New deal (specifically for REST method examples)', typeId: 'SERVICE', categoryId: funnel, stageId: stages.Work,
      stageSemanticId: 'P', opportunity: 999.99, isManualOpportunity: 'Y', taxValue: 99.9, currencyId: 'EUR', probability: 50,
      companyId: 5, contactId: 4, quoteId: 7, leadId: 102, opened: 'N', assignedById: 6, createdBy: 1, closed: 'N',
      begindate: '2024-06-18T00:00:00+03:00', closedate: '2024-07-30T00:00:00+03:00', createdTime: '2025-03-10T12:00:00+03:00',
      observers: [2, 3], contactIds: [4, 5], ufCrm_1721244707107: 1111.1, utmSource: 'google', entityTypeId: 2,
    });
    expect(typeof item.id).toBe('number');
    // an unknown field is ignored (the docs' own typo isReccurring, and parentId of a type that does not exist)
    expect(item.isRecurring).toBe('N');
    expect(item).not.toHaveProperty('parentId1220');
    expect(item).not.toHaveProperty('isReccurring');
  });

  test('defaults: the first stage of the default pipeline, the caller as responsible, "Сделка #id"', async () => {
    const { item } = (await s.call('crm.item.add', { entityTypeId: 2, fields: {} }, 1)).body.result;
    expect(item).toMatchObject({ stageId: 'NEW', categoryId: 0, assignedById: 1, title: `Сделка #${item.id}`, opportunity: 0, stageSemanticId: 'P' });
  });

  test('UF fields are written and read by camel or UPPER name; unregistered ones are dropped silently', async () => {
    const { item } = (await s.call('crm.item.add', {
      entityTypeId: 2,
      fields: { UF_CRM_TARIFF_TYPE: 'Базовый', ufCrmLabels: ['a', 'b'], ufCrmNotRegistered: 'x', UF_CRM_ALSO_NOT: 'y' },
    })).body.result;
    expect(item.ufCrmTariffType).toBe('Базовый');
    expect(item.ufCrmLabels).toEqual(['a', 'b']);
    expect(Object.keys(item).filter((k) => k.startsWith('uf'))).toEqual(['ufCrm_1721244707107', 'ufCrmTariffType', 'ufCrmLabels']);
    const original = (await s.call('crm.item.get', { entityTypeId: 2, id: item.id, useOriginalUfNames: 'Y' })).body.result.item;
    expect(original.UF_CRM_TARIFF_TYPE).toBe('Базовый');
    expect(original).not.toHaveProperty('ufCrmTariffType');
  });

  test('a scalar for a multiple field is error 100', async () => {
    const res = await s.call('crm.item.add', { entityTypeId: 2, fields: { ufCrmLabels: 'one' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: '100', error_description: 'Expected iterable value for multiple field, but got string instead' });
  });

  test('a stage outside the pipeline is CRM_FIELD_ERROR_VALUE_NOT_VALID; a bad type is NOT_FOUND "Smart process not found"', async () => {
    const bad = await s.call('crm.item.add', { entityTypeId: 2, fields: { categoryId: 0, stageId: stages.Work } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('CRM_FIELD_ERROR_VALUE_NOT_VALID');
    const type = await s.call('crm.item.add', { entityTypeId: 999, fields: { title: 'x' } });
    expect(type.status).toBe(400);
    expect(type.body).toEqual({ error: 'NOT_FOUND', error_description: 'Smart process not found' });
  });

  test('parameters are camelCase (D7 binding): ENTITYTYPEID is not entityTypeId', async () => {
    const res = await s.call('crm.item.add', { ENTITYTYPEID: 2, FIELDS: { title: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: '100', error_description: 'Could not find value for parameter {entityTypeId}' });
  });
});

describe('crm.item.get / update / delete', () => {
  test('get of a missing item is NOT_FOUND with HTTP 400', async () => {
    const res = await s.call('crm.item.get', { entityTypeId: 2, id: 99999 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'NOT_FOUND', error_description: 'Element not found' });
  });

  test('the docs update example changes stage and fields and answers the whole item', async () => {
    const id = (await s.call('crm.item.add', { entityTypeId: 2, fields: { title: 'x', categoryId: funnel } })).body.result.item.id;
    s.clock.advance(60);
    const res = await s.call('crm.item.update', {
      entityTypeId: 2, id,
      fields: { title: 'REST Deal #1', stageId: stages.Closing, assignedById: 6, observers: [1, 2, 3], opened: 'N', opportunity: 10000, currencyId: 'USD', ufCrm_1721244707107: 200.05 },
    });
    expect(res.status).toBe(200);
    expect(res.body.result.item).toMatchObject({
      id, title: 'REST Deal #1', stageId: stages.Closing, categoryId: funnel, assignedById: 6, observers: [1, 2, 3], opportunity: 10000,
      ufCrm_1721244707107: 200.05, movedTime: '2025-03-10T12:01:00+03:00', updatedTime: '2025-03-10T12:01:00+03:00',
    });
  });

  test('crm.item.update moves a deal to another pipeline with categoryId + stageId; crm.deal.update cannot', async () => {
    const id = (await s.call('crm.item.add', { entityTypeId: 2, fields: { title: 'moving' } })).body.result.item.id;
    const legacy = await s.call('crm.deal.update', { id, fields: { CATEGORY_ID: funnel } });
    expect(legacy.body.result).toBe(true);
    expect((await s.call('crm.item.get', { entityTypeId: 2, id })).body.result.item.categoryId).toBe(0);
    const moved = await s.call('crm.item.update', { entityTypeId: 2, id, fields: { categoryId: funnel, stageId: stages.Won } });
    expect(moved.body.result.item).toMatchObject({ categoryId: funnel, stageId: stages.Won, stageSemanticId: 'S', closed: 'Y' });
    // categoryId alone puts the item on the new pipeline's first stage
    const back = await s.call('crm.item.update', { entityTypeId: 2, id, fields: { categoryId: 0 } });
    expect(back.body.result.item).toMatchObject({ categoryId: 0, stageId: 'NEW' });
  });

  test('an update that changes nothing is not saved and raises no event', async () => {
    const id = (await s.call('crm.item.add', { entityTypeId: 2, fields: { title: 'same' } })).body.result.item.id;
    const rec = recordEvents(s.portal);
    await s.call('crm.item.update', { entityTypeId: 2, id, fields: { title: 'same' } });
    await s.call('crm.item.update', { entityTypeId: 2, id, fields: { title: 'changed' } });
    rec.stop();
    expect(rec.events.map((e) => e.name)).toEqual(['crm.update']);
    expect(rec.events[0].payload.previous.TITLE).toBe('same');
    expect(rec.events[0].payload.fields.TITLE).toBe('changed');
  });

  test('delete answers [] and the item is gone', async () => {
    const id = (await s.call('crm.item.add', { entityTypeId: 2, fields: { title: 'doomed' } })).body.result.item.id;
    const rec = recordEvents(s.portal);
    const res = await s.call('crm.item.delete', { entityTypeId: 2, id });
    rec.stop();
    expect(res.body.result).toEqual([]);
    expect(rec.events).toEqual([{ name: 'crm.delete', payload: { entityTypeId: 2, id } }]);
    expect((await s.call('crm.item.delete', { entityTypeId: 2, id })).body.error).toBe('NOT_FOUND');
  });
});

describe('crm.item.list', () => {
  beforeAll(async () => {
    // leads of the docs' list example
    const leads = [
      { title: 'Lead #252', name: 'Klaus', lastName: 'Schmidt', stageId: 'NEW', sourceId: 'ADVERTISING', assignedById: 1, opportunity: 12000, isManualOpportunity: 'Y' },
      { title: 'Lead #253', name: 'Admin', lastName: null, stageId: 'NEW', sourceId: 'WEB', assignedById: 6, opportunity: 19000, isManualOpportunity: 'Y' },
      { title: 'Lead #254', name: 'Schmidt', lastName: 'Schmidt', stageId: 'IN_PROCESS', sourceId: 'ADVERTISING', assignedById: 6, opportunity: 19000, isManualOpportunity: 'Y' },
      { title: 'Lead #255', name: 'Klaus', lastName: 'Weber', stageId: 'NEW', sourceId: 'WEB', assignedById: 1, opportunity: 19600, isManualOpportunity: 'Y' },
      { title: 'no name', name: '', lastName: '', stageId: 'NEW', sourceId: 'WEB', assignedById: 1, opportunity: 10000, isManualOpportunity: 'Y' },
      { title: 'too cheap', name: 'Anna', stageId: 'NEW', sourceId: 'WEB', assignedById: 1, opportunity: 100, isManualOpportunity: 'Y' },
      { title: 'junk', name: 'Otto', stageId: 'JUNK', sourceId: 'WEB', assignedById: 1, opportunity: 10000, isManualOpportunity: 'Y' },
    ];
    for (const fields of leads) await s.call('crm.item.add', { entityTypeId: 1, fields });
  });

  test('the docs lead example: logic OR group, @ lists, ranges, order and select', async () => {
    const res = await s.call('crm.item.list', {
      entityTypeId: 1,
      select: ['id', 'title', 'lastName', 'name', 'stageId', 'sourceId', 'assignedById', 'opportunity', 'isManualOpportunity'],
      filter: {
        0: { logic: 'OR', 0: { '!=name': '' }, 1: { '!=lastName': '' } },
        '@stageId': ['NEW', 'IN_PROCESS'], '@sourceId': ['WEB', 'ADVERTISING'], '@assignedById': [1, 6],
        '>=opportunity': 5000, '<=opportunity': 20000, isManualOpportunity: 'Y',
      },
      order: { lastName: 'ASC', name: 'ASC' },
    });
    expect(res.status).toBe(200);
    const { items } = res.body.result;
    // lastName ASC (NULL first, as MySQL sorts), then name ASC
    expect(items.map((i: any) => i.title)).toEqual(['Lead #253', 'Lead #252', 'Lead #254', 'Lead #255']);
    expect(items[0]).toEqual({ id: items[0].id, title: 'Lead #253', name: 'Admin', lastName: null, stageId: 'NEW', sourceId: 'WEB', assignedById: 6, opportunity: 19000, isManualOpportunity: 'Y' });
    expect(res.body.total).toBe(4);
    expect(res.body).not.toHaveProperty('next');
  });

  test('select * brings every field, fm and entityTypeId', async () => {
    const { items } = (await s.call('crm.item.list', { entityTypeId: 1, filter: { title: 'Lead #252' }, select: ['*'] })).body.result;
    expect(items[0]).toMatchObject({ title: 'Lead #252', fm: [], entityTypeId: 1 });
  });

  test('filters by UPPER names too, and dates with an offset', async () => {
    const res = await s.call('crm.item.list', { entityTypeId: 1, filter: { '>=CREATED_TIME': '2025-03-10T00:00:00+03:00', STAGE_ID: 'JUNK' }, select: ['id'] });
    expect(res.body.total).toBe(1);
  });

  test('an unknown filter or order field, or a bad direction, is INVALID_ARG_VALUE', async () => {
    const f = await s.call('crm.item.list', { entityTypeId: 1, filter: { FIELD: 1 } });
    expect(f.status).toBe(400);
    expect(f.body).toEqual({ error: 'INVALID_ARG_VALUE', error_description: "Invalid filter: field 'FIELD' is not allowed in filter" });
    const o = await s.call('crm.item.list', { entityTypeId: 1, order: { nope: 'ASC' } });
    expect(o.body.error_description).toBe("Invalid order: field 'nope' is not allowed in order");
    const d = await s.call('crm.item.list', { entityTypeId: 1, order: { id: 'UP' } });
    expect(d.body.error_description).toBe("Invalid order: allowed sort directions are ASC, DESC. But got 'UP' for field 'id'");
  });

  test('pages of 50: next and total; start=-1 skips the count', async () => {
    for (let i = 0; i < 60; i++) await s.call('crm.item.add', { entityTypeId: 3, fields: { name: `Contact ${i}` } });
    const first = await s.call('crm.item.list', { entityTypeId: 3, select: ['id'], order: { id: 'ASC' } });
    expect(first.body.result.items).toHaveLength(50);
    expect(first.body).toMatchObject({ total: 60, next: 50 });
    const second = await s.call('crm.item.list', { entityTypeId: 3, select: ['id'], order: { id: 'ASC' }, start: first.body.next });
    expect(second.body.result.items).toHaveLength(10);
    expect(second.body).not.toHaveProperty('next');
    // keyset enumeration: >id with start=-1 (b24-docs huge-data.md)
    const last = first.body.result.items[49].id;
    const fast = await s.call('crm.item.list', { entityTypeId: 3, select: ['id'], order: { id: 'ASC' }, filter: { '>id': last }, start: -1 });
    expect(fast.body.result.items).toHaveLength(10);
    expect(fast.body.total).toBe(0);
    expect(fast.body).not.toHaveProperty('next');
  });
});

describe('smart processes, smart invoices and multifields', () => {
  test('SPA items use DT<type>_<cat>: stages; smart invoices DT31_<cat>:N', async () => {
    const spa = createSmartProcess(s.portal, { title: 'Сервисная карточка', categories: [{ name: 'Сервис' }] }, s.clock());
    const { item } = (await s.call('crm.item.add', { entityTypeId: spa.entityTypeId, fields: { title: 'Карточка' } })).body.result;
    expect(item.stageId).toMatch(new RegExp(`^DT${spa.entityTypeId}_${item.categoryId}:NEW$`));
    expect(item).toMatchObject({ entityTypeId: spa.entityTypeId, stageSemanticId: 'P' });
    const invoice = (await s.call('crm.item.add', { entityTypeId: 31, fields: { title: 'Счёт', opportunity: 1500, parentId2: 1 } })).body.result.item;
    expect(invoice.stageId).toBe(`DT31_${invoice.categoryId}:N`);
    expect(invoice.parentId2).toBe(1);
    const paid = await s.call('crm.item.update', { entityTypeId: 31, id: invoice.id, fields: { stageId: `DT31_${invoice.categoryId}:P` } });
    expect(paid.body.result.item).toMatchObject({ stageSemanticId: 'S', previousStageId: `DT31_${invoice.categoryId}:N` });
  });

  test('fm: an array on add; on update n0 adds, <id> with an empty value deletes, elements without typeId are ignored', async () => {
    const { item } = (await s.call('crm.item.add', {
      entityTypeId: 4,
      fields: { title: 'ООО «Ромашка»', fm: [{ typeId: 'PHONE', valueType: 'WORK', value: '+74950000000' }, { typeId: 'EMAIL', valueType: 'WORK', value: 'a@romashka.ru' }] },
    })).body.result;
    expect(item.fm.map((m: any) => m.typeId)).toEqual(['PHONE', 'EMAIL']);
    expect(item.hasEmail).toBe('Y');
    const emailId = item.fm[1].id;
    const updated = (await s.call('crm.item.update', {
      entityTypeId: 4, id: item.id,
      fields: { fm: { n0: { typeId: 'EMAIL', valueType: 'HOME', value: 'b@romashka.ru' }, [emailId]: { typeId: 'EMAIL', value: '' }, n1: { value: 'ignored' } } },
    })).body.result.item;
    expect(updated.fm.map((m: any) => m.value)).toEqual(['+74950000000', 'b@romashka.ru']);
  });
});
