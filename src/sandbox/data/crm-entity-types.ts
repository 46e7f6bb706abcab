/**
 * CRM entity types the sandbox emulates: 1 lead, 2 deal, 3 contact, 4 company, 31 smart invoice, and smart
 * processes (dynamic types, entityTypeId ≥ 128, created per portal). PROTOCOL §5.6 has the id table and the
 * binding prefixes (`CO_5`, `D_10`, `T80_6` for type 128).
 */
import type { PortalCore } from '../contract';
import { crmState, type SmartProcessType } from './crm-state';

export interface EntityTypeInfo {
  entityTypeId: number;
  /** `DEAL`, `COMPANY`, `SMART_INVOICE`, `DYNAMIC_128` (error texts, bizproc document types). */
  name: string;
  hasStages: boolean;
  hasCategories: boolean;
  /** `D`, `CO`, `SI`, `T80` (UF_CRM_TASK and crm user fields). */
  bindingPrefix: string;
  /** Default item title word: `Сделка #13` / `Deal #13`. */
  titles: { ru: string; en: string };
  spa?: SmartProcessType;
}

const SYSTEM: Record<number, Omit<EntityTypeInfo, 'entityTypeId'>> = {
  1: { name: 'LEAD', hasStages: true, hasCategories: false, bindingPrefix: 'L', titles: { ru: 'Лид', en: 'Lead' } },
  2: { name: 'DEAL', hasStages: true, hasCategories: true, bindingPrefix: 'D', titles: { ru: 'Сделка', en: 'Deal' } },
  3: { name: 'CONTACT', hasStages: false, hasCategories: false, bindingPrefix: 'C', titles: { ru: 'Контакт', en: 'Contact' } },
  4: { name: 'COMPANY', hasStages: false, hasCategories: false, bindingPrefix: 'CO', titles: { ru: 'Компания', en: 'Company' } },
  31: { name: 'SMART_INVOICE', hasStages: true, hasCategories: true, bindingPrefix: 'SI', titles: { ru: 'Счёт', en: 'Invoice' } },
};

export function entityTypeInfo(portal: PortalCore, entityTypeId: number): EntityTypeInfo | null {
  const system = SYSTEM[entityTypeId];
  if (system) return { entityTypeId, ...system };
  if (!Number.isInteger(entityTypeId) || entityTypeId < 128) return null;
  const spa = crmState(portal).types.find((t) => t.entityTypeId === entityTypeId);
  if (!spa) return null;
  return {
    entityTypeId,
    name: `DYNAMIC_${entityTypeId}`,
    hasStages: spa.isStagesEnabled,
    hasCategories: spa.isCategoriesEnabled,
    bindingPrefix: `T${entityTypeId.toString(16)}`,
    titles: { ru: spa.title, en: spa.title },
    spa,
  };
}

/** `CO_5`, `D_10`, `T80_6` (PROTOCOL §5.6). */
export function bindingCode(entityTypeId: number, id: number): string {
  const prefix = SYSTEM[entityTypeId]?.bindingPrefix ?? `T${entityTypeId.toString(16)}`;
  return `${prefix}_${id}`;
}

/** Parses a binding code; null when it is not one. */
export function parseBindingCode(code: unknown): { entityTypeId: number; id: number } | null {
  const m = /^([A-Z]+)([0-9a-f]*)_(\d+)$/i.exec(String(code ?? '').trim());
  if (!m) return null;
  const prefix = m[1].toUpperCase();
  const id = Number(m[3]);
  if (prefix === 'T' && m[2]) return { entityTypeId: parseInt(m[2], 16), id };
  if (m[2]) return null;
  const found = Object.entries(SYSTEM).find(([, v]) => v.bindingPrefix === prefix);
  return found ? { entityTypeId: Number(found[0]), id } : null;
}

/** Timeline `ENTITY_TYPE` names: `deal`, `company`, `dynamic_128`, … (PROTOCOL §6.6). */
export function timelineEntityTypeId(name: unknown): number | null {
  const text = String(name ?? '').trim().toLowerCase();
  const fixed: Record<string, number> = { lead: 1, deal: 2, contact: 3, company: 4, quote: 7, order: 14, smart_invoice: 31, invoice: 31 };
  if (text in fixed) return fixed[text];
  const m = /^dynamic_(\d+)$/.exec(text);
  return m ? Number(m[1]) : null;
}
