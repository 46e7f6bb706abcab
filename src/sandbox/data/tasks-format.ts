/**
 * Tasks as tasks.task.* print them: camelCase keys and string values (`"id": "3711"`, `"status": "2"`), dates ISO
 * with the portal offset, user objects for creator/responsible, `ufCrmTask` only when one of the UF fields is
 * selected (b24-docs tasks/fields.md, tasks-task-get.md, tasks-task-list.md).
 */
import type { PortalCore } from '../contract';
import { formatIso } from './dates';
import { TASK_STATUS, timeSpent, tasksState, type Task } from './tasks-state';

const s = (v: number | null | undefined): string | null => (v === null || v === undefined ? null : String(v));

function userJson(portal: PortalCore, id: number): Record<string, string> {
  const u = portal.users.find((x) => x.id === id);
  return {
    id: String(id),
    name: u ? `${u.name} ${u.lastName}`.trim() : '',
    link: `/company/personal/user/${id}/`,
    icon: '/bitrix/images/tasks/default_avatar.png',
    workPosition: u?.position ?? '',
  };
}

function usersData(portal: PortalCore, ids: number[]): Record<string, unknown> | [] {
  if (ids.length === 0) return [];
  return Object.fromEntries(ids.map((id) => [String(id), userJson(portal, id)]));
}

/** `-1` overdue is shown in `subStatus` while the task is open and past its deadline (tasks-task-list.md). */
export function subStatus(task: Task, nowMs: number): number {
  const open = task.status < TASK_STATUS.SUPPOSEDLY_COMPLETED;
  if (open && task.deadline && Date.parse(task.deadline) < nowMs) return -1;
  return task.status;
}

const ACTIONS = {
  accept: false, decline: false, complete: true, approve: false, disapprove: false, start: true, pause: false,
  delegate: true, remove: true, edit: true, defer: true, renew: false, create: true, changeDeadline: true,
  checklistAddItems: true, addFavorite: true, deleteFavorite: false, rate: true, 'elapsedtime.add': true,
};

/** Every field of a task in the docs' order (the add/update answer and `select` omitted). */
function allFields(portal: PortalCore, task: Task, nowMs: number): Record<string, unknown> {
  const tz = portal.timeZone;
  const state = tasksState(portal);
  const spent = timeSpent(state, task.id);
  const checklist = Object.values(state.checklist).filter((c) => c.taskId === task.id);
  return {
    id: String(task.id),
    parentId: s(task.parentId),
    title: task.title,
    description: task.description,
    mark: task.mark,
    priority: String(task.priority),
    multitask: 'N',
    notViewed: 'N',
    replicate: 'N',
    stageId: '0',
    createdBy: String(task.createdBy),
    createdDate: formatIso(task.createdDate, tz),
    responsibleId: String(task.responsibleId),
    changedBy: String(task.changedBy),
    changedDate: formatIso(task.changedDate, tz),
    statusChangedBy: s(task.statusChangedBy),
    closedBy: s(task.closedBy),
    closedDate: formatIso(task.closedDate, tz),
    activityDate: formatIso(task.activityDate, tz),
    dateStart: formatIso(task.dateStart, tz),
    deadline: formatIso(task.deadline, tz),
    startDatePlan: formatIso(task.startDatePlan, tz),
    endDatePlan: formatIso(task.endDatePlan, tz),
    guid: task.guid,
    xmlId: task.xmlId,
    commentsCount: null,
    serviceCommentsCount: null,
    allowChangeDeadline: task.allowChangeDeadline,
    allowTimeTracking: task.allowTimeTracking,
    taskControl: task.taskControl,
    addInReport: 'N',
    forkedByTemplateId: null,
    timeEstimate: String(task.timeEstimate),
    timeSpentInLogs: s(spent),
    matchWorkTime: task.matchWorkTime,
    forumTopicId: null,
    forumId: null,
    siteId: 's1',
    subordinate: 'N',
    exchangeModified: null,
    exchangeId: null,
    outlookVersion: '1',
    viewedDate: null,
    sorting: null,
    durationFact: spent === null ? null : String(Math.round(spent / 60)),
    isMuted: 'N',
    isPinned: 'N',
    isPinnedInGroup: 'N',
    flowId: null,
    descriptionInBbcode: 'Y',
    status: String(task.status),
    subStatus: String(subStatus(task, nowMs)),
    statusChangedDate: formatIso(task.statusChangedDate, tz),
    durationPlan: null,
    durationType: 'days',
    favorite: 'N',
    groupId: String(task.groupId),
    auditors: task.auditors.map(String),
    accomplices: task.accomplices.map(String),
    tags: task.tags.length === 0 ? [] : Object.fromEntries(task.tags.map((t, i) => [String(i + 1), { id: i + 1, title: t }])),
    checklist: checklist.length === 0 ? [] : Object.fromEntries(checklist.map((c) => [String(c.id), {
      id: String(c.id), taskId: String(c.taskId), parentId: String(c.parentId), createdBy: String(c.createdBy), title: c.title,
      sortIndex: String(c.sortIndex), isComplete: c.isComplete ? 'Y' : 'N', isImportant: c.isImportant ? 'Y' : 'N',
    }])),
    group: [],
    creator: userJson(portal, task.createdBy),
    responsible: userJson(portal, task.responsibleId),
    accomplicesData: usersData(portal, task.accomplices),
    auditorsData: usersData(portal, task.auditors),
    newCommentsCount: 0,
    action: ACTIONS,
    checkListCanAdd: true,
  };
}

const UF_KEYS = ['UF_CRM_TASK', 'UF_TASK_WEBDAV_FILES', 'UF_MAIL_MESSAGE'];

/** UPPER_SNAKE select names to the answer's keys; a few names bring companions (STATUS → subStatus, …). */
const COMPANIONS: Record<string, string[]> = {
  STATUS: ['status', 'subStatus'],
  REAL_STATUS: ['status'],
  SUB_STATUS: ['subStatus'],
  CREATED_BY: ['createdBy', 'creator'],
  RESPONSIBLE_ID: ['responsibleId', 'responsible'],
  ACCOMPLICES: ['accomplices', 'accomplicesData'],
  AUDITORS: ['auditors', 'auditorsData'],
  DESCRIPTION: ['description', 'descriptionInBbcode'],
};

function camelOf(upper: string): string {
  return upper.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * A task as an answer. `select` null means the default set (every field except the UF ones); with a select only
 * the named fields (plus `id` and `group`) come, and naming one UF field brings all three.
 */
export function taskJson(portal: PortalCore, task: Task, nowMs: number, select: string[] | null, withActions: boolean): Record<string, unknown> {
  const all = allFields(portal, task, nowMs);
  if (!withActions) delete all.action;
  const names = (select ?? []).map((n) => (/^[A-Z0-9_*]+$/.test(n) ? n : n.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()));
  const wantUf = names.some((n) => UF_KEYS.includes(n));
  let out: Record<string, unknown>;
  if (select === null || names.length === 0 || names.includes('*')) {
    out = all;
  } else {
    out = { id: all.id };
    for (const n of names) {
      for (const key of COMPANIONS[n] ?? [camelOf(n)]) if (key in all) out[key] = all[key];
    }
    out.group = [];
    if (withActions) out.action = ACTIONS;
  }
  if (wantUf) {
    out.ufCrmTask = task.ufCrmTask.length > 0 ? task.ufCrmTask : false;
    out.ufTaskWebdavFiles = task.ufTaskWebdavFiles.length > 0 ? task.ufTaskWebdavFiles : false;
    out.ufMailMessage = null;
  }
  return out;
}
