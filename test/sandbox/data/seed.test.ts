/** The seed: the RULES.md structure, realistic Russian data with work for the robots, repeatability and scale. */
import { EventEmitter } from 'node:events';
import type { PortalCore, SandboxCore } from '../../../src/sandbox/contract';
import { dataPart, seedPortal } from '../../../src/sandbox/data';
import { startDataSandbox, NOW, type DataSandbox } from './helpers';

/** A portal initialised by the data part without HTTP (for the scale and repeatability checks). */
function barePortal(seed?: Record<string, unknown>): PortalCore {
  const portal = {
    memberId: 'bare', domain: 'bare.bitrix24.test', timeZone: 'Europe/Moscow', culture: 'ru', plan: 'standard', users: [],
    events: new EventEmitter(), state: {}, clientEndpoint: '',
  } as unknown as PortalCore;
  const sandbox = { url: '', portals: new Map([['bare', portal]]), apps: new Map(), now: () => new Date(NOW) } as unknown as SandboxCore;
  dataPart.initPortal(portal, sandbox, { seed }, false);
  return portal;
}

let s: DataSandbox;

beforeAll(async () => {
  s = await startDataSandbox({ seed: { companies: 60 } });
});
afterAll(() => s.close());

const stageNames = async (entityId: string): Promise<string[]> =>
  (await s.call('crm.status.list', { filter: { ENTITY_ID: entityId } })).body.result.map((r: any) => r.NAME);

describe('the seeded structure (RULES.md)', () => {
  test('deal pipelines of sections A–E with their stages', async () => {
    const cats = (await s.call('crm.category.list', { entityTypeId: 2 })).body.result.categories;
    const byName = Object.fromEntries(cats.map((c: any) => [c.name, c.id]));
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['Работа по бухгалтерскому аутсорсингу', 'Клиентский сервис', 'Инфраструктура', 'Рекламации', 'Общая']));
    expect((await stageNames(`DEAL_STAGE_${byName['Работа по бухгалтерскому аутсорсингу']}`))[0]).toBe('Новая');
    expect(await stageNames(`DEAL_STAGE_${byName['Инфраструктура']}`)).toEqual([
      'Новая', 'Создание акта', 'Ожидание оплаты', 'Оплачено (продление)', 'Оплачено после отключения', 'Продление',
      'Услуга оказывается', 'Отключение', 'Услуга отключена', 'Сделка успешна', 'Сделка провалена',
    ]);
    // a failure stage «Дефекты» in the default pipeline for complaints routing
    const general = (await s.call('crm.status.list', { filter: { ENTITY_ID: 'DEAL_STAGE', NAME: 'Дефекты' } })).body.result[0];
    expect(general).toMatchObject({ SEMANTICS: 'F', STATUS_ID: expect.stringMatching(/^UC_[A-Z0-9]{6}$/) });
  });

  test('smart processes «Сервисная карточка» (month stages) and «Производство», and smart invoices', async () => {
    const types = (await s.call('crm.type.list')).body.result.types;
    const card = types.find((t: any) => t.title === 'Сервисная карточка');
    expect(types.map((t: any) => t.title)).toEqual(['Сервисная карточка', 'Производство']);
    const cat = (await s.call('crm.category.list', { entityTypeId: card.entityTypeId })).body.result.categories[0].id;
    expect(await stageNames(`DYNAMIC_${card.entityTypeId}_STAGE_${cat}`)).toEqual(['Новая', '1-й месяц', '2-й месяц', '3-й месяц', 'Постоянная работа', 'Завершена', 'Расторгнута']);
    expect((await s.call('crm.item.list', { entityTypeId: 31, select: ['id'] })).body.total).toBeGreaterThan(0);
  });

  test('user fields with the robots default codes', async () => {
    const fields = (await s.api('GET', '/userfields')).body.map((f: any) => `${f.entityTypeId}:${f.code}:${f.type}`);
    expect(fields).toEqual([
      '4:UF_CRM_TARIFF_TYPE:string', '4:UF_CRM_TARIFF_COST:double', '4:UF_CRM_LAST_CONTACT:datetime',
      '2:UF_CRM_TARIFF_TYPE:string', '2:UF_CRM_TARIFF_COST:double', '2:UF_CRM_SERVICE_MONTH:string',
    ]);
  });

  test('people: user 1 is the admin, managers have Russian names, and the «Менеджеры» list names them', async () => {
    const users = (await s.call('user.get', { sort: 'ID', order: 'ASC' })).body.result;
    expect(users[0]).toMatchObject({ ID: '1' });
    const managers = users.filter((u: any) => u.WORK_POSITION === 'Менеджер по работе с клиентами');
    expect(managers).toHaveLength(6);
    for (const m of managers) expect(`${m.NAME} ${m.LAST_NAME}`).toMatch(/^[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+$/);
    const list = (await s.call('lists.element.get', { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'managers' })).body.result;
    expect(list.map((e: any) => Object.values(e.PROPERTY_101)[0]).sort()).toEqual(managers.map((m: any) => m.ID).sort());
  });
});

describe('the seeded data', () => {
  test('companies have Russian legal names; some lack tariff or cost so onboarding has work', async () => {
    const rows: any[] = [];
    for (let start = 0; start < 60; start += 50) {
      rows.push(...(await s.call('crm.company.list', { select: ['TITLE', 'UF_*', 'ASSIGNED_BY_ID', 'LAST_COMMUNICATION_TIME'], start })).body.result);
    }
    expect(rows).toHaveLength(60);
    for (const c of rows) expect(c.TITLE).toMatch(/^(ООО «.+»|АО «.+»|ИП [А-ЯЁ][а-яё]+ [А-ЯЁ]\. [А-ЯЁ]\.)$/);
    expect(rows.some((c) => c.UF_CRM_TARIFF_TYPE === '')).toBe(true);
    expect(rows.some((c) => c.UF_CRM_TARIFF_TYPE === 'Индивидуальный' && c.UF_CRM_TARIFF_COST === '')).toBe(true);
    expect(rows.some((c) => c.UF_CRM_TARIFF_TYPE === 'Базовый' && c.UF_CRM_TARIFF_COST === '15000')).toBe(true);
  });

  test('calls and e-mails of various ages: some companies silent for 90 days, some contacted recently, some never', async () => {
    const cut = new Date(NOW - 90 * 86_400_000).toISOString();
    const recent = (await s.call('crm.company.list', { filter: { '>=LAST_COMMUNICATION_TIME': cut }, select: ['ID'] })).body.total;
    const silent = (await s.call('crm.company.list', { filter: { '<LAST_COMMUNICATION_TIME': cut }, select: ['ID'] })).body.total;
    const never = (await s.call('crm.company.list', { filter: { LAST_COMMUNICATION_TIME: '' }, select: ['ID'] })).body.total;
    expect(recent).toBeGreaterThan(0);
    expect(silent).toBeGreaterThan(0);
    expect(never).toBeGreaterThan(0);
    expect(recent + silent + never).toBe(60);
    // each company's LAST_COMMUNICATION_TIME is its latest completed call or e-mail
    const [company] = (await s.call('crm.company.list', { filter: { '!LAST_COMMUNICATION_TIME': '' }, select: ['ID', 'LAST_COMMUNICATION_TIME'] })).body.result;
    const [latest] = (await s.call('crm.activity.list', { filter: { OWNER_TYPE_ID: 4, OWNER_ID: company.ID, '@TYPE_ID': [2, 4], COMPLETED: 'Y' }, order: { END_TIME: 'DESC' }, select: ['END_TIME'] })).body.result;
    expect(latest.END_TIME).toBe(company.LAST_COMMUNICATION_TIME);
  });

  test('accounting deals are titled [Company] / [Tariff] / [Month YYYY]', async () => {
    const deals = (await s.call('crm.deal.list', { filter: { '%TITLE': ' / ' }, select: ['TITLE', 'COMPANY_ID', 'UF_CRM_SERVICE_MONTH'] })).body.result;
    expect(deals.length).toBeGreaterThan(0);
    for (const d of deals) expect(d.TITLE).toMatch(/^.+ \/ (Базовый|Стандарт|Премиум|Индивидуальный) \/ (Февраль|Март) 2025$/);
  });
});

describe('seedPortal', () => {
  test('the same seed and clock give the same portal; a second run adds companies and reuses the structure', () => {
    const a = barePortal({ companies: 20, seed: 7 });
    const b = barePortal({ companies: 20, seed: 7 });
    const titles = (p: PortalCore) => Object.values(p.state.crm.items['4']).map((c: any) => c.title);
    expect(titles(a)).toEqual(titles(b));
    const categories = a.state.crm.categories.length;
    const summary = seedPortal(a, { companies: 5, managers: 1 }, new Date(NOW));
    expect(summary.companies).toHaveLength(5);
    expect(titles(a)).toHaveLength(25);
    expect(a.state.crm.categories.length).toBe(categories);
    expect(summary.structure.users.managers).toHaveLength(7);
  });

  test('the state is plain JSON: a saved and restored portal answers the same', () => {
    const original = barePortal({ companies: 5 });
    const restored = {
      ...original, events: new EventEmitter(), users: JSON.parse(JSON.stringify(original.users)), state: JSON.parse(JSON.stringify(original.state)),
    } as PortalCore;
    const sandbox = { url: '', portals: new Map(), apps: new Map(), now: () => new Date(NOW) } as unknown as SandboxCore;
    dataPart.initPortal(restored, sandbox, {}, true);
    for (const id of [1, 2, 3]) expect(restored.documents.get(4, id)).toEqual(original.documents.get(4, id));
    expect(restored.state.crm.seed).toEqual(original.state.crm.seed);
  });

  test('10 000 companies for the benchmark portal', () => {
    const portal = barePortal();
    const summary = seedPortal(portal, { companies: 10_000 }, new Date(NOW));
    expect(summary.companies).toHaveLength(10_000);
    expect(Object.keys(portal.state.crm.items['4'])).toHaveLength(10_000);
    expect(summary.activities).toBeGreaterThan(10_000);
    expect(summary.structure.managersList).toEqual({ iblockId: 17, code: 'managers', properties: { employee: 101, onVacation: 102, onSickLeave: 103 } });
  });
});
