/**
 * Phones, e-mails, sites and messengers ("multifields") of leads, contacts and companies.
 *
 * - legacy: `PHONE: [{VALUE, VALUE_TYPE}]` adds values; an entry with an existing `ID` changes it, and with an empty
 *   `VALUE` deletes it (b24-docs tutorials how-to-change-email-or-phone, PROTOCOL §6.1);
 * - crm.item.add: `fm: [{typeId, valueType, value}]`;
 * - crm.item.update: `fm` is an object: `n0`, `n1`… add, `<id>` changes, `<id>` with `value: ""` deletes, and every
 *   element needs `typeId` or it is ignored (PROTOCOL §6.1).
 */
import { MULTIFIELD_TYPES } from './crm-fields';
import type { CrmRecord, CrmState, Multifield } from './crm-state';
import { isPlainObject, paramCi } from './params';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class InvalidEmail extends Error {
  constructor(readonly value: string) {
    super(`invalid e-mail ${value}`);
  }
}

interface Change {
  id: number | null;
  typeId: string;
  valueType: string | undefined;
  value: string;
}

function apply(state: CrmState, record: CrmRecord, changes: Change[]): void {
  const list: Multifield[] = record.fm ? [...record.fm] : [];
  for (const c of changes) {
    if (c.typeId === 'EMAIL' && c.value !== '' && !EMAIL_RE.test(c.value)) throw new InvalidEmail(c.value);
    const existing = c.id === null ? -1 : list.findIndex((m) => m.id === c.id);
    if (existing >= 0) {
      if (c.value === '') list.splice(existing, 1);
      else list[existing] = { ...list[existing], value: c.value, valueType: c.valueType ?? list[existing].valueType };
    } else if (c.value !== '') {
      list.push({ id: state.next.fm++, typeId: c.typeId, valueType: c.valueType || 'WORK', value: c.value });
    }
  }
  record.fm = list;
  record.hasPhone = list.some((m) => m.typeId === 'PHONE') ? 'Y' : 'N';
  record.hasEmail = list.some((m) => m.typeId === 'EMAIL') ? 'Y' : 'N';
  record.hasImol = list.some((m) => m.typeId === 'IM' && m.valueType === 'OPENLINE') ? 'Y' : 'N';
}

function entries(value: unknown): [string | null, Record<string, any>][] {
  if (Array.isArray(value)) return value.filter(isPlainObject).map((v) => [null, v]);
  if (isPlainObject(value)) return Object.entries(value).filter(([, v]) => isPlainObject(v)) as [string, Record<string, any>][];
  return [];
}

/** Applies the legacy `PHONE`/`EMAIL`/`WEB`/`IM`/`LINK` keys of `fields` (case-insensitive). */
export function applyLegacyMultifields(state: CrmState, record: CrmRecord, fields: Record<string, unknown>): void {
  const changes: Change[] = [];
  const keys = new Map(Object.keys(fields).map((k) => [k.toUpperCase(), k]));
  for (const type of MULTIFIELD_TYPES) {
    const key = keys.get(type);
    const value = key === undefined ? undefined : fields[key];
    if (value === undefined) continue;
    for (const [key, entry] of entries(value)) {
      const rawId = paramCi(entry, 'ID') ?? (key !== null && /^\d+$/.test(key) ? key : null);
      const id = rawId === null || rawId === undefined || rawId === '' ? null : Number(rawId);
      changes.push({ id, typeId: type, valueType: paramCi(entry, 'VALUE_TYPE'), value: String(paramCi(entry, 'VALUE') ?? '').trim() });
    }
  }
  if (changes.length > 0 || !record.fm) apply(state, record, changes);
}

/** Applies crm.item's `fm` (array on add; object keyed `n0`/`<id>` on update). */
export function applyItemMultifields(state: CrmState, record: CrmRecord, fm: unknown): void {
  const changes: Change[] = [];
  for (const [key, entry] of entries(fm)) {
    const typeId = String(entry.typeId ?? '').toUpperCase();
    if (!(MULTIFIELD_TYPES as readonly string[]).includes(typeId)) continue; // typeId is required in every element
    const id = key !== null && /^\d+$/.test(key) ? Number(key) : entry.id !== undefined ? Number(entry.id) : null;
    changes.push({ id, typeId, valueType: entry.valueType, value: String(entry.value ?? '').trim() });
  }
  if (changes.length > 0 || !record.fm) apply(state, record, changes);
}
