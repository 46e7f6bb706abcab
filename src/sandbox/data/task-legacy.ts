/**
 * Legacy `task.*` item methods: task.checklistitem.add, task.dependence.add, task.elapseditem.add|getlist
 * (b24-docs tasks/checklist-item, elapsed-item, task-dependence-add.md). They take positional parameters
 * (`{"0": 691, "1": {...}}` or a top-level array) as well as named ones (`TASKID`, `ARFIELDS`); errors are
 * `ERROR_CORE` with `TASKS_ERROR_EXCEPTION_#…<br>` texts. Their paging ignores a negative `start` (page 1 with the
 * full count, PROTOCOL §5.5); task.elapseditem.getlist pages by `PARAMS.NAV_PARAMS` (nPageSize ≤ 50, iNumPage).
 */
import { listAnswer, RestError, type MethodContext, type MethodRegistry, type PortalCore } from '../contract';
import { formatIso, toStoredDateTime, msToStored } from './dates';
import { asList, isPlainObject, paramCi, positional, toId, toInt, toYN } from './params';
import { compileFilter, compileOrder, pageRows, selectRows, type FieldKind, type QueryField, type QuerySchema } from './query';
import { tasksState, type ChecklistItem, type ElapsedItem } from './tasks-state';

const core = (text: string): RestError => new RestError(400, 'ERROR_CORE', text);
const wrongArgs = (method: string, text: string): RestError => core(`TASKS_ERROR_EXCEPTION_#256; ${text.replace('%m', method)}; 256/TE/WRONG_ARGUMENTS<br>`);
const failed = (text: string): RestError => core(`TASKS_ERROR_EXCEPTION_#8; ${text}; 8/TE/ACTION_FAILED_TO_BE_PROCESSED<br>`);

function checklistAdd(ctx: MethodContext): unknown {
  const { TASKID, FIELDS } = positional(ctx.params, ['TASKID', 'FIELDS']);
  const taskId = toId(TASKID);
  if (taskId === null) throw wrongArgs('ctaskchecklistitem::add()', 'Param #0 (taskId) for method %m expected to be of type "integer", but given something else.');
  if (!isPlainObject(FIELDS) || Object.keys(FIELDS).length === 0) throw wrongArgs('ctaskchecklistitem::add()', 'Param #1 (arFields) expected by method %m, but not given.');
  const state = tasksState(ctx.portal);
  const task = state.tasks[String(taskId)];
  if (!task) throw failed('Adding item: action not allowed');
  const title = String(paramCi(FIELDS, 'TITLE') ?? '').trim();
  if (title === '') throw failed('Item name not specified');
  const items = Object.values(state.checklist).filter((c) => c.taskId === taskId);
  const rawParent = paramCi(FIELDS, 'PARENT_ID');
  let parentId: number;
  if (rawParent === undefined || rawParent === null || rawParent === '') {
    // no PARENT_ID: into the existing top-level checklist, made first when the task has none
    let root = items.find((c) => c.parentId === 0);
    if (!root) root = pushItem(ctx, { taskId, parentId: 0, title: ctx.portal.culture === 'ru' ? 'Чек-лист 1' : 'Checklist 1', sortIndex: 0 });
    parentId = root.id;
  } else {
    const p = toInt(rawParent) ?? 0;
    // PARENT_ID 0, or an id that is not an item of this task, starts a new checklist named by TITLE
    parentId = p !== 0 && items.some((c) => c.id === p) ? p : 0;
  }
  const siblings = items.filter((c) => c.parentId === parentId).length;
  const members = isPlainObject(paramCi(FIELDS, 'MEMBERS')) ? (paramCi(FIELDS, 'MEMBERS') as Record<string, { TYPE: string }>) : {};
  const item = pushItem(ctx, {
    taskId,
    parentId,
    title,
    sortIndex: toInt(paramCi(FIELDS, 'SORT_INDEX')) ?? siblings,
    isComplete: toYN(paramCi(FIELDS, 'IS_COMPLETE')) === 'Y',
    isImportant: toYN(paramCi(FIELDS, 'IS_IMPORTANT')) === 'Y',
    members,
  });
  // "The system will add checklist item participants to the task in the same roles"
  for (const [userId, m] of Object.entries(members)) {
    const id = toId(userId);
    if (id === null) continue;
    const role = String(paramCi(m, 'TYPE') ?? '').toUpperCase();
    if (role === 'A' && !task.accomplices.includes(id)) task.accomplices.push(id);
    if (role === 'U' && !task.auditors.includes(id)) task.auditors.push(id);
  }
  return item.id;
}

function pushItem(ctx: MethodContext, item: Partial<ChecklistItem> & { taskId: number; parentId: number; title: string; sortIndex: number }): ChecklistItem {
  const state = tasksState(ctx.portal);
  const full: ChecklistItem = { id: state.next.checklist++, createdBy: ctx.auth.userId, isComplete: false, isImportant: false, members: {}, ...item };
  state.checklist[String(full.id)] = full;
  return full;
}

function dependenceAdd(ctx: MethodContext): unknown {
  const { taskIdFrom, taskIdTo, linkType } = positional(ctx.params, ['taskIdFrom', 'taskIdTo', 'linkType']);
  const state = tasksState(ctx.portal);
  const from = toId(taskIdFrom);
  const to = toId(taskIdTo);
  const type = toInt(linkType);
  const notAllowed = new RestError(400, 'ACTION_NOT_ALLOWED', 'Unable to add a link between tasks');
  if (from === null || to === null || from === to || type === null || type < 0 || type > 3) throw notAllowed;
  if (!state.tasks[String(from)] || !state.tasks[String(to)]) throw notAllowed;
  if (state.dependencies.some((d) => (d.from === from && d.to === to) || (d.from === to && d.to === from))) {
    throw new RestError(400, 'ILLEGAL_NEW_LINK', 'A link between tasks already exists');
  }
  state.dependencies.push({ from, to, linkType: type });
  return [];
}

function elapsedAdd(ctx: MethodContext): unknown {
  const { TASKID, ARFIELDS } = positional(ctx.params, ['TASKID', 'ARFIELDS']);
  const taskId = toId(TASKID);
  if (taskId === null) throw wrongArgs('ctaskelapseditem::add()', 'Param #0 (taskId) for method %m expected to be of type "integer", but given something else.');
  if (!isPlainObject(ARFIELDS)) throw wrongArgs('ctaskelapseditem::add()', 'Param #1 (arFields) expected by method %m, but not given.');
  const state = tasksState(ctx.portal);
  if (!state.tasks[String(taskId)]) throw core('ACTION_NOT_ALLOWED');
  const seconds = toInt(paramCi(ARFIELDS, 'SECONDS'));
  if (seconds === null || seconds <= 0) throw failed('Time spent is not specified');
  const created = toStoredDateTime(paramCi(ARFIELDS, 'CREATED_DATE'), ctx.portal.timeZone) ?? msToStored(ctx.now.getTime());
  const createdMs = Date.parse(created);
  const item: ElapsedItem = {
    id: state.next.elapsed++,
    taskId,
    userId: toId(paramCi(ARFIELDS, 'USER_ID')) ?? ctx.auth.userId,
    commentText: String(paramCi(ARFIELDS, 'COMMENT_TEXT') ?? ''),
    seconds,
    source: 2,
    createdDate: created,
    dateStart: msToStored(createdMs - seconds * 1000),
    dateStop: created,
  };
  state.elapsed[String(item.id)] = item;
  return item.id;
}

function elapsedJson(portal: PortalCore, e: ElapsedItem): Record<string, string | null> {
  const tz = portal.timeZone;
  return {
    ID: String(e.id),
    TASK_ID: String(e.taskId),
    USER_ID: String(e.userId),
    COMMENT_TEXT: e.commentText,
    SECONDS: String(e.seconds),
    MINUTES: String(Math.round(e.seconds / 60)),
    SOURCE: String(e.source),
    CREATED_DATE: formatIso(e.createdDate, tz),
    DATE_START: formatIso(e.dateStart, tz),
    DATE_STOP: formatIso(e.dateStop, tz),
  };
}

function elapsedSchema(portal: PortalCore): QuerySchema<ElapsedItem> {
  const f = (kind: FieldKind, get: (e: ElapsedItem) => unknown): QueryField<ElapsedItem> => ({ kind, get });
  const fields: Record<string, QueryField<ElapsedItem>> = {
    ID: f('number', (e) => e.id),
    TASK_ID: f('number', (e) => e.taskId),
    USER_ID: f('number', (e) => e.userId),
    SECONDS: f('number', (e) => e.seconds),
    MINUTES: f('number', (e) => Math.round(e.seconds / 60)),
    CREATED_DATE: f('date', (e) => e.createdDate),
    DATE_START: f('date', (e) => e.dateStart),
    DATE_STOP: f('date', (e) => e.dateStop),
  };
  return { timeZone: portal.timeZone, field: (name) => fields[name.toUpperCase()] };
}

function elapsedGetList(ctx: MethodContext): unknown {
  let args = positional(ctx.params, ['TASKID', 'ORDER', 'FILTER', 'SELECT', 'PARAMS']);
  // TASKID is optional: `[{"ID": "desc"}, {">=CREATED_DATE": "2024-02-16"}]` starts with the order (b24-docs example)
  if (args.TASKID !== undefined && toId(args.TASKID) === null && isPlainObject(args.TASKID)) {
    args = { TASKID: undefined, ORDER: args.TASKID, FILTER: args.ORDER, SELECT: args.FILTER, PARAMS: args.SELECT };
  }
  const state = tasksState(ctx.portal);
  const taskId = args.TASKID === undefined || args.TASKID === null ? null : toId(args.TASKID);
  if (args.TASKID !== undefined && args.TASKID !== null && (taskId === null || !state.tasks[String(taskId)])) throw core('ACTION_NOT_ALLOWED');
  const schema = elapsedSchema(ctx.portal);
  const predicate = compileFilter(args.FILTER, schema);
  const comparator = compileOrder(isPlainObject(args.ORDER) && Object.keys(args.ORDER).length > 0 ? args.ORDER : { ID: 'asc' }, schema);
  const rows = selectRows(Object.values(state.elapsed).filter((e) => taskId === null || e.taskId === taskId), predicate, comparator);
  const nav = isPlainObject(args.PARAMS) ? paramCi(args.PARAMS, 'NAV_PARAMS') : undefined;
  let size = 50;
  let start = toInt(paramCi(ctx.params, 'start')) ?? 0;
  if (isPlainObject(nav)) {
    size = Math.min(50, Math.max(1, toInt(paramCi(nav, 'nPageSize')) ?? 50)); // "a limit of 50 records is imposed"
    start = (Math.max(1, toInt(paramCi(nav, 'iNumPage')) ?? 1) - 1) * size;
  }
  const page = pageRows(rows, start, { negativeSkipsCount: false, pageSize: size });
  const select = asList(args.SELECT).map((s) => String(s).toUpperCase());
  const result = page.rows.map((e) => {
    const full = elapsedJson(ctx.portal, e);
    if (select.length === 0 || select.includes('*')) return full;
    return Object.fromEntries(Object.entries(full).filter(([k]) => k === 'ID' || select.includes(k)));
  });
  return listAnswer(result, page.total, page.next);
}

export function registerTaskLegacyMethods(registry: MethodRegistry): void {
  registry.register('task.checklistitem.add', checklistAdd, { scope: 'task', cost: 0.1 });
  registry.register('task.dependence.add', dependenceAdd, { scope: 'task', cost: 0.1 });
  registry.register('task.elapseditem.add', elapsedAdd, { scope: 'task', cost: 0.1 });
  registry.register('task.elapseditem.getlist', elapsedGetList, { scope: 'task', cost: 0.1 });
}
