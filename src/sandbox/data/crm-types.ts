/**
 * Smart processes (dynamic types) and `crm.type.list`. A type has an `id` (1, 2, …) and an `entityTypeId` (128,
 * 130, …) — they differ (PROTOCOL §5.6) — and its own pipelines `DT<entityTypeId>_<cat>:…`.
 */
import { listAnswer, RestError, type MethodContext, type MethodRegistry, type PortalCore } from '../contract';
import { addCategory, type StageSpec } from './crm-stages';
import { crmState, type SmartProcessType } from './crm-state';
import { formatIso, msToStored } from './dates';
import { toInt } from './params';
import { compileFilter, compileOrder, pageRows, selectRows, type QueryField, type QuerySchema } from './query';

export interface SmartProcessInput {
  title: string;
  code?: string;
  /** Parent entity types the items link to (`parentId2` for deals). */
  parents?: number[];
  /** Allow binding tasks to its items (default true). */
  linkedToTasks?: boolean;
  /** Pipelines; the first is the default. Without, one pipeline with the default SPA stages. */
  categories?: { name: string; stages?: StageSpec[] }[];
}

/** Creates a smart process with its pipelines; entityTypeId is the next free even number from 128. */
export function createSmartProcess(portal: PortalCore, input: SmartProcessInput, now: Date, userId = 1): SmartProcessType {
  const state = crmState(portal);
  const used = new Set(state.types.map((t) => t.entityTypeId));
  let entityTypeId = 128;
  while (used.has(entityTypeId)) entityTypeId += 2;
  const stamp = msToStored(now.getTime());
  const type: SmartProcessType = {
    id: state.next.type++,
    entityTypeId,
    title: input.title,
    code: input.code ?? '',
    createdBy: userId,
    createdTime: stamp,
    updatedTime: stamp,
    updatedBy: userId,
    isCategoriesEnabled: true,
    isStagesEnabled: true,
    isBeginCloseDatesEnabled: true,
    isClientEnabled: true,
    isObserversEnabled: true,
    isAutomationEnabled: true,
    isBizProcEnabled: true,
    parents: input.parents ?? [],
    linkedToTasks: input.linkedToTasks ?? true,
  };
  state.types.push(type);
  const categories = input.categories && input.categories.length > 0 ? input.categories : [{ name: portal.culture === 'ru' ? 'Общая' : 'General' }];
  categories.forEach((c, i) => addCategory(portal, entityTypeId, { name: c.name, isDefault: i === 0, sort: (i + 1) * 100, stages: c.stages }));
  return type;
}

const yn = (b: boolean): 'Y' | 'N' => (b ? 'Y' : 'N');

function typeJson(portal: PortalCore, t: SmartProcessType): Record<string, unknown> {
  return {
    id: t.id,
    title: t.title,
    code: t.code,
    createdBy: t.createdBy,
    entityTypeId: t.entityTypeId,
    customSectionId: null,
    isCategoriesEnabled: yn(t.isCategoriesEnabled),
    isStagesEnabled: yn(t.isStagesEnabled),
    isBeginCloseDatesEnabled: yn(t.isBeginCloseDatesEnabled),
    isClientEnabled: yn(t.isClientEnabled),
    isUseInUserfieldEnabled: 'N',
    isLinkWithProductsEnabled: 'N',
    isMycompanyEnabled: 'N',
    isDocumentsEnabled: 'N',
    isSourceEnabled: 'N',
    isObserversEnabled: yn(t.isObserversEnabled),
    isRecyclebinEnabled: 'Y',
    isAutomationEnabled: yn(t.isAutomationEnabled),
    isBizProcEnabled: yn(t.isBizProcEnabled),
    isSetOpenPermissions: 'Y',
    isPaymentsEnabled: 'N',
    isCountersEnabled: 'N',
    createdTime: formatIso(t.createdTime, portal.timeZone),
    updatedTime: formatIso(t.updatedTime, portal.timeZone),
    updatedBy: t.updatedBy,
    relations: {
      parent: t.parents.map((p) => ({ entityTypeId: p, isChildrenListEnabled: 'Y', isPredefined: 'N' })),
      child: [],
    },
    linkedUserFields: {
      'CALENDAR_EVENT|UF_CRM_CAL_EVENT': 'false',
      'TASKS_TASK|UF_CRM_TASK': t.linkedToTasks ? 'true' : 'false',
      'TASKS_TASK_TEMPLATE|UF_CRM_TASK': 'false',
    },
  };
}

function typeSchema(portal: PortalCore): QuerySchema<SmartProcessType> {
  const fields: Record<string, QueryField<SmartProcessType>> = {
    id: { kind: 'number', get: (t) => t.id },
    entityTypeId: { kind: 'number', get: (t) => t.entityTypeId },
    title: { kind: 'string', get: (t) => t.title },
    code: { kind: 'string', get: (t) => t.code },
    createdBy: { kind: 'number', get: (t) => t.createdBy },
  };
  return { timeZone: portal.timeZone, field: (name) => fields[name] };
}

function typeList(ctx: MethodContext): unknown {
  const schema = typeSchema(ctx.portal);
  const predicate = compileFilter(ctx.params.filter, schema, {
    onUnknown: (name) => {
      throw new RestError(400, 'INVALID_ARG_VALUE', `Invalid filter: field '${name}' is not allowed in filter`);
    },
  });
  const comparator = compileOrder(ctx.params.order, schema);
  const rows = selectRows(crmState(ctx.portal).types, predicate, comparator);
  const page = pageRows(rows, toInt(ctx.params.start) ?? 0, { negativeSkipsCount: true });
  return listAnswer({ types: page.rows.map((t) => typeJson(ctx.portal, t)) }, page.total, page.next);
}

export function registerTypeMethods(registry: MethodRegistry): void {
  registry.register('crm.type.list', typeList, { scope: 'crm', cost: 0.05 });
}
