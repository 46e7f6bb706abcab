/**
 * The bizproc part's per-portal state, kept as plain JSON in `portal.state.bizproc` so the platform can save and
 * load it. Runtime-only things (timers, in-flight POSTs) live in runtime.ts, never here.
 */
import { randomBytes } from 'node:crypto';
import type { PortalCore } from '../contract';

/** A PROPERTY object after normalisation (PROTOCOL §1.3): canonical key case, Y/N flags. */
export interface PropertyDef {
  Name: Record<string, string>;
  Description?: Record<string, string>;
  Type: string;
  Options?: Record<string, unknown>;
  Required: 'Y' | 'N';
  Multiple: 'Y' | 'N';
  Default?: unknown;
  Settings?: Record<string, unknown>;
}

/** One `bizproc.robot.add` / `bizproc.activity.add` row. Keyed by (clientId, CODE), shared by robots and actions. */
export interface Registration {
  clientId: string;
  code: string;
  isRobot: boolean;
  handler: string;
  authUserId: number;
  /** Stored verbatim ('' when not passed): the effective mode is 'Y' only for exactly 'Y' (PROTOCOL §1.2). */
  useSubscription: string;
  name: Record<string, string>;
  description: Record<string, string> | null;
  properties: Record<string, PropertyDef>;
  returnProperties: Record<string, PropertyDef>;
  documentType: unknown[] | null;
  filter: unknown;
  usePlacement: 'Y' | 'N';
  placementHandler: string | null;
}

/** A robot or action placed in a template: what the admin set in the designer. */
export interface StepDef {
  /** Activity name as the designer generates it, e.g. `A40364_79843_85254_57332` (PROTOCOL §2.4). */
  name: string;
  clientId: string;
  code: string;
  isRobot: boolean;
  /** Property values as typed in the designer: literals, `{=Document:FIELD}` expressions, `user_N`, arrays. */
  properties: Record<string, unknown>;
  /** "Run as" override of AUTH_USER_ID (the designer's AuthUserId property). */
  authUserId?: number;
  /** Used only when the registration's USE_SUBSCRIPTION is empty (the designer may choose then). */
  useSubscription?: 'Y' | 'N';
  /** Seconds; 0 = wait forever (PROTOCOL §2.6). */
  timeoutSeconds: number;
}

/** Robots of one pipeline stage, run in order when an item enters the stage. */
export interface StageAutomation {
  entityTypeId: number;
  categoryId: number;
  stageId: string;
  steps: StepDef[];
}

export interface WorkflowTemplate {
  id: number;
  name: string;
  /** Only companies (entityTypeId 4) in the sandbox: where templates start automatically. */
  entityTypeId: number;
  autoExecute: { onAdd: boolean; onUpdate: boolean };
  parameters: Record<string, unknown>;
  constants: Record<string, unknown>;
  steps: StepDef[];
}

export type InstanceStatus = 'running' | 'waiting' | 'completed' | 'terminated' | 'error';

export interface WorkflowInstance {
  id: string;
  kind: 'automation' | 'template';
  templateId: number | null;
  /** `STAGE_ID` for automation instances. */
  stageId: string | null;
  entityTypeId: number;
  entityId: number;
  steps: StepDef[];
  current: number;
  status: InstanceStatus;
  /** eventId of the current run of the waiting step (a new one every time a step executes). */
  eventId: string | null;
  /** ISO instant when the waiting step times out, or null. */
  timeoutAt: string | null;
  startedAt: string;
  startedBy: number;
  parameters: Record<string, unknown>;
  constants: Record<string, unknown>;
  variables: Record<string, unknown>;
  /** Return values by step (activity) name, for `{=A123_…:Prop}` in later steps. */
  results: Record<string, Record<string, unknown>>;
}

export interface WorkflowSummary {
  id: string;
  kind: 'automation' | 'template';
  templateId: number | null;
  entityTypeId: number;
  entityId: number;
  status: InstanceStatus;
  startedAt: string;
  finishedAt: string | null;
  results: Record<string, Record<string, unknown>>;
}

export type LogKind = 'start' | 'call' | 'wait' | 'message' | 'return' | 'close' | 'timeout' | 'error' | 'finish';

export interface LogEntry {
  at: string;
  workflowId: string;
  /** Activity name of the step, or null for workflow-level lines. */
  step: string | null;
  code: string | null;
  kind: LogKind;
  message: string;
}

export interface EventBinding {
  id: number;
  clientId: string;
  event: string;
  handler: string;
  /** 0 = the user whose action raised the event (here: the user who bound it, see events.ts). */
  authType: number;
  boundBy: number;
}

export interface OutboundRecord {
  id: number;
  at: string;
  kind: 'robot' | 'event' | 'app';
  url: string;
  /** The exact form body as sent. */
  body: string;
  workflowId: string | null;
  event: string | null;
  status: number | null;
  error: string | null;
  dropped: boolean;
}

export interface BizprocState {
  /** Secret that signs event tokens (PROTOCOL §2.4): the app can never verify them. */
  secret: string;
  registrations: Registration[];
  automation: StageAutomation[];
  templates: WorkflowTemplate[];
  instances: Record<string, WorkflowInstance>;
  workflows: Record<string, WorkflowSummary>;
  log: LogEntry[];
  bindings: EventBinding[];
  outbound: OutboundRecord[];
  seq: { template: number; binding: number; outbound: number };
}

/** Records older than this many are dropped from the outbound log (the sandbox keeps memory bounded). */
export const OUTBOUND_KEEP = 2000;
export const LOG_KEEP = 20000;

export function emptyState(): BizprocState {
  return {
    secret: randomBytes(32).toString('hex'),
    registrations: [],
    automation: [],
    templates: [],
    instances: {},
    workflows: {},
    log: [],
    bindings: [],
    outbound: [],
    seq: { template: 0, binding: 0, outbound: 0 },
  };
}

export function bizprocState(portal: PortalCore): BizprocState {
  const state = portal.state.bizproc as BizprocState | undefined;
  if (!state) throw new Error(`portal ${portal.memberId} has no bizproc state: create it through startSandbox`);
  return state;
}
