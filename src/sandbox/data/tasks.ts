/**
 * tasks.task.add|update|get|list (b24-docs tasks/*; PROTOCOL §6.7). Answers `{"task": {…}}` / `{"tasks": […]}`
 * with string values; `tasks.task.get` of a missing task answers `"result": []`; list filters take `!`, `<`,
 * `<=`, `>`, `>=` (and arrays), `STATUS` meta-statuses (-1 overdue, -2 unviewed, -3 almost overdue), `UF_CRM_TASK`,
 * `DEPENDS_ON`; sorting by an unknown key is error "0" "Invalid sorting key".
 */
import { listAnswer, RestError, type MethodContext, type MethodRegistry, type PortalCore } from '../contract';
import { asList, isPlainObject, paramCi, toInt } from './params';
import { compileFilter, compileOrder, pageRows, selectRows, type FieldKind, type Op, type QueryField, type QuerySchema } from './query';
import { taskJson } from './tasks-format';
import { TASK_STATUS, tasksState, timeSpent, type Task } from './tasks-state';
import { createTask, updateTask } from './tasks-store';

const internal = (code: string, text: string): RestError => new RestError(400, code, `${text} (internal error)`);

function fieldsParam(ctx: MethodContext): Record<string, unknown> {
  const fields = paramCi(ctx.params, 'fields');
  if (!isPlainObject(fields) || Object.keys(fields).length === 0) throw internal('100', 'Could not find value for parameter {fields}');
  return fields;
}

function taskIdParam(ctx: MethodContext): number {
  const raw = paramCi(ctx.params, 'taskId');
  if (raw === undefined || raw === null || raw === '') throw internal('100', 'CTaskItem All parameters in the constructor must have real class type');
  const id = toInt(raw);
  if (id === null || id <= 0) throw new RestError(400, '0', 'wrong task id');
  return id;
}

function selectParam(ctx: MethodContext): string[] | null {
  const select = paramCi(ctx.params, 'select');
  if (select === undefined) return null;
  if (!Array.isArray(select) && !isPlainObject(select)) {
    throw internal('100', 'Invalid value {} to match with parameter {select}. Should be value of type array.');
  }
  return asList(select).map(String);
}

function add(ctx: MethodContext): unknown {
  const task = createTask(ctx.portal, fieldsParam(ctx), { userId: ctx.auth.userId, now: ctx.now });
  return { task: taskJson(ctx.portal, task, ctx.now.getTime(), null, true) };
}

function update(ctx: MethodContext): unknown {
  const id = taskIdParam(ctx);
  const task = tasksState(ctx.portal).tasks[String(id)];
  if (!task) throw internal('0', 'Action on the task is not allowed');
  const fields = fieldsParam(ctx);
  const next = updateTask(ctx.portal, task, fields, { userId: ctx.auth.userId, now: ctx.now });
  return { task: taskJson(ctx.portal, next, ctx.now.getTime(), null, true) };
}

function get(ctx: MethodContext): unknown {
  const id = taskIdParam(ctx);
  const select = selectParam(ctx);
  const task = tasksState(ctx.portal).tasks[String(id)];
  if (!task) return []; // a missing or inaccessible task is not an error
  return { task: taskJson(ctx.portal, task, ctx.now.getTime(), select, true) };
}

const DAY = 86_400_000;

function statusField(nowMs: number): QueryField<Task> {
  const open = (t: Task): boolean => t.status < TASK_STATUS.SUPPOSEDLY_COMPLETED;
  const matches = (t: Task, v: number): boolean => {
    if (v === -1) return open(t) && t.deadline !== null && Date.parse(t.deadline) < nowMs;
    if (v === -2) return false; // the sandbox does not track views
    if (v === -3) return open(t) && t.deadline !== null && Date.parse(t.deadline) >= nowMs && Date.parse(t.deadline) < nowMs + DAY;
    return t.status === v;
  };
  return {
    kind: 'number',
    get: (t) => t.status,
    compile(op: Op, value: unknown) {
      const wanted = asList(value).map((v) => toInt(v)).filter((v): v is number => v !== null);
      const positive = (t: Task): boolean => wanted.some((v) => matches(t, v));
      if (op === 'eq' || op === 'in') return positive;
      if (op === 'neq' || op === 'nin') return (t) => !positive(t);
      const n = wanted[0] ?? 0;
      return (t) => ({ gt: t.status > n, gte: t.status >= n, lt: t.status < n, lte: t.status <= n } as Record<string, boolean>)[op] ?? false;
    },
  };
}

function taskSchema(portal: PortalCore, nowMs: number): QuerySchema<Task> {
  const state = tasksState(portal);
  const f = (kind: FieldKind, get: (t: Task) => unknown): QueryField<Task> => ({ kind, get });
  const fields: Record<string, QueryField<Task>> = {
    ID: f('number', (t) => t.id),
    PARENT_ID: f('number', (t) => t.parentId),
    GROUP_ID: f('number', (t) => t.groupId),
    CREATED_BY: f('number', (t) => t.createdBy),
    RESPONSIBLE_ID: f('number', (t) => t.responsibleId),
    STATUS_CHANGED_BY: f('number', (t) => t.statusChangedBy),
    PRIORITY: f('number', (t) => t.priority),
    TITLE: f('string', (t) => t.title),
    TAG: f('string', (t) => t.tags),
    REAL_STATUS: f('number', (t) => t.status),
    STATUS: statusField(nowMs),
    MARK: f('string', (t) => t.mark),
    DATE_START: f('date', (t) => t.dateStart),
    DEADLINE: f('date', (t) => t.deadline),
    CREATED_DATE: f('date', (t) => t.createdDate),
    CLOSED_DATE: f('date', (t) => t.closedDate),
    CHANGED_DATE: f('date', (t) => t.changedDate),
    ACTIVITY_DATE: f('date', (t) => t.activityDate),
    START_DATE_PLAN: f('date', (t) => t.startDatePlan),
    END_DATE_PLAN: f('date', (t) => t.endDatePlan),
    ACCOMPLICE: f('number', (t) => t.accomplices),
    AUDITOR: f('number', (t) => t.auditors),
    UF_CRM_TASK: f('string', (t) => t.ufCrmTask),
    DEPENDS_ON: f('number', (t) => state.dependencies.filter((d) => d.to === t.id).map((d) => d.from)),
    TIME_ESTIMATE: f('number', (t) => t.timeEstimate),
    TIME_SPENT_IN_LOGS: f('number', (t) => timeSpent(state, t.id) ?? 0),
    ALLOW_TIME_TRACKING: f('bool', (t) => t.allowTimeTracking),
    ALLOW_CHANGE_DEADLINE: f('bool', (t) => t.allowChangeDeadline),
    MATCH_WORK_TIME: f('bool', (t) => t.matchWorkTime),
    STATUS_COMPLETE: f('number', (t) => (t.status === TASK_STATUS.COMPLETED ? 2 : 1)),
    CREATED_BY_LAST_NAME: f('string', (t) => portal.users.find((u) => u.id === t.createdBy)?.lastName ?? ''),
    RESPONSIBLE_LAST_NAME: f('string', (t) => portal.users.find((u) => u.id === t.responsibleId)?.lastName ?? ''),
    FAVORITE: f('bool', () => 'N'),
    SORTING: f('number', () => null),
    IS_PINNED: f('bool', () => 'N'),
    IS_PINNED_IN_GROUP: f('bool', () => 'N'),
  };
  return { timeZone: portal.timeZone, field: (name) => fields[name.toUpperCase()] };
}

/** Sort keys the docs list for tasks.task.list; any other is "Invalid sorting key". */
const SORT_KEYS = new Set([
  'ID', 'TITLE', 'TIME_SPENT_IN_LOGS', 'DATE_START', 'CREATED_DATE', 'CHANGED_DATE', 'CLOSED_DATE', 'ACTIVITY_DATE',
  'START_DATE_PLAN', 'END_DATE_PLAN', 'DEADLINE', 'REAL_STATUS', 'STATUS_COMPLETE', 'PRIORITY', 'MARK', 'CREATED_BY_LAST_NAME',
  'RESPONSIBLE_LAST_NAME', 'GROUP_ID', 'TIME_ESTIMATE', 'ALLOW_CHANGE_DEADLINE', 'ALLOW_TIME_TRACKING', 'MATCH_WORK_TIME',
  'FAVORITE', 'SORTING', 'IS_PINNED', 'IS_PINNED_IN_GROUP',
]);

function list(ctx: MethodContext): unknown {
  const nowMs = ctx.now.getTime();
  const schema = taskSchema(ctx.portal, nowMs);
  const order = paramCi(ctx.params, 'order');
  const orderObj = isPlainObject(order) && Object.keys(order).length > 0 ? order : { ID: 'desc' };
  for (const key of Object.keys(orderObj)) {
    if (!SORT_KEYS.has(key.toUpperCase())) throw internal('0', 'Invalid sorting key');
  }
  const comparator = compileOrder(orderObj, schema, { onBadDirection: () => { throw internal('0', 'Invalid sorting key'); } });
  const filter = paramCi(ctx.params, 'filter');
  const predicate = compileFilter(filter, schema, { percentMeansLike: true });
  const rows = selectRows(Object.values(tasksState(ctx.portal).tasks), predicate, comparator);
  // tasks.task.list is a D7 controller: start=-1 skips the count like crm.item.list (PROTOCOL §5.5)
  const page = pageRows(rows, toInt(paramCi(ctx.params, 'start')) ?? 0, { negativeSkipsCount: true });
  const select = selectParam(ctx);
  const tasks = page.rows.map((t) => taskJson(ctx.portal, t, nowMs, select, false));
  return listAnswer({ tasks }, page.total, page.next);
}

export function registerTaskMethods(registry: MethodRegistry): void {
  registry.register('tasks.task.add', add, { scope: 'task', cost: 0.3 });
  registry.register('tasks.task.update', update, { scope: 'task', cost: 0.3 });
  registry.register('tasks.task.get', get, { scope: 'task', cost: 0.05 });
  registry.register('tasks.task.list', list, { scope: 'task', cost: 0.2 });
}
