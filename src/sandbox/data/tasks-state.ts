/**
 * Tasks of a portal (`portal.state.tasks`): tasks, checklist items, elapsed-time records and Gantt dependencies.
 * Statuses (b24-docs tasks/fields.md): 2 pending, 3 in progress, 4 awaiting control, 5 completed, 6 deferred.
 */
import type { PortalCore } from '../contract';

export const TASK_STATUS = { NEW: 1, PENDING: 2, IN_PROGRESS: 3, SUPPOSEDLY_COMPLETED: 4, COMPLETED: 5, DEFERRED: 6, DECLINED: 7 } as const;

export interface Task {
  id: number;
  parentId: number | null;
  title: string;
  description: string;
  mark: string | null;
  priority: number;
  createdBy: number;
  createdDate: string;
  responsibleId: number;
  changedBy: number;
  changedDate: string;
  statusChangedBy: number;
  statusChangedDate: string;
  closedBy: number | null;
  closedDate: string | null;
  activityDate: string;
  dateStart: string | null;
  deadline: string | null;
  startDatePlan: string | null;
  endDatePlan: string | null;
  guid: string;
  xmlId: string | null;
  allowChangeDeadline: 'Y' | 'N';
  allowTimeTracking: 'Y' | 'N';
  taskControl: 'Y' | 'N';
  matchWorkTime: 'Y' | 'N';
  timeEstimate: number;
  groupId: number;
  status: number;
  accomplices: number[];
  auditors: number[];
  tags: string[];
  ufCrmTask: string[];
  ufTaskWebdavFiles: number[];
  /** `SE_PARAMETER` codes set to Y (3: cannot complete without a result). */
  seParameters: number[];
  /** The CRM timeline activity (TYPE_ID 3) made for the task's UF_CRM_TASK bindings. */
  crmActivityId: number | null;
}

export interface ChecklistItem {
  id: number;
  taskId: number;
  parentId: number;
  createdBy: number;
  title: string;
  sortIndex: number;
  isComplete: boolean;
  isImportant: boolean;
  members: Record<string, { TYPE: string }>;
}

export interface ElapsedItem {
  id: number;
  taskId: number;
  userId: number;
  commentText: string;
  seconds: number;
  source: number;
  createdDate: string;
  dateStart: string;
  dateStop: string;
}

export interface Dependency {
  from: number;
  to: number;
  /** 0 start-start, 1 start-finish, 2 finish-start, 3 finish-finish. */
  linkType: number;
}

export interface TasksState {
  next: { task: number; checklist: number; elapsed: number };
  tasks: Record<string, Task>;
  checklist: Record<string, ChecklistItem>;
  elapsed: Record<string, ElapsedItem>;
  dependencies: Dependency[];
}

export function emptyTasksState(): TasksState {
  return { next: { task: 1, checklist: 1, elapsed: 1 }, tasks: {}, checklist: {}, elapsed: {}, dependencies: [] };
}

export function tasksState(portal: PortalCore): TasksState {
  const state = portal.state.tasks as TasksState | undefined;
  if (!state) throw new Error(`portal ${portal.memberId} has no tasks state: the data part was not initialised for it`);
  return state;
}

/** Seconds of elapsed time recorded on a task, or null when there is none (`timeSpentInLogs`). */
export function timeSpent(state: TasksState, taskId: number): number | null {
  let total: number | null = null;
  for (const e of Object.values(state.elapsed)) if (e.taskId === taskId) total = (total ?? 0) + e.seconds;
  return total;
}
