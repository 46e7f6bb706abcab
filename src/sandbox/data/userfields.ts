/**
 * The portal's registry of CRM user fields. Like a real portal, writes to `UF_CRM_…` fields that are not
 * registered for the entity type are silently dropped; registered ones are stored, typed and returned
 * (legacy `UF_CRM_TARIFF_TYPE`, crm.item `ufCrmTariffType`).
 */
import type { PortalCore } from '../contract';
import { crmState } from './crm-state';
import { entityTypeInfo } from './crm-entity-types';

export const USER_FIELD_TYPES = ['string', 'double', 'integer', 'date', 'datetime', 'boolean', 'enumeration', 'employee', 'crm'] as const;
export type UserFieldType = (typeof USER_FIELD_TYPES)[number];

export interface UserFieldEnumItem {
  id: number;
  value: string;
}

export interface UserFieldDef {
  entityTypeId: number;
  /** `UF_CRM_TARIFF_TYPE`: upper case, as FIELD_NAME. */
  code: string;
  type: UserFieldType;
  multiple: boolean;
  label?: string;
  /** Values of an enumeration field. */
  items?: UserFieldEnumItem[];
}

export interface UserFieldInput {
  entityTypeId: number;
  code: string;
  type: string;
  multiple?: boolean;
  label?: string;
  /** Enumeration values (labels); ids are assigned. */
  items?: string[];
}

/** UF codes: `UF_CRM_` and then letters, digits and `_` (FIELD_NAME is at most 50 characters). */
const CODE_RE = /^UF_CRM_[A-Z0-9_]{1,43}$/;

/**
 * Registers a user field (idempotent for the same code and type). Throws a RangeError naming the fix for an unknown
 * entity type, a malformed code, an unknown type, or a code already registered with another type.
 */
export function registerUserField(portal: PortalCore, input: UserFieldInput): UserFieldDef {
  const state = crmState(portal);
  const entityTypeId = Number(input.entityTypeId);
  if (!entityTypeInfo(portal, entityTypeId)) {
    throw new RangeError(`entity type ${String(input.entityTypeId)} does not exist on this portal: use 1, 2, 3, 4, 31 or a smart process's entityTypeId`);
  }
  const code = String(input.code ?? '').trim().toUpperCase();
  if (!CODE_RE.test(code)) throw new RangeError(`user field code "${String(input.code)}" must look like UF_CRM_TARIFF_TYPE (UF_CRM_ then letters, digits, _)`);
  const type = String(input.type ?? '') as UserFieldType;
  if (!USER_FIELD_TYPES.includes(type)) throw new RangeError(`user field type "${String(input.type)}" is not one of ${USER_FIELD_TYPES.join(', ')}`);
  const multiple = input.multiple === true || String(input.multiple).toUpperCase() === 'Y';
  const existing = state.userFields.find((f) => f.entityTypeId === entityTypeId && f.code === code);
  if (existing) {
    if (existing.type !== type || existing.multiple !== multiple) {
      throw new RangeError(`user field ${code} of entity type ${entityTypeId} is already registered as ${existing.type}${existing.multiple ? ' (multiple)' : ''}`);
    }
    return existing;
  }
  const def: UserFieldDef = { entityTypeId, code, type, multiple };
  if (input.label) def.label = String(input.label);
  if (type === 'enumeration') {
    def.items = (input.items ?? []).map((value) => ({ id: state.next.enumItem++, value: String(value) }));
  }
  state.userFields.push(def);
  return def;
}

export function userFieldsOf(portal: PortalCore, entityTypeId: number): UserFieldDef[] {
  return crmState(portal).userFields.filter((f) => f.entityTypeId === entityTypeId);
}
