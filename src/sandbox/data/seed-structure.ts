/**
 * The portal structure the seed builds once (RULES.md): people, user fields with the robots' default codes, the deal
 * pipelines of sections A–E, the smart processes «Сервисная карточка» and «Производство», and the universal list
 * «Менеджеры» (IBLOCK_CODE `managers`).
 */
import type { PortalCore } from '../contract';
import type { Random } from '../rng';
import { addCategory, addStages, categoriesOf, type StageSpec } from './crm-stages';
import { crmState, type SeedStructure } from './crm-state';
import { createSmartProcess } from './crm-types';
import { addElement, createIblock, listsState } from './lists-store';
import { personName, translit } from './seed-names';
import { registerUserField } from './userfields';
import { addUser } from './users';

const P = (name: string, code?: string): StageSpec => ({ name, code });
const S = (name: string, code: string): StageSpec => ({ name, code, semantics: 'S' });
const F = (name: string, code: string): StageSpec => ({ name, code, semantics: 'F' });

/** Deal pipelines by key: name and stages (start stage first, success and failure last). */
export const PIPELINES: Record<string, { name: string; stages: StageSpec[] }> = {
  accounting: {
    name: 'Работа по бухгалтерскому аутсорсингу',
    stages: [P('Новая', 'NEW'), P('Сбор документов'), P('В работе'), P('Сдача отчётности'), S('Успешно', 'WON'), F('Провал', 'LOSE')],
  },
  clientService: {
    name: 'Клиентский сервис',
    stages: [P('Новая', 'NEW'), P('Связаться с клиентом'), P('Переговоры'), S('Контакт состоялся', 'WON'), F('Клиент потерян', 'LOSE')],
  },
  infrastructure: {
    name: 'Инфраструктура',
    stages: [
      P('Новая', 'NEW'), P('Создание акта'), P('Ожидание оплаты'), P('Оплачено (продление)'), P('Оплачено после отключения'),
      P('Продление'), P('Услуга оказывается'), P('Отключение'), P('Услуга отключена'), S('Сделка успешна', 'WON'), F('Сделка провалена', 'LOSE'),
    ],
  },
  complaints: {
    name: 'Рекламации',
    stages: [P('Новая', 'NEW'), P('Диагностика'), P('Устранение дефектов'), S('Рекламация закрыта', 'WON'), F('Отклонена', 'LOSE')],
  },
};

export const SERVICE_CARD_STAGES: StageSpec[] = [
  P('Новая', 'NEW'), P('1-й месяц'), P('2-й месяц'), P('3-й месяц'), P('Постоянная работа'), S('Завершена', 'SUCCESS'), F('Расторгнута', 'FAIL'),
];
export const PRODUCTION_STAGES: StageSpec[] = [
  P('Новая', 'NEW'), P('Раскрой'), P('Сборка'), P('Покраска'), P('Монтаж'), S('Готово', 'SUCCESS'), F('Отменено', 'FAIL'),
];

/** Company and deal user fields; the codes are the robots' defaults. */
export const SEED_USER_FIELDS = [
  { entityTypeId: 4, code: 'UF_CRM_TARIFF_TYPE', type: 'string', label: 'Тип тарифа' },
  { entityTypeId: 4, code: 'UF_CRM_TARIFF_COST', type: 'double', label: 'Стоимость' },
  { entityTypeId: 4, code: 'UF_CRM_LAST_CONTACT', type: 'datetime', label: 'Дата последней коммуникации' },
  { entityTypeId: 2, code: 'UF_CRM_TARIFF_TYPE', type: 'string', label: 'Тип тарифа' },
  { entityTypeId: 2, code: 'UF_CRM_TARIFF_COST', type: 'double', label: 'Стоимость' },
  { entityTypeId: 2, code: 'UF_CRM_SERVICE_MONTH', type: 'string', label: 'Месяц обслуживания' },
];

function addPerson(portal: PortalCore, random: Random, position: string): number {
  const p = personName(random);
  const base = `${translit(p.name)}.${translit(p.lastName)}`;
  const taken = portal.users.some((u) => u.email.startsWith(`${base}@`));
  return addUser(portal, { ...p, position, email: `${base}${taken ? portal.users.length : ''}@${portal.domain}` }).id;
}

/** Adds managers to the users and to the «Менеджеры» list; returns their ids. */
export function addManagers(portal: PortalCore, structure: SeedStructure, count: number, random: Random, now: Date): number[] {
  const iblock = listsState(portal).iblocks.find((b) => b.id === structure.managersList.iblockId);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const id = addPerson(portal, random, 'Менеджер по работе с клиентами');
    structure.users.managers.push(id);
    ids.push(id);
    if (!iblock) continue;
    const user = portal.users.find((u) => u.id === id);
    const n = structure.users.managers.length;
    const { properties } = structure.managersList;
    // the second manager is on vacation and the fourth on sick leave, so distribution has someone to skip
    addElement(portal, iblock, {
      code: `manager_${id}`,
      name: `${user?.name} ${user?.lastName}`,
      fields: {
        [`PROPERTY_${properties.employee}`]: id,
        ...(n === 2 ? { [`PROPERTY_${properties.onVacation}`]: 'Да' } : {}),
        ...(n === 4 ? { [`PROPERTY_${properties.onSickLeave}`]: 'Да' } : {}),
      },
    }, 1, now);
  }
  return ids;
}

export function buildStructure(portal: PortalCore, random: Random, now: Date, managers: number): SeedStructure {
  for (const uf of SEED_USER_FIELDS) registerUserField(portal, uf);
  const pipelines: Record<string, number> = {};
  const existing = categoriesOf(portal, 2);
  for (const [key, p] of Object.entries(PIPELINES)) {
    const found = existing.find((c) => c.name === p.name);
    pipelines[key] = found ? found.id : addCategory(portal, 2, { name: p.name, stages: p.stages, sort: 100 + Object.keys(pipelines).length * 10 }).id;
  }
  const [defects] = addStages(portal, 2, 0, [{ name: 'Дефекты', semantics: 'F' }]);
  const crm = crmState(portal);
  const spa = (title: string, code: string, stages: StageSpec[], parents: number[]): number =>
    crm.types.find((t) => t.code === code)?.entityTypeId ??
    createSmartProcess(portal, { title, code, parents, categories: [{ name: title, stages }] }, now).entityTypeId;
  const smartProcesses = {
    serviceCard: spa('Сервисная карточка', 'service_card', SERVICE_CARD_STAGES, [4, 2]),
    production: spa('Производство', 'production', PRODUCTION_STAGES, [2]),
  };
  const list = createIblock(portal, {
    code: 'managers',
    name: 'Менеджеры',
    properties: [
      { code: 'EMPLOYEE', name: 'Сотрудник', type: 'S:employee' },
      { code: 'ON_VACATION', name: 'В отпуске', type: 'L', values: ['Да'] },
      { code: 'ON_SICK_LEAVE', name: 'На больничном', type: 'L', values: ['Да'] },
    ],
  });
  const [employee, onVacation, onSickLeave] = list.properties.map((p) => p.id);
  const structure: SeedStructure = {
    pipelines,
    smartProcesses,
    defectsStageId: defects.statusId,
    users: {
      admin: 1,
      managers: [],
      accountant: addPerson(portal, random, 'Главный бухгалтер'),
      sysadmin: addPerson(portal, random, 'Системный администратор'),
      serviceHead: addPerson(portal, random, 'Руководитель сервисной службы'),
    },
    managersList: { iblockId: list.id, code: list.code, properties: { employee, onVacation, onSickLeave } },
    runs: 0,
  };
  addManagers(portal, structure, managers, random, now);
  crm.seed = structure;
  return structure;
}
