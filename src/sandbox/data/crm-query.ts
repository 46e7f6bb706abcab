/**
 * The query schema of CRM items for the shared engine: filter/order by crm.item names (camel or UPPER) or by
 * legacy names; legacy lists also filter multifields (`PHONE`, `EMAIL`: exact match only, b24-docs
 * crm-company-list.md).
 */
import type { PortalCore } from '../contract';
import { MULTIFIELD_TYPES, type CrmField } from './crm-fields';
import type { CrmRecord } from './crm-state';
import type { FieldSet } from './crm-values';
import type { FieldKind, QueryField, QuerySchema } from './query';

export function fieldKind(field: CrmField): FieldKind {
  switch (field.type) {
    case 'string':
      return 'string';
    case 'char':
      return 'bool';
    case 'date':
    case 'datetime':
      return 'date';
    case 'uf': {
      const t = field.uf?.type;
      if (t === 'string' || t === 'crm') return 'string';
      if (t === 'date' || t === 'datetime') return 'date';
      if (t === 'boolean') return 'bool';
      return 'number';
    }
    default:
      return 'number';
  }
}

export function crmQuerySchema(portal: PortalCore, fs: FieldSet, names: 'item' | 'legacy'): QuerySchema<CrmRecord> {
  return {
    timeZone: portal.timeZone,
    field(name: string): QueryField<CrmRecord> | undefined {
      if (names === 'legacy') {
        const upper = name.toUpperCase();
        if ((MULTIFIELD_TYPES as readonly string[]).includes(upper)) {
          return { kind: 'string', get: (row) => (row.fm ?? []).filter((m) => m.typeId === upper).map((m) => m.value) };
        }
      }
      const field = names === 'item' ? fs.resolveItem(name) : fs.resolveLegacy(name);
      if (!field || (names === 'legacy' && field.legacyInputOnly)) return undefined;
      const camel = field.camel;
      return { kind: fieldKind(field), get: (row) => row[camel] };
    },
  };
}

/**
 * Items are stored in ascending id order, so an order by id ascending alone needs no sort (the keyset enumeration
 * of b24-docs huge-data.md asks for exactly that on every page).
 */
export function isIdAscending(order: unknown): boolean {
  if (typeof order !== 'object' || order === null) return true;
  const entries = Object.entries(order);
  if (entries.length === 0) return true;
  return entries.length === 1 && entries[0][0].toLowerCase() === 'id' && String(entries[0][1]).trim().toUpperCase() === 'ASC';
}
