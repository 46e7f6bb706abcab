/**
 * The data part of the sandbox portal: CRM (items of every type, pipelines and stages, user fields, activities,
 * timeline comments), tasks, universal lists, users, drive folders and notifications — their REST methods, their
 * JSON state (`portal.state.crm|tasks|lists|disk|im`), `portal.documents` for automation, the seed and the
 * sandbox-only routes.
 */
import type { MethodRegistry, PortalCore, PortalInitOptions, SandboxCore, SandboxPart } from '../contract';
import { defaultAdmin } from '../portal';
import { registerActivityMethods } from './crm-activity';
import { registerCompanyMethods } from './crm-company';
import { registerDealMethods } from './crm-deal';
import { registerCrmItemMethods } from './crm-item';
import { installDefaultStages } from './crm-stages';
import { emptyCrmState } from './crm-state';
import { registerStatusMethods } from './crm-status';
import { registerTimelineMethods } from './crm-timeline';
import { registerTypeMethods } from './crm-types';
import { createStorage, emptyDiskState, registerDiskMethods } from './disk';
import { createDocumentAccess } from './documents';
import { emptyImState, registerImMethods } from './im';
import { registerListMethods } from './lists';
import { emptyListsState } from './lists-store';
import { dataRoutes } from './routes';
import { seedPortal, seedOptions } from './seed';
import { registerTaskLegacyMethods } from './task-legacy';
import { registerTaskMethods } from './tasks';
import { emptyTasksState } from './tasks-state';
import { registerUserMethods } from './users';

export { registerUserField, type UserFieldDef, type UserFieldInput } from './userfields';
export { seedPortal, type SeedOptions, type SeedSummary } from './seed';
export { createSmartProcess, type SmartProcessInput } from './crm-types';
export { addCategory, addStages, stagesOf, categoriesOf, type StageSpec } from './crm-stages';
export { createItem, updateItem, deleteItem, getRecord, type WriteContext, type WriteApi } from './crm-store';
export { createActivity } from './crm-activity-store';
export { createTask, updateTask } from './tasks-store';
export { addUser } from './users';
export { createIblock, addElement } from './lists-store';

function registerMethods(registry: MethodRegistry, sandbox: SandboxCore): void {
  registerUserMethods(registry);
  registerCrmItemMethods(registry);
  registerCompanyMethods(registry);
  registerDealMethods(registry);
  registerTypeMethods(registry);
  registerStatusMethods(registry);
  registerActivityMethods(registry);
  registerTimelineMethods(registry);
  registerTaskMethods(registry);
  registerTaskLegacyMethods(registry);
  registerListMethods(registry);
  registerImMethods(registry);
  registerDiskMethods(registry, sandbox);
}

/** A new portal's state: Bitrix24's defaults (lead statuses, the default deal pipeline, the smart-invoice pipeline,
 *  reference lists, the shared drive) and the admin (user 1). */
function initState(portal: PortalCore, sandbox: SandboxCore): void {
  const now = sandbox.now();
  portal.state.crm = emptyCrmState();
  portal.state.tasks = emptyTasksState();
  portal.state.lists = emptyListsState();
  portal.state.disk = emptyDiskState();
  portal.state.im = emptyImState();
  if (!portal.users.some((u) => u.id === 1)) portal.users.push(defaultAdmin(portal.culture));
  installDefaultStages(portal);
  const shared = portal.culture === 'ru' ? 'Общий диск' : 'Shared drive';
  createStorage(portal, { name: shared, code: null, entityType: 'common', entityId: 'shared_files_s1' }, 1, now);
}

export const dataPart: SandboxPart = {
  name: 'data',
  registerMethods,
  initPortal(portal: PortalCore, sandbox: SandboxCore, options: PortalInitOptions, restored: boolean): void {
    if (!restored || !portal.state.crm) initState(portal, sandbox);
    // a state file from an older sandbox may lack a newer part's state
    portal.state.tasks ??= emptyTasksState();
    portal.state.lists ??= emptyListsState();
    portal.state.disk ??= emptyDiskState();
    portal.state.im ??= emptyImState();
    portal.documents = createDocumentAccess(portal, sandbox);
    if (!restored && options.seed) seedPortal(portal, seedOptions(options.seed), sandbox.now());
  },
  routes: dataRoutes,
};
