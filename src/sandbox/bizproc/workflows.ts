/**
 * Business-process templates: a sequence of actions (or robots) with property values, attached to a CRM document
 * type (companies in the sandbox's use), started automatically when a document is added and/or changed
 * (AUTO_EXECUTE 1/2/3), or on demand with `bizproc.workflow.start {TEMPLATE_ID, DOCUMENT_ID, PARAMETERS}`.
 */
import { RestError } from '../contract';
import type { CrmChange, MethodContext, MethodRegistry, PortalCore } from '../contract';
import { actorOf, documentTypeOf, parseDocumentId } from './document-ids';
import { startWorkflow } from './engine';
import { isPlainObject } from './params';
import { bizprocState } from './state';
import type { WorkflowInstance, WorkflowTemplate } from './state';
import { resolveStep } from './steps';
import type { StepSpec } from './steps';

export interface TemplateStepSpec extends StepSpec {
  /** Actions (bizproc.activity.add) by default; robots can be used in templates too. */
  kind?: 'activity' | 'robot';
}

export interface TemplateSpec {
  name?: string;
  /** 4 (companies) by default. */
  entityTypeId?: number;
  steps: TemplateStepSpec[];
  /** Start on document add (default true) and on update (default true). */
  onAdd?: boolean;
  onUpdate?: boolean;
  /** Template parameters with their default values (`{=Template:Name}`); PARAMETERS of workflow.start override them. */
  parameters?: Record<string, unknown>;
  constants?: Record<string, unknown>;
}

export function attachTemplate(portal: PortalCore, spec: TemplateSpec): WorkflowTemplate {
  const entityTypeId = Number(spec.entityTypeId ?? 4);
  documentTypeOf(entityTypeId);
  if (!Array.isArray(spec.steps) || spec.steps.length === 0) throw new Error('a workflow template needs at least one step');
  const state = bizprocState(portal);
  const template: WorkflowTemplate = {
    id: ++state.seq.template,
    name: spec.name ?? `Template ${state.seq.template}`,
    entityTypeId,
    autoExecute: { onAdd: spec.onAdd ?? true, onUpdate: spec.onUpdate ?? true },
    parameters: { ...(spec.parameters ?? {}) },
    constants: { ...(spec.constants ?? {}) },
    steps: spec.steps.map((step) => resolveStep(portal, step, step.kind === 'robot')),
  };
  state.templates.push(template);
  return template;
}

/** A template on companies, started when a company is added or changed (as RULES.md's company workflows are). */
export function attachCompanyTemplate(portal: PortalCore, spec: Omit<TemplateSpec, 'entityTypeId'>): WorkflowTemplate {
  return attachTemplate(portal, { ...spec, entityTypeId: 4 });
}

export function startTemplate(
  portal: PortalCore,
  template: WorkflowTemplate,
  entityId: number,
  parameters: Record<string, unknown>,
  startedBy: number,
): WorkflowInstance {
  return startWorkflow(portal, {
    kind: 'template',
    templateId: template.id,
    stageId: null,
    entityTypeId: template.entityTypeId,
    entityId,
    steps: template.steps,
    parameters: { ...template.parameters, ...parameters },
    constants: template.constants,
    startedBy,
  });
}

function autoStart(portal: PortalCore, change: CrmChange, trigger: 'onAdd' | 'onUpdate'): void {
  const state = bizprocState(portal);
  for (const template of state.templates) {
    if (template.entityTypeId !== change.entityTypeId || !template.autoExecute[trigger]) continue;
    // A workflow whose own robot updates the company would start itself again and again; one running instance
    // per template and document is enough (a sandbox guard: the real portal leaves loops to the designer).
    const running = Object.values(state.instances).some(
      (i) => i.templateId === template.id && i.entityTypeId === change.entityTypeId && i.entityId === change.id,
    );
    if (running) continue;
    const fields = { ...(change.previous ?? {}), ...change.fields };
    startTemplate(portal, template, change.id, {}, actorOf(fields));
  }
}

export function onTemplateDocumentAdd(portal: PortalCore, change: CrmChange): void {
  autoStart(portal, change, 'onAdd');
}

export function onTemplateDocumentUpdate(portal: PortalCore, change: CrmChange): void {
  autoStart(portal, change, 'onUpdate');
}

function templateError(description: string): RestError {
  // Codes of RestService::startWorkflow are unconfirmed; the texts name what is wrong.
  return new RestError(400, 'ERROR_TEMPLATE_VALIDATION_FAILURE', description);
}

function param(params: Record<string, any>, name: string): unknown {
  const key = Object.keys(params).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : params[key];
}

function workflowStart(ctx: MethodContext): string {
  // Top-level keys are case-insensitive; PARAMETERS keep their case (template parameter ids are case-sensitive).
  const templateId = Number.parseInt(String(param(ctx.params, 'TEMPLATE_ID') ?? ''), 10);
  if (!templateId) throw templateError('Empty TEMPLATE_ID');
  const template = bizprocState(ctx.portal).templates.find((t) => t.id === templateId);
  if (!template) throw templateError('Template not found');
  const document = parseDocumentId(param(ctx.params, 'DOCUMENT_ID'));
  if (!document) throw templateError('Wrong DOCUMENT_ID');
  if (document.entityTypeId !== template.entityTypeId) throw templateError('Document type does not match the template');
  if (!ctx.portal.documents.get(document.entityTypeId, document.id)) throw templateError('Document not found');
  const parameters = param(ctx.params, 'PARAMETERS');
  return startTemplate(ctx.portal, template, document.id, isPlainObject(parameters) ? parameters : {}, ctx.auth.userId).id;
}

export function registerWorkflowMethods(registry: MethodRegistry): void {
  registry.register('bizproc.workflow.start', workflowStart, { scope: 'bizproc' });
}
