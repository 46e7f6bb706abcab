/**
 * Printing CRM records: crm.item.* (camelCase, typed, `fm` array, `entityTypeId`) and the legacy methods
 * (UPPER_CASE strings; multifields `PHONE`/`EMAIL`/… as `[{ID, VALUE_TYPE, VALUE, TYPE_ID}]`, absent when empty;
 * b24-docs crm-company-get.md, crm-deal-get.md, crm-item-get.md).
 */
import type { PortalCore } from '../contract';
import { hasMultifields, MULTIFIELD_TYPES, parentField, parentIdOf, type CrmField } from './crm-fields';
import type { CrmRecord } from './crm-state';
import { fieldSet, itemValue, legacyValue, type FieldSet } from './crm-values';

export interface ItemJsonOptions {
  /** camel names to print, or 'all' (`select: ['*']`). */
  select: 'all' | Set<string>;
  /** `useOriginalUfNames=Y`: `UF_CRM_…` instead of `ufCrm…`. */
  originalUfNames: boolean;
  /** `fm` is printed for `*` only (b24-docs crm-item-list.md). */
  withFm: boolean;
}

function parentFieldsOf(record: CrmRecord): CrmField[] {
  return Object.keys(record)
    .filter((k) => /^parentId\d+$/.test(k))
    .map((k) => parentField(parentIdOf(k) as number));
}

export function toItemJson(portal: PortalCore, fs: FieldSet, record: CrmRecord, options: ItemJsonOptions): Record<string, unknown> {
  const tz = portal.timeZone;
  const out: Record<string, unknown> = {};
  const all = options.select === 'all';
  const wanted = (f: CrmField): boolean => all || f.camel === 'id' || (options.select as Set<string>).has(f.camel);
  for (const f of fs.fields) {
    if (!wanted(f)) continue;
    const key = f.type === 'uf' && options.originalUfNames ? f.upper : f.camel;
    out[key] = itemValue(f, record[f.camel], tz);
  }
  for (const f of parentFieldsOf(record)) if (wanted(f)) out[f.camel] = record[f.camel] ?? null;
  if (options.withFm && all && hasMultifields(fs.entityTypeId)) {
    out.fm = (record.fm ?? []).map((m) => ({ id: m.id, valueType: m.valueType, value: m.value, typeId: m.typeId }));
  }
  if (all) out.entityTypeId = fs.entityTypeId;
  return out;
}

function legacyMultifields(record: CrmRecord, type: string): Record<string, string>[] {
  return (record.fm ?? [])
    .filter((m) => m.typeId === type)
    .map((m) => ({ ID: String(m.id), VALUE_TYPE: m.valueType, VALUE: m.value, TYPE_ID: m.typeId }));
}

function legacyPrintable(f: CrmField): boolean {
  return !f.itemOnly && !f.legacyInputOnly;
}

/**
 * Legacy form. `select` null prints everything a `*.get` prints: system fields, user fields, parent links and the
 * non-empty multifields. A list's `select` understands `*` (system fields), `UF_*` (user fields) and names; `ID`
 * always comes, multifields only when named (b24-docs crm-company-list.md).
 */
export function toLegacyJson(portal: PortalCore, fs: FieldSet, record: CrmRecord, select: string[] | null): Record<string, unknown> {
  const tz = portal.timeZone;
  const out: Record<string, unknown> = {};
  const put = (f: CrmField): void => {
    out[f.legacy] = f.camel.startsWith('parentId') ? (record[f.camel] === null || record[f.camel] === undefined ? null : String(record[f.camel])) : legacyValue(f, record[f.camel], tz);
  };
  const multi = hasMultifields(fs.entityTypeId);
  if (select === null) {
    for (const f of fs.fields) if (legacyPrintable(f)) put(f);
    for (const f of parentFieldsOf(record)) put(f);
    if (multi) {
      for (const type of MULTIFIELD_TYPES) {
        const values = legacyMultifields(record, type);
        if (values.length > 0) out[type] = values;
      }
    }
    return out;
  }
  const names = select.map((s) => String(s).toUpperCase());
  const star = names.includes('*');
  const ufStar = names.includes('UF_*');
  for (const f of fs.fields) {
    if (!legacyPrintable(f)) continue;
    const named = names.includes(f.legacy.toUpperCase());
    if (named || (f.type === 'uf' ? ufStar : star)) put(f);
  }
  if (star) for (const f of parentFieldsOf(record)) put(f);
  for (const name of names) {
    const parent = parentIdOf(name);
    if (parent !== null && !(name in out)) put(parentField(parent));
  }
  if (!('ID' in out)) out.ID = String(record.id);
  if (multi) {
    for (const type of MULTIFIELD_TYPES) {
      if (!names.includes(type)) continue;
      const values = legacyMultifields(record, type);
      if (values.length > 0) out[type] = values;
    }
  }
  return out;
}

/** The document form for automation and events: the legacy `*.get` form (strings, upper-case names). */
export function documentFields(portal: PortalCore, entityTypeId: number, record: CrmRecord): Record<string, unknown> {
  return toLegacyJson(portal, fieldSet(portal, entityTypeId), record, null);
}
