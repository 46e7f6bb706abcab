/**
 * The bizproc part of the sandbox portal: robot/action registry, stage automation, workflow templates, handler
 * calls, bizproc.event.send, app install/update/uninstall notifications, event.bind and event delivery.
 * State is plain JSON in `portal.state.bizproc`; timers and POSTs in flight live in runtime.ts.
 */
import type { CrmChange, PortalCore, SandboxCore, SandboxPart } from '../contract';
import * as apps from './apps';
import * as automation from './automation';
import { rearmTimeouts } from './engine';
import { registerEventSendMethods } from './event-send';
import { crmEventName, deliverEvent, registerEventMethods } from './events';
import { registerRegistrationMethods } from './registration';
import { bizprocRoutes } from './routes';
import { attachRuntime, closeRuntimes } from './runtime';
import { emptyState } from './state';
import type { BizprocState, StepDef, WorkflowTemplate } from './state';
import * as workflows from './workflows';

export { outboundCalls } from './outbound';
export { whenDelivered, whenIdle } from './runtime';
export { workflowLog } from './workflow-log';
export { runDueTimeouts } from './engine';
export { listAutomation, removeRobot } from './automation';
export type { PlaceRobotSpec } from './automation';
export type { TemplateSpec, TemplateStepSpec } from './workflows';
export type { AppNotice } from './apps';
export type * from './state';

const listening = new WeakSet<PortalCore>();

/** Portal events must never fail the write that raised them; a failure is reported and the write goes on. */
function guarded(portal: PortalCore, what: string, run: () => void): void {
  try {
    run();
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    process.emitWarning(`sandbox bizproc: ${what} on ${portal.domain} failed: ${text}`);
  }
}

function listen(portal: PortalCore): void {
  if (listening.has(portal)) return;
  listening.add(portal);
  const crmEvent = (change: CrmChange, action: 'ADD' | 'UPDATE') => {
    const event = crmEventName(change.entityTypeId, action);
    if (event) deliverEvent(portal, event, { FIELDS: { ID: String(change.id) } });
  };
  portal.events.on('crm.add', (change) =>
    guarded(portal, 'crm.add', () => {
      crmEvent(change, 'ADD');
      automation.onCrmAdd(portal, change);
      workflows.onTemplateDocumentAdd(portal, change);
    }),
  );
  portal.events.on('crm.update', (change) =>
    guarded(portal, 'crm.update', () => {
      crmEvent(change, 'UPDATE');
      automation.onCrmUpdate(portal, change);
      workflows.onTemplateDocumentUpdate(portal, change);
    }),
  );
  portal.events.on('crm.delete', ({ entityTypeId, id }) =>
    guarded(portal, 'crm.delete', () => {
      const event = crmEventName(entityTypeId, 'DELETE');
      if (event) deliverEvent(portal, event, { FIELDS: { ID: String(id) } });
      automation.onCrmDelete(portal, entityTypeId, id);
    }),
  );
  portal.events.on('activity.add', ({ id }) =>
    guarded(portal, 'activity.add', () => deliverEvent(portal, 'ONCRMACTIVITYADD', { FIELDS: { ID: String(id) } })),
  );
  portal.events.on('task.add', ({ id }) =>
    guarded(portal, 'task.add', () => deliverEvent(portal, 'ONTASKADD', { FIELDS_AFTER: { ID: String(id) } })),
  );
  portal.events.on('task.update', ({ id }) =>
    guarded(portal, 'task.update', () =>
      deliverEvent(portal, 'ONTASKUPDATE', { FIELDS_BEFORE: { ID: String(id) }, FIELDS_AFTER: { ID: String(id) } }),
    ),
  );
}

export const bizprocPart: SandboxPart = {
  name: 'bizproc',
  registerMethods(registry) {
    registerRegistrationMethods(registry);
    registerEventSendMethods(registry);
    workflows.registerWorkflowMethods(registry);
    registerEventMethods(registry);
  },
  initPortal(portal, sandbox, _options, restored) {
    // Saved state may predate a field: fill in what is missing, keep what is there.
    portal.state.bizproc = { ...emptyState(), ...((portal.state.bizproc as Partial<BizprocState> | undefined) ?? {}) };
    attachRuntime(portal, sandbox);
    listen(portal);
    if (restored) rearmTimeouts(portal);
  },
  routes(router, sandbox) {
    bizprocRoutes(router, sandbox);
  },
  close: closeRuntimes,
};

// Programmatic helpers for tests and the demo.

export function placeRobot(_sandbox: SandboxCore, portal: PortalCore, spec: automation.PlaceRobotSpec): StepDef {
  return automation.placeRobot(portal, spec);
}

export function attachCompanyTemplate(
  _sandbox: SandboxCore,
  portal: PortalCore,
  spec: Omit<workflows.TemplateSpec, 'entityTypeId'>,
): WorkflowTemplate {
  return workflows.attachCompanyTemplate(portal, spec);
}

export function attachTemplate(_sandbox: SandboxCore, portal: PortalCore, spec: workflows.TemplateSpec): WorkflowTemplate {
  return workflows.attachTemplate(portal, spec);
}

export function installApp(sandbox: SandboxCore, portal: PortalCore, clientId: string, options?: { adminUserId?: number }) {
  return apps.installApp(sandbox, portal, clientId, options);
}

export function updateApp(sandbox: SandboxCore, portal: PortalCore, clientId: string, options?: { version?: number; adminUserId?: number }) {
  return apps.updateApp(sandbox, portal, clientId, options);
}

export function uninstallApp(sandbox: SandboxCore, portal: PortalCore, clientId: string, options?: { clean?: boolean }) {
  return apps.uninstallApp(sandbox, portal, clientId, options);
}
