/**
 * crm.deal.add|get|list|update (b24-docs crm/deals). `CATEGORY_ID` is honoured on add (a `STAGE_ID` outside the
 * pipeline falls back to its first stage) and ignored on update: moving a deal to another pipeline needs
 * crm.item.update (PROTOCOL §6.2).
 */
import type { MethodRegistry } from '../contract';
import { registerLegacyEntity } from './crm-legacy';

export function registerDealMethods(registry: MethodRegistry): void {
  registerLegacyEntity(registry, { prefix: 'crm.deal', entityTypeId: 2, updateNotFound: 'Not found' });
}
