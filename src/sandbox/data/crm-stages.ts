/**
 * Pipelines (categories) and stages, stored as b_crm_status rows (PROTOCOL §6.1 "Stage IDs", §6.4):
 * deals in the default pipeline `NEW`…`WON`/`LOSE` (ENTITY_ID `DEAL_STAGE`), pipeline N `C<N>:NEW`
 * (`DEAL_STAGE_<N>`), SPA `DT<type>_<cat>:NEW` (`DYNAMIC_<type>_STAGE_<cat>`), smart invoice `DT31_<cat>:N`
 * (`SMART_INVOICE_STAGE_<cat>`), leads `STATUS`. Custom stages get `UC_XXXXXX` ids like the portal's editor.
 */
import type { PortalCore } from '../contract';
import { crmState, type CrmCategory, type CrmState, type CrmStatus } from './crm-state';
import type { Culture } from './dates';

export type Semantics = 'P' | 'S' | 'F';

export interface StageSpec {
  name: string;
  /** `NEW`, `WON`, …; omitted for custom stages (a `UC_XXXXXX` id is made). */
  code?: string;
  semantics?: Semantics;
  /** Deal/lead failure stage shown as "apology" in EXTRA (the default pipeline's APOLOGY). */
  apology?: boolean;
  color?: string;
}

const PALETTE = ['#39A8EF', '#2FC6F6', '#55D0E0', '#47E4C2', '#FFA900', '#2FC6F6', '#E89B06', '#00A64C', '#1EB4AA'];
const SUCCESS_COLOR = '#7BD500';
const FAILURE_COLOR = '#FF5752';

type Named = [code: string, ru: string, en: string, semantics?: Semantics, apology?: boolean];

const DEAL_DEFAULT: Named[] = [
  ['NEW', 'Новая', 'New'],
  ['PREPARATION', 'Подготовка документов', 'Document preparation'],
  ['PREPAYMENT_INVOICE', 'Счёт на предоплату', 'Prepayment invoice'],
  ['EXECUTING', 'В работе', 'In progress'],
  ['FINAL_INVOICE', 'Финальный счёт', 'Final invoice'],
  ['WON', 'Сделка успешна', 'Deal successful', 'S'],
  ['LOSE', 'Сделка провалена', 'Deal failed', 'F'],
  ['APOLOGY', 'Анализ причины провала', 'Failure reason analysis', 'F', true],
];
const LEAD_DEFAULT: Named[] = [
  ['NEW', 'Не обработан', 'Unassigned'],
  ['IN_PROCESS', 'В работе', 'In progress'],
  ['PROCESSED', 'Обработан', 'Processed'],
  ['JUNK', 'Некачественный лид', 'Junk lead', 'F'],
  ['CONVERTED', 'Качественный лид', 'Converted', 'S'],
];
const SPA_DEFAULT: Named[] = [
  ['NEW', 'Начало', 'Start'],
  ['PREPARATION', 'Подготовка', 'Preparation'],
  ['CLIENT', 'Согласование с клиентом', 'Client approval'],
  ['SUCCESS', 'Успех', 'Success', 'S'],
  ['FAIL', 'Провал', 'Fail', 'F'],
];
const INVOICE_DEFAULT: Named[] = [
  ['N', 'Новый', 'New'],
  ['S', 'Отправлен клиенту', 'Sent to client'],
  ['P', 'Оплачен', 'Paid', 'S'],
  ['D', 'Не оплачен', 'Unpaid', 'F'],
];

/** Reference lists of b_crm_status that robots read for codes (`SOURCE`, `DEAL_TYPE`, `COMPANY_TYPE`, …). */
const REFERENCES: Record<string, [string, string, string][]> = {
  SOURCE: [
    ['CALL', 'Звонок', 'Call'], ['EMAIL', 'Электронная почта', 'E-mail'], ['WEB', 'Веб-сайт', 'Website'],
    ['ADVERTISING', 'Реклама', 'Advertising'], ['PARTNER', 'Существующий клиент', 'Existing client'],
    ['RECOMMENDATION', 'По рекомендации', 'By recommendation'], ['TRADE_SHOW', 'Выставка', 'Show/Exhibition'],
    ['WEBFORM', 'CRM-форма', 'CRM form'], ['CALLBACK', 'Обратный звонок', 'Callback'], ['OTHER', 'Другое', 'Other'],
  ],
  DEAL_TYPE: [
    ['SALE', 'Продажа', 'Sales'], ['COMPLEX', 'Комплексная продажа', 'Integrated sale'],
    ['GOODS', 'Продажа товара', 'Merchandise sale'], ['SERVICES', 'Продажа услуги', 'Service sale'],
    ['SERVICE', 'Сервисное обслуживание', 'After-sales service'],
  ],
  COMPANY_TYPE: [
    ['CUSTOMER', 'Клиент', 'Client'], ['SUPPLIER', 'Поставщик', 'Supplier'], ['COMPETITOR', 'Конкурент', 'Competitor'],
    ['PARTNER', 'Партнер', 'Partner'], ['OTHER', 'Другое', 'Other'],
  ],
  CONTACT_TYPE: [
    ['CLIENT', 'Клиенты', 'Clients'], ['SUPPLIER', 'Поставщики', 'Suppliers'], ['PARTNER', 'Партнеры', 'Partners'],
    ['OTHER', 'Другое', 'Other'],
  ],
  INDUSTRY: [
    ['IT', 'Информационные технологии', 'Information Technology'], ['TELECOM', 'Телекоммуникации и связь', 'Telecommunication'],
    ['MANUFACTURING', 'Производство', 'Manufacturing'], ['BANKING', 'Банковские услуги', 'Banking Services'],
    ['CONSULTING', 'Консалтинг', 'Consulting'], ['FINANCE', 'Финансы', 'Finance'], ['GOVERNMENT', 'Правительство', 'Government'],
    ['DELIVERY', 'Доставка', 'Delivery'], ['ENTERTAINMENT', 'Развлечения', 'Entertainment'],
    ['NOTPROFIT', 'Не для получения прибыли', 'Non-profit'], ['OTHER', 'Другое', 'Other'],
  ],
  EMPLOYEES: [
    ['EMPLOYEES_1', 'менее 50', 'less than 50'], ['EMPLOYEES_2', '50-250', '50-250'], ['EMPLOYEES_3', '250-500', '250-500'],
    ['EMPLOYEES_4', 'более 500', 'over 500'],
  ],
};

/** ENTITY_ID of the stage rows of a pipeline; null for types without stages. */
export function stageEntityId(entityTypeId: number, categoryId: number): string | null {
  if (entityTypeId === 1) return 'STATUS';
  if (entityTypeId === 2) return categoryId === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`;
  if (entityTypeId === 31) return `SMART_INVOICE_STAGE_${categoryId}`;
  if (entityTypeId >= 128) return `DYNAMIC_${entityTypeId}_STAGE_${categoryId}`;
  return null;
}

/** `C1:`, `DT128_5:`, `DT31_3:`, or nothing (default deal pipeline, leads). */
function stagePrefix(entityTypeId: number, categoryId: number): string {
  if (entityTypeId === 2) return categoryId === 0 ? '' : `C${categoryId}:`;
  if (entityTypeId === 31 || entityTypeId >= 128) return `DT${entityTypeId}_${categoryId}:`;
  return '';
}

/** A stable `UC_XXXXXX` from the row counter (the portal's stage editor makes 6 random characters). */
function customCode(state: CrmState): string {
  let x = (state.next.status * 2654435761) >>> 0;
  let out = '';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  for (let i = 0; i < 6; i++) {
    out += alphabet[x % alphabet.length];
    x = Math.floor(x / alphabet.length) ^ (i * 7919);
  }
  return `UC_${out}`;
}

function pushStatus(state: CrmState, row: Omit<CrmStatus, 'id'>): CrmStatus {
  const full: CrmStatus = { id: state.next.status++, ...row };
  state.statuses.push(full);
  return full;
}

/** Adds stages to a pipeline, after the ones it has. Returns the new rows. */
export function addStages(portal: PortalCore, entityTypeId: number, categoryId: number, specs: StageSpec[]): CrmStatus[] {
  const state = crmState(portal);
  const entityId = stageEntityId(entityTypeId, categoryId);
  if (!entityId) throw new RangeError(`entity type ${entityTypeId} has no stages`);
  const existing = state.statuses.filter((s) => s.entityId === entityId);
  let sort = existing.reduce((max, s) => Math.max(max, s.sort), 0);
  const withExtra = entityTypeId === 1 || entityTypeId === 2;
  return specs.map((spec, i) => {
    sort += 10;
    const semantics = spec.semantics ?? 'P';
    const statusId = stagePrefix(entityTypeId, categoryId) + (spec.code ?? customCode(state));
    const color = spec.color ?? (semantics === 'S' ? SUCCESS_COLOR : semantics === 'F' ? FAILURE_COLOR : PALETTE[(existing.length + i) % PALETTE.length]);
    return pushStatus(state, {
      entityId,
      statusId,
      name: spec.name,
      nameInit: spec.code ? spec.name : '',
      sort,
      system: Boolean(spec.code && ['NEW', 'WON', 'LOSE', 'SUCCESS', 'FAIL', 'N', 'P', 'D', 'CONVERTED', 'JUNK'].includes(spec.code)),
      categoryId: entityTypeId === 2 && categoryId === 0 ? null : entityTypeId === 1 ? null : categoryId,
      color,
      semantics: semantics === 'P' ? null : semantics,
      extra: withExtra ? (spec.apology ? 'apology' : semantics === 'S' ? 'success' : semantics === 'F' ? 'failure' : 'process') : null,
    });
  });
}

function named(list: Named[], culture: Culture): StageSpec[] {
  return list.map(([code, ru, en, semantics, apology]) => ({ code, name: culture === 'ru' ? ru : en, semantics, apology }));
}

/** The stage set a new pipeline of this type starts with. */
export function defaultStageSpecs(entityTypeId: number, culture: Culture): StageSpec[] {
  if (entityTypeId === 1) return named(LEAD_DEFAULT, culture);
  if (entityTypeId === 2) return named(DEAL_DEFAULT.filter(([code]) => code !== 'APOLOGY'), culture);
  if (entityTypeId === 31) return named(INVOICE_DEFAULT, culture);
  return named(SPA_DEFAULT, culture);
}

/**
 * Creates a pipeline. With `stages`, the first one is the start stage and the list should end with its success and
 * failure stages (`semantics: 'S'` / `'F'`); without, the type's default set is used.
 */
export function addCategory(
  portal: PortalCore,
  entityTypeId: number,
  options: { name: string; isDefault?: boolean; sort?: number; stages?: StageSpec[]; id?: number },
): CrmCategory {
  const state = crmState(portal);
  const id = options.id ?? state.next.category++;
  const category: CrmCategory = { id, entityTypeId, name: options.name, sort: options.sort ?? 200, isDefault: options.isDefault ?? false };
  if (category.isDefault) for (const c of state.categories) if (c.entityTypeId === entityTypeId) c.isDefault = false;
  state.categories.push(category);
  addStages(portal, entityTypeId, id, options.stages ?? defaultStageSpecs(entityTypeId, portal.culture));
  return category;
}

/** Installs what every new portal has: lead statuses, the default deal pipeline (id 0), the smart-invoice pipeline
 *  and the reference lists. */
export function installDefaultStages(portal: PortalCore): void {
  const state = crmState(portal);
  const culture = portal.culture;
  addStages(portal, 1, 0, named(LEAD_DEFAULT, culture));
  state.categories.push({ id: 0, entityTypeId: 2, name: culture === 'ru' ? 'Общая' : 'General', sort: 300, isDefault: true });
  addStages(portal, 2, 0, named(DEAL_DEFAULT, culture));
  addCategory(portal, 31, { name: culture === 'ru' ? 'Счета' : 'Invoices', isDefault: true, sort: 500 });
  for (const [entityId, rows] of Object.entries(REFERENCES)) {
    rows.forEach(([code, ru, en], i) => {
      pushStatus(state, {
        entityId, statusId: code, name: culture === 'ru' ? ru : en, nameInit: culture === 'ru' ? ru : en, sort: (i + 1) * 10,
        system: false, categoryId: null, color: '', semantics: null, extra: null,
      });
    });
  }
}

/** The stages of a pipeline, by sort. */
export function stagesOf(portal: PortalCore, entityTypeId: number, categoryId: number): CrmStatus[] {
  const entityId = stageEntityId(entityTypeId, categoryId);
  if (!entityId) return [];
  return crmState(portal).statuses.filter((s) => s.entityId === entityId).sort((a, b) => a.sort - b.sort);
}

export function categoriesOf(portal: PortalCore, entityTypeId: number): CrmCategory[] {
  return crmState(portal).categories.filter((c) => c.entityTypeId === entityTypeId);
}

export function findCategory(portal: PortalCore, entityTypeId: number, categoryId: number): CrmCategory | undefined {
  return crmState(portal).categories.find((c) => c.entityTypeId === entityTypeId && c.id === categoryId);
}

export function defaultCategoryId(portal: PortalCore, entityTypeId: number): number {
  const categories = categoriesOf(portal, entityTypeId);
  return (categories.find((c) => c.isDefault) ?? categories[0])?.id ?? 0;
}

/** The pipeline a stage id belongs to, or null when no pipeline of the type has it. */
export function categoryOfStage(portal: PortalCore, entityTypeId: number, stageId: string): number | null {
  if (entityTypeId === 1) return crmState(portal).statuses.some((s) => s.entityId === 'STATUS' && s.statusId === stageId) ? 0 : null;
  for (const c of categoriesOf(portal, entityTypeId)) {
    if (stagesOf(portal, entityTypeId, c.id).some((s) => s.statusId === stageId)) return c.id;
  }
  return null;
}

/** P, S or F for a stage (PROTOCOL §6.1 `stageSemanticId`). */
export function stageSemantics(portal: PortalCore, entityTypeId: number, categoryId: number, stageId: string): Semantics {
  const row = stagesOf(portal, entityTypeId, categoryId).find((s) => s.statusId === stageId);
  return row?.semantics ?? 'P';
}
