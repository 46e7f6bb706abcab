/**
 * `portal.documents`: CRM documents for automation (contract DocumentAccess). `get` answers the legacy `*.get` form
 * (upper-case names, string values) or null; `update` writes like a REST update — legacy names, a pipeline change
 * allowed with a matching stage — and raises `crm.update`.
 */
import type { DocumentAccess, PortalCore, SandboxCore } from '../contract';
import { documentFields } from './crm-format';
import { getRecord, updateItem } from './crm-store';

/** Automation writes as the portal admin (a robot's changes are recorded under the template's author). */
const AUTOMATION_USER = 1;

export function createDocumentAccess(portal: PortalCore, sandbox: SandboxCore): DocumentAccess {
  return {
    get(entityTypeId, id) {
      const record = getRecord(portal, entityTypeId, id);
      return record ? documentFields(portal, entityTypeId, record) : null;
    },
    update(entityTypeId, id, fields) {
      updateItem({ portal, userId: AUTOMATION_USER, now: sandbox.now(), api: 'document' }, entityTypeId, id, fields);
    },
  };
}
