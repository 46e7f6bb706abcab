/**
 * Field resolution and value conversion for CRM items: what a write stores, and how a stored value is printed by
 * crm.item.* (typed JSON: numbers, `Y`/`N`, ISO dates) and by the legacy methods (every scalar a string,
 * `"OPPORTUNITY": "1000000.00"`, PROTOCOL §5.6).
 */
import type { PortalCore } from '../contract';
import { parentField, parentIdOf, systemFields, ufField, type CrmField } from './crm-fields';
import { entityTypeInfo } from './crm-entity-types';
import { formatIso, toStoredDate, toStoredDateTime } from './dates';
import { asList, toId, toInt, toNumber, toYN } from './params';
import { userFieldsOf, type UserFieldDef } from './userfields';

export interface FieldSet {
  entityTypeId: number;
  fields: CrmField[];
  /** crm.item names: camel and UPPER (and the legacy spelling, e.g. DATE_CREATE). */
  resolveItem(name: string): CrmField | undefined;
  /** Legacy names, case-insensitively (the server upper-cases keys). */
  resolveLegacy(name: string): CrmField | undefined;
}

/** Field sets are rebuilt only when the portal's user fields or smart processes change (the seed writes thousands). */
const cache = new WeakMap<PortalCore, Map<number, { version: string; set: FieldSet }>>();

export function fieldSet(portal: PortalCore, entityTypeId: number): FieldSet {
  const crm = portal.state.crm as { userFields: unknown[]; types: unknown[] };
  const version = `${crm.userFields.length}:${crm.types.length}`;
  let perPortal = cache.get(portal);
  if (!perPortal) {
    perPortal = new Map();
    cache.set(portal, perPortal);
  }
  const hit = perPortal.get(entityTypeId);
  if (hit && hit.version === version) return hit.set;
  const set = buildFieldSet(portal, entityTypeId);
  perPortal.set(entityTypeId, { version, set });
  return set;
}

function buildFieldSet(portal: PortalCore, entityTypeId: number): FieldSet {
  const fields = [...systemFields(entityTypeId), ...userFieldsOf(portal, entityTypeId).map(ufField)];
  const byItem = new Map<string, CrmField>();
  const byLegacy = new Map<string, CrmField>();
  for (const f of fields) {
    byItem.set(f.camel, f);
    byItem.set(f.upper, f);
    if (!f.itemOnly) byItem.set(f.legacy, f);
    if (!f.itemOnly) byLegacy.set(f.legacy.toUpperCase(), f);
  }
  const parent = (name: string): CrmField | undefined => {
    const parentType = parentIdOf(name);
    if (parentType === null || parentType === entityTypeId || !entityTypeInfo(portal, parentType)) return undefined;
    return parentField(parentType);
  };
  return {
    entityTypeId,
    fields,
    resolveItem: (name) => byItem.get(name) ?? parent(name),
    resolveLegacy: (name) => byLegacy.get(name.toUpperCase()) ?? parent(name),
  };
}

/** Foreign keys that read 0 when empty (b24-docs crm.item examples: `"companyId": 0`); others read null. */
const ZERO_REFS = new Set(['companyId', 'contactId', 'mycompanyId']);

export class InvalidValue extends Error {
  constructor(readonly field: CrmField) {
    super(`invalid value for ${field.camel}`);
  }
}

function coerceUfValue(def: UserFieldDef, v: unknown, timeZone: string): unknown {
  if (v === null || v === undefined || v === '') return null;
  switch (def.type) {
    case 'double':
      return toNumber(v);
    case 'integer':
    case 'employee':
    case 'enumeration':
      return toInt(v);
    case 'boolean':
      return toYN(v) === 'Y' ? 1 : 0;
    case 'date':
      return toStoredDate(v, timeZone);
    case 'datetime':
      return toStoredDateTime(v, timeZone);
    default:
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

function coerceUf(def: UserFieldDef, value: unknown, timeZone: string): unknown {
  if (def.multiple) return asList(value).map((v) => coerceUfValue(def, v, timeZone)).filter((v) => v !== null);
  return coerceUfValue(def, Array.isArray(value) ? value[0] : value, timeZone);
}

/**
 * The stored form of an input value. `strictMultiple` (crm.item) rejects a scalar for a multiple field with the
 * docs' error 100 "Expected iterable value for multiple field"; legacy methods wrap it.
 */
export function coerceInput(field: CrmField, value: unknown, timeZone: string, strictMultiple = false): unknown {
  switch (field.type) {
    case 'id':
      return undefined;
    case 'int':
      return toInt(value);
    case 'user':
      return toId(value);
    case 'ref':
      return toId(value) ?? (ZERO_REFS.has(field.camel) ? 0 : null);
    case 'money':
      return toNumber(value) ?? 0;
    case 'double':
      return toNumber(value);
    case 'char':
      return toYN(value);
    case 'date':
      return toStoredDate(value, timeZone);
    case 'datetime':
      return toStoredDateTime(value, timeZone);
    case 'intList':
      if (strictMultiple && !Array.isArray(value) && value !== null && typeof value !== 'object') throw new MultipleExpected(field, value);
      return asList(value).map(toId).filter((v): v is number => v !== null);
    case 'uf':
      if (strictMultiple && field.uf?.multiple && !Array.isArray(value) && value !== null && typeof value !== 'object') {
        throw new MultipleExpected(field, value);
      }
      return coerceUf(field.uf as UserFieldDef, value, timeZone);
    default:
      if (value === null || value === undefined) return null;
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

export class MultipleExpected extends Error {
  constructor(readonly field: CrmField, readonly value: unknown) {
    super(`Expected iterable value for multiple field, but got ${typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'double') : typeof value} instead`);
  }
}

/** A stored value as crm.item.* prints it. */
export function itemValue(field: CrmField, stored: unknown, timeZone: string): unknown {
  if (field.type === 'uf') return ufItemValue(field.uf as UserFieldDef, stored, timeZone);
  if (stored === undefined) stored = null;
  switch (field.type) {
    case 'date':
    case 'datetime':
      return formatIso(stored as string | null, timeZone);
    case 'intList':
      return Array.isArray(stored) ? stored : [];
    case 'ref':
      return stored ?? (ZERO_REFS.has(field.camel) ? 0 : null);
    default:
      return stored;
  }
}

function ufItemValue(def: UserFieldDef, stored: unknown, timeZone: string): unknown {
  const one = (v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    if (def.type === 'date' || def.type === 'datetime') return formatIso(v as string, timeZone);
    if (def.type === 'boolean') return v ? 'Y' : 'N';
    return v;
  };
  if (def.multiple) return Array.isArray(stored) ? stored.map(one) : [];
  if (def.type === 'boolean' && (stored === null || stored === undefined)) return 'N';
  return one(stored);
}

/** A stored value as the legacy methods print it: strings, money with 2 decimals, ISO dates, null kept. */
export function legacyValue(field: CrmField, stored: unknown, timeZone: string): unknown {
  if (field.type === 'uf') return ufLegacyValue(field.uf as UserFieldDef, stored, timeZone);
  if (stored === null || stored === undefined) {
    if (field.type === 'ref' && ZERO_REFS.has(field.camel)) return '0';
    if (field.type === 'money') return '0.00';
    return null;
  }
  switch (field.type) {
    case 'money':
      return Number(stored).toFixed(2);
    case 'date':
    case 'datetime':
      return formatIso(stored as string, timeZone);
    case 'intList':
      return Array.isArray(stored) ? stored.map(String) : [];
    default:
      return String(stored);
  }
}

function ufLegacyValue(def: UserFieldDef, stored: unknown, timeZone: string): unknown {
  const one = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (def.type === 'date' || def.type === 'datetime') return formatIso(v as string, timeZone) ?? '';
    return String(v);
  };
  if (def.multiple) return Array.isArray(stored) ? stored.map(one) : [];
  if (def.type === 'boolean') return stored ? '1' : '0';
  return one(stored);
}
