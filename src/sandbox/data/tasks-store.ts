/**
 * Creating and changing tasks with the portal's validation (b24-docs tasks-task-add.md / -update.md: `ERROR_CORE`
 * texts ending in `<br>`), CRM bindings (`UF_CRM_TASK`: `CO_5`, `D_10`, `T80_6`; an SPA binding is silently dropped
 * unless the SPA links tasks, PROTOCOL §6.7), the timeline activity of bound items, and the `task.add` /
 * `task.update` events.
 */
import { randomUUID } from 'node:crypto';
import { RestError, type PortalCore } from '../contract';
import { createActivity, stampOwners } from './crm-activity-store';
import { camelToUpper } from './crm-fields';
import { entityTypeInfo, parseBindingCode } from './crm-entity-types';
import { crmState } from './crm-state';
import { getRecord } from './crm-store';
import { msToStored, toStoredDateTime } from './dates';
import { asList, isPlainObject, paramCi, toId, toInt, toYN } from './params';
import { TASK_STATUS, tasksState, type Task } from './tasks-state';

export interface TaskWriteOptions {
  userId: number;
  now: Date;
  emit?: boolean;
}

const core = (text: string): RestError => new RestError(400, 'ERROR_CORE', `${text}<br>`);

/** `responsibleId` and `RESPONSIBLE_ID` are the same input key. */
export function upperKeys(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[/^[A-Z0-9_]+$/.test(k) ? k : camelToUpper(k)] = v;
  return out;
}

function userExists(portal: PortalCore, id: number | null): boolean {
  return id !== null && portal.users.some((u) => u.id === id);
}

/** Keeps binding codes whose type exists; an SPA that does not link tasks loses the binding silently. */
function crmBindings(portal: PortalCore, value: unknown): string[] {
  const out: string[] = [];
  for (const raw of asList(value)) {
    const code = String(raw).trim();
    const parsed = parseBindingCode(code);
    if (!parsed) continue;
    const info = entityTypeInfo(portal, parsed.entityTypeId);
    if (!info || (info.spa && !info.spa.linkedToTasks)) continue;
    if (!out.includes(code)) out.push(code);
  }
  return out;
}

function applyFields(portal: PortalCore, task: Task, f: Record<string, unknown>, isNew: boolean): void {
  const tz = portal.timeZone;
  if ('TITLE' in f) task.title = String(f.TITLE ?? '').trim();
  if ('DESCRIPTION' in f) task.description = String(f.DESCRIPTION ?? '');
  if ('RESPONSIBLE_ID' in f) task.responsibleId = toId(f.RESPONSIBLE_ID) ?? 0;
  if ('CREATED_BY' in f && isNew) task.createdBy = toId(f.CREATED_BY) ?? task.createdBy;
  if ('PRIORITY' in f) task.priority = Math.min(2, Math.max(0, toInt(f.PRIORITY) ?? 1));
  if ('GROUP_ID' in f) task.groupId = toInt(f.GROUP_ID) ?? 0;
  if ('PARENT_ID' in f) task.parentId = toId(f.PARENT_ID);
  for (const [key, prop] of [['DEADLINE', 'deadline'], ['START_DATE_PLAN', 'startDatePlan'], ['END_DATE_PLAN', 'endDatePlan'], ['DATE_START', 'dateStart']] as const) {
    if (key in f) task[prop] = toStoredDateTime(f[key], tz);
  }
  for (const [key, prop] of [['ALLOW_TIME_TRACKING', 'allowTimeTracking'], ['ALLOW_CHANGE_DEADLINE', 'allowChangeDeadline'], ['TASK_CONTROL', 'taskControl'], ['MATCH_WORK_TIME', 'matchWorkTime']] as const) {
    if (key in f) task[prop] = toYN(f[key]);
  }
  if ('TIME_ESTIMATE' in f) task.timeEstimate = toInt(f.TIME_ESTIMATE) ?? 0;
  if ('ACCOMPLICES' in f) task.accomplices = asList(f.ACCOMPLICES).map(toId).filter((v): v is number => v !== null);
  if ('AUDITORS' in f) task.auditors = asList(f.AUDITORS).map(toId).filter((v): v is number => v !== null);
  if ('TAGS' in f) task.tags = (typeof f.TAGS === 'string' ? f.TAGS.split(',') : asList(f.TAGS)).map((t) => String(t).trim()).filter(Boolean);
  if ('UF_CRM_TASK' in f) task.ufCrmTask = crmBindings(portal, f.UF_CRM_TASK);
  if ('UF_TASK_WEBDAV_FILES' in f) {
    task.ufTaskWebdavFiles = asList(f.UF_TASK_WEBDAV_FILES).map((v) => toInt(String(v).replace(/^n/, ''))).filter((v): v is number => v !== null);
  }
  if ('MARK' in f) task.mark = f.MARK === null || f.MARK === '' ? null : String(f.MARK);
  if ('XML_ID' in f) task.xmlId = f.XML_ID === null ? null : String(f.XML_ID);
  if ('SE_PARAMETER' in f) {
    task.seParameters = asList(f.SE_PARAMETER)
      .filter(isPlainObject)
      .filter((p) => toYN(paramCi(p, 'VALUE')) === 'Y')
      .map((p) => toInt(paramCi(p, 'CODE')))
      .filter((v): v is number => v !== null);
  }
}

function validate(portal: PortalCore, task: Task): void {
  const state = tasksState(portal);
  if (task.title === '') throw core('Task title is not specified');
  if (!task.responsibleId) throw core('Responsible person not specified');
  if (!userExists(portal, task.responsibleId)) throw core('The user specified in the "Responsible" field was not found');
  if (task.parentId !== null) {
    if (task.parentId === task.id) throw core('Cannot bind the node to itself');
    if (!state.tasks[String(task.parentId)]) throw core('The task specified in the "Parent Task" field was not found');
    for (let p: number | null = task.parentId, guard = 0; p !== null && guard < 10_000; guard++) {
      if (p === task.id) throw core('Creating cyclic links in tasks is prohibited');
      p = state.tasks[String(p)]?.parentId ?? null;
    }
  }
  if (task.startDatePlan && task.endDatePlan && Date.parse(task.endDatePlan) < Date.parse(task.startDatePlan)) {
    throw core('The end date specified in the scheduling is earlier than the start date');
  }
}

function setStatus(task: Task, requested: unknown, options: TaskWriteOptions): void {
  let status = toInt(requested);
  if (status === null || status < 1 || status > 7) throw core('Invalid status');
  // a task under control goes to "awaiting control" when someone other than its creator completes it
  if (status === TASK_STATUS.COMPLETED && task.taskControl === 'Y' && options.userId !== task.createdBy) status = TASK_STATUS.SUPPOSEDLY_COMPLETED;
  if (status === task.status) return;
  const stamp = msToStored(options.now.getTime());
  task.status = status;
  task.statusChangedBy = options.userId;
  task.statusChangedDate = stamp;
  if (status === TASK_STATUS.IN_PROGRESS && !task.dateStart) task.dateStart = stamp;
  if (status === TASK_STATUS.COMPLETED) {
    task.closedDate = stamp;
    task.closedBy = options.userId;
  } else {
    task.closedDate = null;
    task.closedBy = null;
  }
}

/** The TYPE_ID 3 activity that shows the task in the timelines of its bound CRM items. */
function syncCrmActivity(portal: PortalCore, task: Task, options: TaskWriteOptions): void {
  const bindings = task.ufCrmTask.map(parseBindingCode).filter((b): b is { entityTypeId: number; id: number } => b !== null && getRecord(portal, b.entityTypeId, b.id) !== null);
  const crm = crmState(portal);
  const existing = task.crmActivityId === null ? undefined : crm.activities[String(task.crmActivityId)];
  if (existing) {
    existing.subject = task.title;
    existing.completed = task.status === TASK_STATUS.COMPLETED ? 'Y' : 'N';
    existing.status = existing.completed === 'Y' ? 2 : 1;
    existing.endTime = task.deadline;
    existing.deadline = task.deadline;
    existing.responsibleId = task.responsibleId;
    existing.lastUpdated = msToStored(options.now.getTime());
    if (bindings.length > 0) {
      existing.bindings = bindings.map((b) => ({ ownerTypeId: b.entityTypeId, ownerId: b.id }));
      existing.ownerTypeId = bindings[0].entityTypeId;
      existing.ownerId = bindings[0].id;
      stampOwners(portal, existing, options.now.getTime());
    }
    return;
  }
  if (bindings.length === 0) return;
  const { activity } = createActivity(portal, {
    TYPE_ID: 3,
    SUBJECT: task.title,
    RESPONSIBLE_ID: task.responsibleId,
    OWNER_TYPE_ID: bindings[0].entityTypeId,
    OWNER_ID: bindings[0].id,
    BINDINGS: bindings.map((b) => ({ OWNER_TYPE_ID: b.entityTypeId, OWNER_ID: b.id })),
    ASSOCIATED_ENTITY_ID: task.id,
    END_TIME: task.deadline ?? undefined,
    COMPLETED: task.status === TASK_STATUS.COMPLETED ? 'Y' : 'N',
  }, { userId: options.userId, now: options.now, allowTask: true, emit: options.emit });
  task.crmActivityId = activity.id;
}

export function createTask(portal: PortalCore, input: Record<string, unknown>, options: TaskWriteOptions): Task {
  const state = tasksState(portal);
  const f = upperKeys(input);
  const stamp = msToStored(options.now.getTime());
  const task: Task = {
    id: state.next.task, parentId: null, title: '', description: '', mark: null, priority: 1,
    createdBy: options.userId, createdDate: stamp, responsibleId: 0, changedBy: options.userId, changedDate: stamp,
    statusChangedBy: options.userId, statusChangedDate: stamp, closedBy: null, closedDate: null, activityDate: stamp,
    dateStart: null, deadline: null, startDatePlan: null, endDatePlan: null, guid: `{${randomUUID()}}`, xmlId: null,
    allowChangeDeadline: 'N', allowTimeTracking: 'N', taskControl: 'N', matchWorkTime: 'N', timeEstimate: 0,
    groupId: 0, status: TASK_STATUS.PENDING, accomplices: [], auditors: [], tags: [], ufCrmTask: [],
    ufTaskWebdavFiles: [], seParameters: [], crmActivityId: null,
  };
  applyFields(portal, task, f, true);
  validate(portal, task);
  if ('STATUS' in f) setStatus(task, f.STATUS, options);
  state.next.task++;
  state.tasks[String(task.id)] = task;
  syncCrmActivity(portal, task, options);
  if (options.emit !== false) portal.events.emit('task.add', { id: task.id });
  return task;
}

export function updateTask(portal: PortalCore, task: Task, input: Record<string, unknown>, options: TaskWriteOptions): Task {
  const f = upperKeys(input);
  const next: Task = structuredClone(task);
  applyFields(portal, next, f, false);
  validate(portal, next);
  if ('STATUS' in f) setStatus(next, f.STATUS, options);
  const stamp = msToStored(options.now.getTime());
  next.changedBy = options.userId;
  next.changedDate = stamp;
  next.activityDate = stamp;
  tasksState(portal).tasks[String(task.id)] = next;
  syncCrmActivity(portal, next, options);
  if (options.emit !== false) portal.events.emit('task.update', { id: task.id });
  return next;
}
