/**
 * crm.company.add|get|list|update (b24-docs crm/companies). Companies expose `LAST_COMMUNICATION_TIME` (stamped by
 * completed calls and e-mails, see crm-activity.ts) and `DATE_CREATE`; `PHONE`/`EMAIL` are multifields, absent when
 * empty. An update of a missing company answers "Company is not found" (the update page's example).
 */
import type { MethodRegistry } from '../contract';
import { registerLegacyEntity } from './crm-legacy';

export function registerCompanyMethods(registry: MethodRegistry): void {
  registerLegacyEntity(registry, { prefix: 'crm.company', entityTypeId: 4, updateNotFound: 'Company is not found' });
}
