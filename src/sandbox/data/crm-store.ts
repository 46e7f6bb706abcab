/**
 * Writing CRM items: one code path for crm.item.*, the legacy crm.deal/company.*, automation (DocumentAccess) and
 * the sandbox API, so every write validates pipelines the same way and raises the portal events the bizproc part
 * runs stage robots from (`crm.add`, `crm.update` with the previous fields, `crm.delete`).
 */
import { RestError, type PortalCore } from '../contract';
import { hasMultifields, MULTIFIELD_TYPES, type CrmField } from './crm-fields';
import { entityTypeInfo, type EntityTypeInfo } from './crm-entity-types';
import { documentFields } from './crm-format';
import { applyItemMultifields, applyLegacyMultifields, InvalidEmail } from './crm-multifields';
import { categoryOfStage, defaultCategoryId, findCategory, stageSemantics, stagesOf } from './crm-stages';
import { crmState, itemTable, nextItemId, type CrmRecord } from './crm-state';
import { coerceInput, fieldSet, MultipleExpected, type FieldSet } from './crm-values';
import { localDate, msToStored } from './dates';
import { paramCi } from './params';

/**
 * Who writes: `item` crm.item.* (camelCase/UPPER names, strict), `legacy` crm.deal/company.* (legacy names, cannot
 * change a deal's pipeline), `document` automation (legacy names, may change the pipeline), `sandbox` the sandbox
 * API (any name, may set read-only fields such as createdTime).
 */
export type WriteApi = 'item' | 'legacy' | 'document' | 'sandbox';

export interface WriteContext {
  portal: PortalCore;
  userId: number;
  now: Date;
  api: WriteApi;
  /** Raise portal events (default true; the seed builds the initial state silently). */
  emit?: boolean;
}

export function getRecord(portal: PortalCore, entityTypeId: number, id: number): CrmRecord | null {
  return crmState(portal).items[String(entityTypeId)]?.[String(id)] ?? null;
}

export function portalCurrency(portal: PortalCore): string {
  return portal.culture === 'ru' ? 'RUB' : 'USD';
}

function invalid(api: WriteApi, field: string): RestError {
  return api === 'legacy'
    ? new RestError(400, '', `Invalid value for the "${field}" field`)
    : new RestError(400, 'CRM_FIELD_ERROR_VALUE_NOT_VALID', `Invalid value for field "${field}"`);
}

function resolve(fs: FieldSet, api: WriteApi, name: string): CrmField | undefined {
  if (api === 'item') return fs.resolveItem(name);
  if (api === 'legacy') return fs.resolveLegacy(name);
  if (api === 'document') return fs.resolveLegacy(name) ?? fs.resolveItem(name);
  return fs.resolveItem(name) ?? fs.resolveLegacy(name);
}

/** Stores the writable input fields; returns the pipeline fields asked for (applied separately). */
function assign(ctx: WriteContext, fs: FieldSet, record: CrmRecord, input: Record<string, unknown>): { categoryId?: unknown; stageId?: unknown; touched: Set<string> } {
  const requested: { categoryId?: unknown; stageId?: unknown; touched: Set<string> } = { touched: new Set() };
  for (const [key, value] of Object.entries(input)) {
    const field = resolve(fs, ctx.api, key);
    if (!field) continue; // unknown fields and unregistered UF_* are silently ignored
    if (field.itemOnly && ctx.api === 'legacy') continue;
    if (field.camel === 'categoryId' || field.camel === 'stageId') {
      requested[field.camel] = value;
      continue;
    }
    if (field.readOnly && ctx.api !== 'sandbox') continue;
    if (field.type === 'id') continue;
    try {
      record[field.camel] = coerceInput(field, value, ctx.portal.timeZone, ctx.api === 'item');
    } catch (err) {
      if (err instanceof MultipleExpected) throw new RestError(400, '100', err.message);
      throw err;
    }
    requested.touched.add(field.camel);
  }
  return requested;
}

function applyMultifieldInput(ctx: WriteContext, record: CrmRecord, input: Record<string, unknown>, entityTypeId: number): void {
  if (!hasMultifields(entityTypeId)) return;
  const state = crmState(ctx.portal);
  try {
    if (ctx.api === 'item' || ((ctx.api === 'sandbox' || ctx.api === 'document') && 'fm' in input)) {
      applyItemMultifields(state, record, input.fm);
    } else {
      applyLegacyMultifields(state, record, input);
    }
  } catch (err) {
    if (err instanceof InvalidEmail) {
      throw ctx.api === 'legacy'
        ? new RestError(400, 'ERROR_CORE', 'The "E-mail" field contains an invalid address')
        : invalid(ctx.api, 'fm');
    }
    throw err;
  }
}

/** Category and stage: validated against the type's pipelines; a stage change stamps movedTime/movedBy. */
function applyPipeline(ctx: WriteContext, info: EntityTypeInfo, record: CrmRecord, requested: { categoryId?: unknown; stageId?: unknown }, isNew: boolean): void {
  if (!info.hasStages) return;
  const { portal, api } = ctx;
  const t = info.entityTypeId;
  const askedStage = requested.stageId === undefined || requested.stageId === null || requested.stageId === '' ? undefined : String(requested.stageId);
  let askedCategory: number | undefined;
  if (info.hasCategories && requested.categoryId !== undefined && requested.categoryId !== null && requested.categoryId !== '') {
    askedCategory = Number(requested.categoryId);
    if (!Number.isInteger(askedCategory) || !findCategory(portal, t, askedCategory)) throw invalid(api, api === 'legacy' ? 'CATEGORY_ID' : 'categoryId');
  }
  const current = isNew ? undefined : (record.categoryId as number | undefined) ?? 0;
  let category: number;
  if (!info.hasCategories) category = 0;
  else if (isNew) category = askedCategory ?? (askedStage ? categoryOfStage(portal, t, askedStage) : null) ?? defaultCategoryId(portal, t);
  else if (askedCategory !== undefined && askedCategory !== current && api !== 'legacy') category = askedCategory; // crm.deal.update cannot move pipelines
  else category = current as number;
  const stages = stagesOf(portal, t, category);
  let stageId = askedStage ?? (isNew || category !== current ? stages[0]?.statusId : (record.stageId as string));
  if (!stages.some((s) => s.statusId === stageId)) {
    if (isNew && api === 'legacy') stageId = stages[0]?.statusId; // CCrmDeal::Add falls back to the pipeline's first stage
    else throw invalid(api, api === 'legacy' ? (t === 1 ? 'STATUS_ID' : 'STAGE_ID') : 'stageId');
  }
  if (info.hasCategories) record.categoryId = category;
  if (record.stageId !== stageId) {
    if (!isNew && t >= 31) record.previousStageId = record.stageId ?? null;
    record.stageId = stageId;
    record.movedTime = msToStored(ctx.now.getTime());
    record.movedBy = ctx.userId;
    const semantics = stageSemantics(portal, t, category, stageId as string);
    record.stageSemanticId = semantics;
    if (t === 2) record.closed = semantics === 'P' ? 'N' : 'Y';
    if (t === 2) record.isNew = stages[0]?.statusId === stageId ? 'Y' : 'N';
    if (t === 1) record.dateClosed = semantics === 'P' ? null : record.movedTime;
  }
}

/** A default for an empty field (a module function: the seed calls this ~40 times per item). */
function setDefault(record: CrmRecord, k: string, v: unknown): void {
  if (record[k] === undefined || record[k] === null || (k === 'title' && record[k] === '')) record[k] = v;
}

function defaults(ctx: WriteContext, info: EntityTypeInfo, record: CrmRecord): void {
  const { portal } = ctx;
  const now = msToStored(ctx.now.getTime());
  const t = info.entityTypeId;
  setDefault(record, 'createdTime', now);
  setDefault(record, 'updatedTime', now);
  setDefault(record, 'createdBy', ctx.userId);
  setDefault(record, 'updatedBy', ctx.userId);
  setDefault(record, 'assignedById', ctx.userId);
  setDefault(record, 'opened', 'Y');
  setDefault(record, 'lastActivityTime', record.createdTime);
  setDefault(record, 'lastActivityBy', record.createdBy);
  setDefault(record, 'observers', []);
  if (t !== 3) setDefault(record, 'title', `${info.titles[portal.culture]} #${record.id}`);
  if (t !== 3) setDefault(record, 'currencyId', portalCurrency(portal));
  if (t === 1 || t === 2 || t === 31 || t >= 128) {
    setDefault(record, 'opportunity', 0);
    setDefault(record, 'isManualOpportunity', 'N');
    setDefault(record, 'companyId', 0);
    setDefault(record, 'contactId', 0);
    setDefault(record, 'contactIds', record.contactId ? [record.contactId] : []);
  }
  if (t === 1 || t === 2) setDefault(record, 'sourceId', 'CALL');
  if (t === 2) {
    setDefault(record, 'typeId', 'SALE');
    setDefault(record, 'taxValue', 0);
    for (const k of ['isRecurring', 'isReturnCustomer', 'isRepeatedApproach']) setDefault(record, k, 'N');
    setDefault(record, 'begindate', localDate(ctx.now.getTime(), portal.timeZone));
    setDefault(record, 'closedate', localDate(ctx.now.getTime() + 7 * 86400_000, portal.timeZone));
  }
  if (t === 31 || t >= 128) {
    setDefault(record, 'taxValue', 0);
    setDefault(record, 'mycompanyId', 0);
    if (t === 31 || info.spa?.isBeginCloseDatesEnabled) {
      setDefault(record, 'begindate', localDate(ctx.now.getTime(), portal.timeZone));
      setDefault(record, 'closedate', localDate(ctx.now.getTime() + 7 * 86400_000, portal.timeZone));
    }
  }
  if (t === 4) {
    setDefault(record, 'typeId', 'CUSTOMER');
    setDefault(record, 'industry', 'IT');
    setDefault(record, 'employees', 'EMPLOYEES_1');
    setDefault(record, 'revenue', 0);
    setDefault(record, 'isMyCompany', 'N');
    setDefault(record, 'lastCommunicationTime', null);
    setDefault(record, 'contactIds', []);
  }
  if (t === 3) {
    setDefault(record, 'typeId', 'CLIENT');
    setDefault(record, 'sourceId', 'CALL');
    setDefault(record, 'companyIds', record.companyId ? [record.companyId] : []);
  }
  if (t === 3 || t === 4) setDefault(record, 'categoryId', 0);
}

/** Keeps a deal's `contactId` and `contactIds` consistent (CONTACT_ID is the first of CONTACT_IDS). */
function syncContacts(fs: FieldSet, record: CrmRecord, touched: Set<string>): void {
  if (!fs.resolveItem('contactIds') || !fs.resolveItem('contactId')) return;
  if (touched.has('contactIds')) record.contactId = (record.contactIds as number[])[0] ?? 0;
  else if (touched.has('contactId')) {
    const id = record.contactId as number;
    const rest = ((record.contactIds as number[]) ?? []).filter((c) => c !== id);
    record.contactIds = id ? [id, ...rest] : rest;
  }
}

function requireType(portal: PortalCore, entityTypeId: number): EntityTypeInfo {
  const info = entityTypeInfo(portal, entityTypeId);
  if (!info) throw new RestError(400, 'NOT_FOUND', 'Smart process not found');
  return info;
}

/** Creates an item from input fields; raises `crm.add`. */
export function createItem(ctx: WriteContext, entityTypeId: number, input: Record<string, unknown>): CrmRecord {
  const info = requireType(ctx.portal, entityTypeId);
  const state = crmState(ctx.portal);
  const fs = fieldSet(ctx.portal, entityTypeId);
  const record: CrmRecord = { id: 0 };
  const requested = assign(ctx, fs, record, input);
  syncContacts(fs, record, requested.touched);
  applyMultifieldInput(ctx, record, input, entityTypeId);
  applyPipeline(ctx, info, record, requested, true);
  record.id = nextItemId(state, entityTypeId);
  defaults(ctx, info, record);
  itemTable(state, entityTypeId)[String(record.id)] = record;
  if (ctx.emit !== false) {
    ctx.portal.events.emit('crm.add', { entityTypeId, id: record.id, fields: documentFields(ctx.portal, entityTypeId, record), previous: null });
  }
  return record;
}

/**
 * Updates an item; raises `crm.update` with the fields before and after. crm.item.update saves (and raises the
 * event) only when something changed (b24-docs crm-item-update.md); the legacy update always saves.
 */
export function updateItem(ctx: WriteContext, entityTypeId: number, id: number, input: Record<string, unknown>): { record: CrmRecord; changed: boolean } {
  const info = requireType(ctx.portal, entityTypeId);
  const table = itemTable(crmState(ctx.portal), entityTypeId);
  const existing = table[String(id)];
  if (!existing) throw new RestError(400, 'NOT_FOUND', 'Element not found');
  const fs = fieldSet(ctx.portal, entityTypeId);
  const before = JSON.stringify(existing);
  const previous = documentFields(ctx.portal, entityTypeId, existing);
  const record: CrmRecord = structuredClone(existing);
  const requested = assign(ctx, fs, record, input);
  syncContacts(fs, record, requested.touched);
  const multifieldKeys = ctx.api === 'item' ? 'fm' in input : MULTIFIELD_TYPES.some((t) => paramCi(input, t) !== undefined) || 'fm' in input;
  if (multifieldKeys) applyMultifieldInput(ctx, record, input, entityTypeId);
  applyPipeline(ctx, info, record, requested, false);
  const changed = JSON.stringify(record) !== before;
  if (!changed && ctx.api !== 'legacy') return { record: existing, changed: false };
  record.updatedTime = msToStored(ctx.now.getTime());
  record.updatedBy = ctx.userId;
  table[String(id)] = record;
  if (ctx.emit !== false) {
    ctx.portal.events.emit('crm.update', { entityTypeId, id, fields: documentFields(ctx.portal, entityTypeId, record), previous });
  }
  return { record, changed };
}

/** Deletes an item; raises `crm.delete`. */
export function deleteItem(ctx: WriteContext, entityTypeId: number, id: number): void {
  requireType(ctx.portal, entityTypeId);
  const table = itemTable(crmState(ctx.portal), entityTypeId);
  if (!table[String(id)]) throw new RestError(400, 'NOT_FOUND', 'Element not found');
  delete table[String(id)];
  if (ctx.emit !== false) ctx.portal.events.emit('crm.delete', { entityTypeId, id });
}

/** System stamps that are not document updates (no event): LAST_ACTIVITY_*, LAST_COMMUNICATION_TIME. */
export function touchRecord(portal: PortalCore, entityTypeId: number, id: number, patch: Record<string, unknown>): void {
  const record = getRecord(portal, entityTypeId, id);
  if (record) Object.assign(record, patch);
}
