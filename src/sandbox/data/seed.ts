/**
 * A realistic, repeatable portal generator (seeded RNG): Russian companies with tariffs (some incomplete, so
 * onboarding has work), calls and e-mails of various ages (the 90-day silence rule), deals in the RULES.md
 * pipelines, smart invoices, service cards with tasks and elapsed time, managers and the «Менеджеры» list.
 * The seed builds the initial state silently: it raises no portal events. `seedPortal(p, {companies: 10000})` is
 * meant to stay well under 2 s (the benchmark's portal).
 */
import type { PortalCore } from '../contract';
import { seededRandom, type Random } from '../rng';
import { bindingCode } from './crm-entity-types';
import { stagesOf } from './crm-stages';
import { crmState, type Activity, type CrmRecord, type SeedStructure } from './crm-state';
import { createItem, type WriteContext } from './crm-store';
import { localDate, msToStored } from './dates';
import { addManagers, buildStructure } from './seed-structure';
import { companyTitle, MONTHS_RU, pick, translit } from './seed-names';
import { createTask } from './tasks-store';
import { tasksState } from './tasks-state';
import { toInt } from './params';

export interface SeedOptions {
  /** Companies to add (default 40). */
  companies?: number;
  /** Managers on the first seed (default 6); on later seeds, managers to add (default 0). */
  managers?: number;
  /** RNG seed (default 24): the same seed on the same clock gives the same portal. */
  seed?: number;
  /** Calls and e-mails (default true). */
  activities?: boolean;
  /** Deals, invoices, service cards and tasks (default true). */
  deals?: boolean;
}

export interface SeedSummary {
  structure: SeedStructure;
  companies: number[];
  deals: number;
  activities: number;
  invoices: number;
  serviceCards: number;
  tasks: number;
}

/** `seed: true` or `{companies: 100, managers: 4, seed: 7}` as a portal option or a route body. */
export function seedOptions(raw: unknown): SeedOptions {
  if (typeof raw !== 'object' || raw === null) return {};
  const r = raw as Record<string, unknown>;
  const out: SeedOptions = {};
  for (const key of ['companies', 'managers', 'seed'] as const) {
    if (r[key] === undefined) continue;
    const n = toInt(r[key]);
    if (n === null || n < 0) throw new RangeError(`seed option "${key}" must be a whole number ≥ 0, got ${String(r[key])}`);
    out[key] = n;
  }
  if (r.activities !== undefined) out.activities = r.activities !== false && r.activities !== 'false';
  if (r.deals !== undefined) out.deals = r.deals !== false && r.deals !== 'false';
  return out;
}

const DAY = 86_400_000;
const TARIFFS: [string, number | null][] = [['Базовый', 15000], ['Стандарт', 30000], ['Премиум', 50000], ['Индивидуальный', null]];
const INDUSTRIES = ['IT', 'MANUFACTURING', 'CONSULTING', 'FINANCE', 'DELIVERY', 'TELECOM', 'OTHER'];
const INFRA_TITLES = ['Хостинг сайта', 'Домен', 'SSL-сертификат', 'Лицензия 1С', 'ТО серверов', 'WiFi в офисе'];

function digits(random: Random, n: number): string {
  return String(Math.floor(random() * 10 ** n)).padStart(n, '0');
}

function phone(random: Random): string {
  return `+7 (9${digits(random, 2)}) ${digits(random, 3)}-${digits(random, 2)}-${digits(random, 2)}`;
}

interface Ctx {
  portal: PortalCore;
  random: Random;
  now: Date;
  write: WriteContext;
  structure: SeedStructure;
  summary: SeedSummary;
}

function tariffFields(c: Ctx): Record<string, unknown> {
  const r = c.random();
  if (r < 0.12) return {}; // no tariff, no cost: onboarding asks the responsible to fill them
  const [tariff, cost] = pick(c.random, TARIFFS);
  if (cost === null) {
    // individual tariffs: some have no cost yet
    return c.random() < 0.35 ? { UF_CRM_TARIFF_TYPE: tariff } : { UF_CRM_TARIFF_TYPE: tariff, UF_CRM_TARIFF_COST: 20000 + Math.floor(c.random() * 200) * 500 };
  }
  // a few fixed tariffs carry a cost that does not match the tariff table
  return { UF_CRM_TARIFF_TYPE: tariff, UF_CRM_TARIFF_COST: c.random() < 0.04 ? cost + 2000 : cost };
}

function addCommunications(c: Ctx, company: CrmRecord, contact: { phone?: string; email?: string }): void {
  const crm = crmState(c.portal);
  const nowMs = c.now.getTime();
  const r = c.random();
  // last contact age: 40% recent (≤ 60 days), 20% 60–120 days, 25% older, 15% never
  if (r >= 0.85) return;
  const lastAge = r < 0.4 ? 1 + c.random() * 59 : r < 0.6 ? 60 + c.random() * 60 : 120 + c.random() * 280;
  const count = 1 + Math.floor(c.random() * 3);
  let lastComm = 0;
  for (let i = 0; i < count; i++) {
    const at = nowMs - (lastAge + i * (7 + c.random() * 40)) * DAY;
    const isCall = c.random() < 0.65 || !contact.email;
    const direction = c.random() < 0.5 ? 1 : 2;
    const value = isCall ? contact.phone ?? phone(c.random) : (contact.email as string);
    const start = msToStored(at);
    const end = msToStored(at + (isCall ? 60_000 + c.random() * 900_000 : 0));
    const activity: Activity = {
      id: crm.next.activity++, ownerTypeId: 4, ownerId: company.id, typeId: isCall ? 2 : 4,
      providerId: isCall ? 'VOXIMPLANT_CALL' : 'CRM_EMAIL', providerTypeId: isCall ? 'CALL' : 'EMAIL', associatedEntityId: 0,
      subject: isCall ? (direction === 1 ? 'Входящий звонок' : 'Исходящий звонок') : (direction === 1 ? 'Письмо от клиента' : 'Документы за месяц'),
      created: start, lastUpdated: end, startTime: start, endTime: end, deadline: start, completed: 'Y', status: 2,
      responsibleId: company.assignedById as number, priority: 2, description: '', descriptionType: 1, direction, location: '',
      settings: {}, originatorId: null, originId: null, authorId: company.assignedById as number, editorId: company.assignedById as number,
      bindings: [{ ownerTypeId: 4, ownerId: company.id }],
      communications: [{ id: crm.next.communication++, type: isCall ? 'PHONE' : 'EMAIL', value, entityId: company.id, entityTypeId: 4 }],
    };
    crm.activities[String(activity.id)] = activity;
    c.summary.activities++;
    lastComm = Math.max(lastComm, Date.parse(end));
  }
  company.lastCommunicationTime = msToStored(lastComm);
  company.lastActivityTime = msToStored(lastComm);
  // the technical field the comms robot stamps: filled for about half of the contacted companies
  if (c.random() < 0.5) company.ufCrmLastContact = msToStored(lastComm);
}

function monthTitle(ms: number, timeZone: string): string {
  const [y, m] = localDate(ms, timeZone).split('-').map(Number);
  return `${MONTHS_RU[m - 1]} ${y}`;
}

function stageOf(c: Ctx, entityTypeId: number, category: number, pickFrom: 'open' | 'won' | 'any'): string {
  const stages = stagesOf(c.portal, entityTypeId, category);
  const open = stages.filter((s) => s.semantics === null);
  if (pickFrom === 'won') return (stages.find((s) => s.semantics === 'S') ?? stages[0]).statusId;
  return pick(c.random, pickFrom === 'open' ? open : stages).statusId;
}

function addDeals(c: Ctx, company: CrmRecord): void {
  const { pipelines, smartProcesses } = c.structure;
  const tariff = company.ufCrmTariffType as string | undefined;
  const cost = company.ufCrmTariffCost as number | undefined;
  const nowMs = c.now.getTime();
  const deal = (fields: Record<string, unknown>): CrmRecord => {
    c.summary.deals++;
    return createItem(c.write, 2, { COMPANY_ID: company.id, ASSIGNED_BY_ID: company.assignedById, CURRENCY_ID: 'RUB', ...fields });
  };
  const complete = Boolean(tariff && (cost || tariff !== 'Индивидуальный'));
  if (complete && c.random() < 0.4) {
    const current = c.random() < 0.5;
    const at = current ? nowMs : nowMs - 31 * DAY;
    const month = monthTitle(at, c.portal.timeZone);
    deal({
      TITLE: `${company.title} / ${tariff} / ${month}`, CATEGORY_ID: pipelines.accounting,
      STAGE_ID: stageOf(c, 2, pipelines.accounting, current ? 'open' : 'won'), OPPORTUNITY: cost ?? 0,
      UF_CRM_TARIFF_TYPE: tariff, UF_CRM_TARIFF_COST: tariff === 'Индивидуальный' ? cost : undefined, UF_CRM_SERVICE_MONTH: month,
      createdTime: at - c.random() * 5 * DAY,
      BEGINDATE: localDate(at, c.portal.timeZone),
    });
  }
  const r = c.random();
  if (r < 0.04) {
    const title = pick(c.random, INFRA_TITLES);
    const d = deal({
      TITLE: `${title} — ${company.title}`, CATEGORY_ID: pipelines.infrastructure, STAGE_ID: stageOf(c, 2, pipelines.infrastructure, 'open'),
      OPPORTUNITY: 1000 + Math.floor(c.random() * 40) * 500,
    });
    const invoices = 1 + Math.floor(c.random() * 2);
    for (let i = 0; i < invoices; i++) {
      createItem(c.write, 31, {
        title: `Счёт: ${title}`, companyId: company.id, parentId2: d.id, opportunity: d.opportunity, assignedById: company.assignedById,
        stageId: stageOf(c, 31, defaultInvoiceCategory(c), i < invoices - 1 ? 'won' : 'any'),
        begindate: localDate(nowMs - (invoices - i) * 30 * DAY, c.portal.timeZone),
      });
      c.summary.invoices++;
    }
  } else if (r < 0.06) {
    deal({ TITLE: `Связаться с клиентом: ${company.title}`, CATEGORY_ID: pipelines.clientService, STAGE_ID: stageOf(c, 2, pipelines.clientService, 'open') });
  } else if (r < 0.09) {
    const d = deal({ TITLE: `Заказ ${company.title}`, CATEGORY_ID: 0, STAGE_ID: stageOf(c, 2, 0, 'open'), OPPORTUNITY: 50000 + Math.floor(c.random() * 100) * 5000 });
    if (d.stageId === 'EXECUTING') {
      createItem(c.write, smartProcesses.production, { title: `Производство: ${d.title}`, companyId: company.id, parentId2: d.id, assignedById: d.assignedById, stageId: stageOf(c, smartProcesses.production, categoryOfSpa(c, smartProcesses.production), 'open') });
    }
  } else if (r < 0.14) {
    addServiceCard(c, company);
  }
}

function defaultInvoiceCategory(c: Ctx): number {
  return crmState(c.portal).categories.find((x) => x.entityTypeId === 31 && x.isDefault)?.id ?? 0;
}

function categoryOfSpa(c: Ctx, entityTypeId: number): number {
  return crmState(c.portal).categories.find((x) => x.entityTypeId === entityTypeId && x.isDefault)?.id ?? 0;
}

function addServiceCard(c: Ctx, company: CrmRecord): void {
  const entityTypeId = c.structure.smartProcesses.serviceCard;
  const startMs = c.now.getTime() - Math.floor(c.random() * 200) * DAY;
  const card = createItem(c.write, entityTypeId, {
    title: `Сервисная карточка: ${company.title}`, companyId: company.id, assignedById: company.assignedById,
    stageId: stageOf(c, entityTypeId, categoryOfSpa(c, entityTypeId), 'open'), begindate: localDate(startMs, c.portal.timeZone),
  });
  c.summary.serviceCards++;
  for (const title of ['Сверка с клиентом', 'Подготовка отчётности']) {
    const executor = pick(c.random, c.structure.users.managers);
    const task = createTask(c.portal, {
      TITLE: `${title}: ${company.title}`, RESPONSIBLE_ID: executor, ALLOW_TIME_TRACKING: 'Y',
      UF_CRM_TASK: [bindingCode(entityTypeId, card.id), bindingCode(4, company.id)],
      DEADLINE: msToStored(c.now.getTime() + Math.floor(c.random() * 20) * DAY),
    }, { userId: c.structure.users.serviceHead, now: c.now, emit: false });
    c.summary.tasks++;
    const state = tasksState(c.portal);
    const records = Math.floor(c.random() * 4);
    for (let i = 0; i < records; i++) {
      const seconds = (1 + Math.floor(c.random() * 16)) * 900;
      const created = msToStored(c.now.getTime() - Math.floor(c.random() * 20) * DAY);
      const id = state.next.elapsed++;
      state.elapsed[String(id)] = {
        id, taskId: task.id, userId: executor, commentText: 'Работа по задаче', seconds, source: 2, createdDate: created,
        dateStart: msToStored(Date.parse(created) - seconds * 1000), dateStop: created,
      };
    }
  }
}

function addCompany(c: Ctx): CrmRecord {
  const title = companyTitle(c.random);
  const domain = `${translit(title.replace(/^(ООО|АО|ИП)\s*/, '')) || 'company'}.ru`;
  const contact: { phone?: string; email?: string } = {};
  if (c.random() < 0.85) contact.phone = phone(c.random);
  if (c.random() < 0.7) contact.email = `info@${domain}`;
  const createdMs = c.now.getTime() - (1 + Math.floor(c.random() * 730)) * DAY;
  const company = createItem(c.write, 4, {
    TITLE: title,
    COMPANY_TYPE: 'CUSTOMER',
    INDUSTRY: pick(c.random, INDUSTRIES),
    EMPLOYEES: pick(c.random, ['EMPLOYEES_1', 'EMPLOYEES_1', 'EMPLOYEES_2', 'EMPLOYEES_3']),
    ASSIGNED_BY_ID: pick(c.random, c.structure.users.managers),
    CURRENCY_ID: 'RUB',
    PHONE: contact.phone ? [{ VALUE: contact.phone, VALUE_TYPE: 'WORK' }] : undefined,
    EMAIL: contact.email ? [{ VALUE: contact.email, VALUE_TYPE: 'WORK' }] : undefined,
    // epoch ms: the store takes numbers without parsing text
    createdTime: createdMs,
    updatedTime: createdMs + c.random() * (c.now.getTime() - createdMs),
    lastActivityTime: createdMs,
    ...tariffFields(c),
  });
  return company;
}

/** Seeds a portal; the structure is built on the first run and reused after. */
export function seedPortal(portal: PortalCore, options: SeedOptions, now: Date): SeedSummary {
  const crm = crmState(portal);
  const first = !crm.seed;
  const baseSeed = options.seed ?? 24;
  const random = seededRandom(baseSeed + (crm.seed?.runs ?? 0) * 7919);
  const structure = crm.seed ?? buildStructure(portal, random, now, Math.max(1, options.managers ?? 6));
  if (!first && options.managers) addManagers(portal, structure, options.managers, random, now);
  structure.runs++;
  const write: WriteContext = { portal, userId: 1, now, api: 'sandbox', emit: false };
  const summary: SeedSummary = { structure, companies: [], deals: 0, activities: 0, invoices: 0, serviceCards: 0, tasks: 0 };
  const c: Ctx = { portal, random, now, write, structure, summary };
  const count = options.companies ?? 40;
  for (let i = 0; i < count; i++) {
    const company = addCompany(c);
    summary.companies.push(company.id);
    if (options.activities !== false) {
      const fm = company.fm ?? [];
      addCommunications(c, company, { phone: fm.find((m) => m.typeId === 'PHONE')?.value, email: fm.find((m) => m.typeId === 'EMAIL')?.value });
    }
    if (options.deals !== false) addDeals(c, company);
  }
  return summary;
}
