/**
 * The CRM part of a portal's JSON state (`portal.state.crm`): items of every entity type, smart-process types,
 * pipelines and stages (b_crm_status), user fields, activities, timeline comments and sent e-mails.
 */
import type { PortalCore } from '../contract';
import type { UserFieldDef } from './userfields';

export interface Multifield {
  id: number;
  typeId: string;
  valueType: string;
  value: string;
}

/** One CRM item, stored by camelCase field name with typed values (dates as UTC ISO or `YYYY-MM-DD`). */
export interface CrmRecord {
  id: number;
  fm?: Multifield[];
  [field: string]: unknown;
}

export interface SmartProcessType {
  id: number;
  entityTypeId: number;
  title: string;
  code: string;
  createdBy: number;
  createdTime: string;
  updatedTime: string;
  updatedBy: number;
  isCategoriesEnabled: boolean;
  isStagesEnabled: boolean;
  isBeginCloseDatesEnabled: boolean;
  isClientEnabled: boolean;
  isObserversEnabled: boolean;
  isAutomationEnabled: boolean;
  isBizProcEnabled: boolean;
  /** Parent entity types this SPA links to (`parentId<N>` fields), e.g. [2] for a deal link. */
  parents: number[];
  /** `TASKS_TASK|UF_CRM_TASK`: tasks may be bound to its items (PROTOCOL §6.7). */
  linkedToTasks: boolean;
}

export interface CrmCategory {
  id: number;
  entityTypeId: number;
  name: string;
  sort: number;
  isDefault: boolean;
}

/** A row of b_crm_status: a stage, a lead status, or a reference value (SOURCE, DEAL_TYPE, …). */
export interface CrmStatus {
  id: number;
  entityId: string;
  statusId: string;
  name: string;
  nameInit: string;
  sort: number;
  system: boolean;
  categoryId: number | null;
  color: string;
  semantics: 'S' | 'F' | null;
  /** `EXTRA.SEMANTICS` for deal/lead stages: process, success, failure or apology. */
  extra: 'process' | 'success' | 'failure' | 'apology' | null;
}

export interface Activity {
  id: number;
  ownerTypeId: number;
  ownerId: number;
  typeId: number;
  providerId: string;
  providerTypeId: string;
  associatedEntityId: number;
  subject: string;
  created: string;
  lastUpdated: string;
  startTime: string | null;
  endTime: string | null;
  deadline: string | null;
  completed: 'Y' | 'N';
  status: number;
  responsibleId: number;
  priority: number;
  description: string;
  descriptionType: number;
  direction: number;
  location: string;
  settings: Record<string, unknown>;
  originatorId: string | null;
  originId: string | null;
  authorId: number;
  editorId: number;
  bindings: { ownerTypeId: number; ownerId: number }[];
  communications: { id: number; type: string; value: string; entityId: number; entityTypeId: number }[];
}

export interface TimelineComment {
  id: number;
  entityTypeId: number;
  entityId: number;
  comment: string;
  authorId: number;
  created: string;
  files: string[];
}

/** An e-mail "sent" by crm.activity.add (TYPE_ID 4, DIRECTION 2, COMPLETED Y, PROTOCOL §6.5). */
export interface SentMail {
  activityId: number;
  from: string;
  to: string[];
  subject: string;
  body: string;
  sentAt: string;
}

export interface CrmState {
  next: {
    item: Record<string, number>;
    category: number;
    status: number;
    type: number;
    fm: number;
    activity: number;
    comment: number;
    communication: number;
    enumItem: number;
  };
  /** entityTypeId → id → record. Integer-like keys iterate in ascending id order. */
  items: Record<string, Record<string, CrmRecord>>;
  types: SmartProcessType[];
  categories: CrmCategory[];
  statuses: CrmStatus[];
  userFields: UserFieldDef[];
  activities: Record<string, Activity>;
  comments: Record<string, TimelineComment>;
  mail: SentMail[];
  /** What the seed created (pipelines, smart processes, people, the managers list), so later seeds reuse it. */
  seed?: SeedStructure;
}

export interface SeedStructure {
  /** Deal pipeline ids by key: accounting, clientService, infrastructure, complaints (0 is the default «Общая»). */
  pipelines: Record<string, number>;
  /** Smart-process entityTypeIds by key: serviceCard, production. */
  smartProcesses: Record<string, number>;
  /** Deal stage id of the default pipeline's «Дефекты» failure stage. */
  defectsStageId: string;
  users: { admin: number; managers: number[]; accountant: number; sysadmin: number; serviceHead: number };
  managersList: { iblockId: number; code: string; properties: { employee: number; onVacation: number; onSickLeave: number } };
  /** How many times the seed ran (each run draws different data). */
  runs: number;
}

export function emptyCrmState(): CrmState {
  return {
    next: { item: {}, category: 1, status: 1, type: 1, fm: 1, activity: 1, comment: 1, communication: 1, enumItem: 1 },
    items: {},
    types: [],
    categories: [],
    statuses: [],
    userFields: [],
    activities: {},
    comments: {},
    mail: [],
  };
}

export function crmState(portal: PortalCore): CrmState {
  const state = portal.state.crm as CrmState | undefined;
  if (!state) throw new Error(`portal ${portal.memberId} has no CRM state: the data part was not initialised for it`);
  return state;
}

/** The next id of an entity type's table (each CRM table has its own auto-increment). */
export function nextItemId(state: CrmState, entityTypeId: number): number {
  const key = String(entityTypeId);
  const id = state.next.item[key] ?? 1;
  state.next.item[key] = id + 1;
  return id;
}

export function itemTable(state: CrmState, entityTypeId: number): Record<string, CrmRecord> {
  const key = String(entityTypeId);
  let table = state.items[key];
  if (!table) {
    table = {};
    state.items[key] = table;
  }
  return table;
}
