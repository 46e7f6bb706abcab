/**
 * CRM automation: robots placed on pipeline stages (deals, leads, smart processes, invoices). An item created in a
 * stage, or moved into one by any means (REST, the sandbox API, another robot), runs that stage's robots in order
 * as one workflow; a waiting robot (`use_subscription=Y`) blocks the next one until event.send or its timeout.
 * Leaving the stage stops what is left of the previous stage's robots.
 */
import type { CrmChange, PortalCore } from '../contract';
import { actorOf, categoryOfStage, documentTypeOf, stageOf } from './document-ids';
import { startWorkflow, terminateDocumentWorkflows } from './engine';
import { bizprocState } from './state';
import type { StageAutomation, StepDef, WorkflowInstance } from './state';
import { resolveStep } from './steps';
import type { StepSpec } from './steps';

export interface PlaceRobotSpec extends StepSpec {
  entityTypeId: number;
  /** Pipeline id; derived from the stage id (`C3:NEW` → 3) when omitted. */
  categoryId?: number;
  stageId: string;
}

function categoryOf(fields: Record<string, unknown> | null, stageId: string): number {
  const value = fields?.CATEGORY_ID;
  return value === undefined || value === null || value === '' ? categoryOfStage(stageId) : Number(value);
}

function stageRobots(portal: PortalCore, entityTypeId: number, categoryId: number, stageId: string): StageAutomation | undefined {
  return bizprocState(portal).automation.find(
    (a) => a.entityTypeId === entityTypeId && a.categoryId === categoryId && a.stageId === stageId,
  );
}

/** Adds a robot to the end of a stage's list, as dragging it into the stage in the automation designer does. */
export function placeRobot(portal: PortalCore, spec: PlaceRobotSpec): StepDef {
  const entityTypeId = Number(spec.entityTypeId);
  documentTypeOf(entityTypeId); // throws a clear error for entity types without automation
  if (typeof spec.stageId !== 'string' || spec.stageId === '') throw new Error('placing a robot needs the stageId, e.g. "C1:NEW"');
  const categoryId = spec.categoryId === undefined ? categoryOfStage(spec.stageId) : Number(spec.categoryId);
  const step = resolveStep(portal, spec, true);
  let stage = stageRobots(portal, entityTypeId, categoryId, spec.stageId);
  if (!stage) {
    stage = { entityTypeId, categoryId, stageId: spec.stageId, steps: [] };
    bizprocState(portal).automation.push(stage);
  }
  stage.steps.push(step);
  return step;
}

/** Removes a placed robot by its activity name; false when there is none. */
export function removeRobot(portal: PortalCore, stepName: string): boolean {
  const state = bizprocState(portal);
  for (const stage of state.automation) {
    const index = stage.steps.findIndex((s) => s.name === stepName);
    if (index >= 0) {
      stage.steps.splice(index, 1);
      state.automation = state.automation.filter((a) => a.steps.length > 0);
      return true;
    }
  }
  return false;
}

export function listAutomation(portal: PortalCore): StageAutomation[] {
  return bizprocState(portal).automation;
}

function runStage(portal: PortalCore, change: CrmChange, stageId: string, fields: Record<string, unknown>): WorkflowInstance | null {
  const stage = stageRobots(portal, change.entityTypeId, categoryOf(fields, stageId), stageId);
  if (!stage || stage.steps.length === 0) return null;
  return startWorkflow(portal, {
    kind: 'automation',
    templateId: null,
    stageId,
    entityTypeId: change.entityTypeId,
    entityId: change.id,
    steps: stage.steps,
    startedBy: actorOf(fields),
  });
}

export function onCrmAdd(portal: PortalCore, change: CrmChange): void {
  const stageId = stageOf(change.entityTypeId, change.fields);
  if (stageId) runStage(portal, change, stageId, change.fields);
}

export function onCrmUpdate(portal: PortalCore, change: CrmChange): void {
  // `fields` may hold only what changed: fall back to the previous values for the rest.
  const fields = { ...(change.previous ?? {}), ...change.fields };
  const stageId = stageOf(change.entityTypeId, change.fields);
  if (!stageId || stageId === stageOf(change.entityTypeId, change.previous)) return;
  terminateDocumentWorkflows(portal, change.entityTypeId, change.id, (i) => i.kind === 'automation', 'leftStage');
  runStage(portal, change, stageId, fields);
}

export function onCrmDelete(portal: PortalCore, entityTypeId: number, id: number): void {
  terminateDocumentWorkflows(portal, entityTypeId, id, () => true, 'documentDeleted');
}
