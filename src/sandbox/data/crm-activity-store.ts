/**
 * Creating CRM activities (calls, meetings, e-mails; tasks' timeline entries) and what a new activity changes:
 * `LAST_ACTIVITY_TIME/BY` of every bound item, `LAST_COMMUNICATION_TIME` of bound companies for a completed call
 * or e-mail, the outgoing mail (TYPE_ID 4 + DIRECTION 2 + COMPLETED Y, PROTOCOL §6.5), and the `activity.add` event.
 */
import type { PortalCore } from '../contract';
import { crmState, type Activity, type SentMail } from './crm-state';
import { getRecord, touchRecord } from './crm-store';
import { msToStored, parseDateInput } from './dates';
import { asList, isPlainObject, paramCi, toId, toInt, toYN } from './params';

export const ACTIVITY_TYPES = { MEETING: 1, CALL: 2, TASK: 3, EMAIL: 4, CUSTOM: 6 } as const;

const PROVIDERS: Record<number, [string, string]> = {
  1: ['CRM_MEETING', 'MEETING'],
  2: ['VOXIMPLANT_CALL', 'CALL'],
  3: ['CRM_TASKS_TASK', 'TASK'],
  4: ['CRM_EMAIL', 'EMAIL'],
};

/** A validation failure with the portal's text (b24-docs crm-activity-add.md "Possible Error Codes"). */
export class ActivityError extends Error {}

export interface ActivityOptions {
  userId: number;
  now: Date;
  /** TYPE_ID 3 is only created by the tasks module, never through crm.activity.add. */
  allowTask?: boolean;
  emit?: boolean;
}

export interface ActivityResult {
  activity: Activity;
  /** The mailer's error; the activity exists anyway ("created even when sending fails"). */
  sendError: string | null;
}

const EMAIL_RE = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

function bindingsOf(fields: Record<string, any>, ownerTypeId: number | null, ownerId: number | null, comms: Activity['communications']): Activity['bindings'] {
  const out: Activity['bindings'] = [];
  const push = (t: unknown, i: unknown): void => {
    const ownerType = toId(t);
    const id = toId(i);
    if (ownerType && id && !out.some((b) => b.ownerTypeId === ownerType && b.ownerId === id)) out.push({ ownerTypeId: ownerType, ownerId: id });
  };
  push(ownerTypeId, ownerId);
  for (const b of asList(paramCi(fields, 'BINDINGS'))) if (isPlainObject(b)) push(paramCi(b, 'OWNER_TYPE_ID'), paramCi(b, 'OWNER_ID'));
  for (const c of comms) push(c.entityTypeId, c.entityId);
  return out;
}

export function createActivity(portal: PortalCore, fields: Record<string, any>, options: ActivityOptions): ActivityResult {
  const state = crmState(portal);
  const typeId = toInt(paramCi(fields, 'TYPE_ID'));
  const allowed = options.allowTask ? [1, 2, 3, 4, 5, 6] : [1, 2, 4, 5, 6];
  if (typeId === null || !allowed.includes(typeId)) throw new ActivityError('The field TYPE_ID is not defined or invalid');
  const providerId = String(paramCi(fields, 'PROVIDER_ID') ?? PROVIDERS[typeId]?.[0] ?? '');
  if (typeId === 6 && providerId === '') throw new ActivityError('The custom activity without provider is not supported in current context');

  const ownerTypeId = toId(paramCi(fields, 'OWNER_TYPE_ID'));
  const ownerId = toId(paramCi(fields, 'OWNER_ID'));
  const comms: Activity['communications'] = asList(paramCi(fields, 'COMMUNICATIONS'))
    .filter(isPlainObject)
    .map((c) => ({
      id: 0,
      type: String(paramCi(c, 'TYPE') ?? (typeId === 4 ? 'EMAIL' : typeId === 2 ? 'PHONE' : '')),
      value: String(paramCi(c, 'VALUE') ?? '').trim(),
      entityId: toId(paramCi(c, 'ENTITY_ID')) ?? ownerId ?? 0,
      entityTypeId: toId(paramCi(c, 'ENTITY_TYPE_ID')) ?? ownerTypeId ?? 0,
    }));
  const bindings = bindingsOf(fields, ownerTypeId, ownerId, comms);
  if (bindings.length === 0) throw new ActivityError('Could not build binding. Please ensure that owner info and communications are defined correctly');
  for (const b of bindings) if (!getRecord(portal, b.ownerTypeId, b.ownerId)) throw new ActivityError('Access denied.');

  const subject = String(paramCi(fields, 'SUBJECT') ?? '').trim();
  if (subject === '') throw new ActivityError('The field SUBJECT is not defined or empty');
  const first = getRecord(portal, bindings[0].ownerTypeId, bindings[0].ownerId);
  const responsibleId = toId(paramCi(fields, 'RESPONSIBLE_ID')) ?? (first?.assignedById as number | undefined) ?? null;
  if (!responsibleId || !portal.users.some((u) => u.id === responsibleId)) throw new ActivityError('The field RESPONSIBLE_ID is not defined or invalid');
  if ([1, 2, 4].includes(typeId)) {
    if (comms.length === 0 || comms.some((c) => c.value === '')) throw new ActivityError('The field COMMUNICATIONS is not defined or invalid');
    if (typeId === 2 && comms.length > 1) throw new ActivityError('The only one communication is allowed for activity of specified type');
  }

  const nowMs = options.now.getTime();
  const start = parseDateInput(paramCi(fields, 'START_TIME'), portal.timeZone) ?? nowMs;
  const end = parseDateInput(paramCi(fields, 'END_TIME'), portal.timeZone) ?? start;
  const completed = toYN(paramCi(fields, 'COMPLETED'));
  const settings = paramCi(fields, 'SETTINGS');
  const activity: Activity = {
    id: state.next.activity++,
    ownerTypeId: bindings[0].ownerTypeId,
    ownerId: bindings[0].ownerId,
    typeId,
    providerId,
    providerTypeId: String(paramCi(fields, 'PROVIDER_TYPE_ID') ?? PROVIDERS[typeId]?.[1] ?? ''),
    associatedEntityId: toInt(paramCi(fields, 'ASSOCIATED_ENTITY_ID')) ?? 0,
    subject,
    created: msToStored(nowMs),
    lastUpdated: msToStored(nowMs),
    startTime: msToStored(start),
    endTime: msToStored(end),
    deadline: msToStored(typeId === 3 ? end : start),
    completed,
    status: completed === 'Y' ? 2 : 1,
    responsibleId,
    priority: toInt(paramCi(fields, 'PRIORITY')) ?? 2,
    description: String(paramCi(fields, 'DESCRIPTION') ?? ''),
    descriptionType: toInt(paramCi(fields, 'DESCRIPTION_TYPE')) ?? 1,
    direction: toInt(paramCi(fields, 'DIRECTION')) ?? 0,
    location: String(paramCi(fields, 'LOCATION') ?? ''),
    settings: isPlainObject(settings) ? settings : {},
    originatorId: paramCi(fields, 'ORIGINATOR_ID') ?? null,
    originId: paramCi(fields, 'ORIGIN_ID') ?? null,
    authorId: options.userId,
    editorId: options.userId,
    bindings,
    communications: comms.map((c) => ({ ...c, id: state.next.communication++ })),
  };
  state.activities[String(activity.id)] = activity;
  stampOwners(portal, activity, nowMs);
  const sendError = typeId === 4 && activity.direction === 2 && completed === 'Y' ? sendMail(portal, activity, nowMs) : null;
  if (options.emit !== false) portal.events.emit('activity.add', { id: activity.id, ownerTypeId: activity.ownerTypeId, ownerId: activity.ownerId });
  return { activity, sendError };
}

/** LAST_ACTIVITY_* on every bound item; LAST_COMMUNICATION_TIME on bound companies for a completed call or e-mail. */
export function stampOwners(portal: PortalCore, activity: Activity, nowMs: number): void {
  const communication = (activity.typeId === 2 || activity.typeId === 4) && activity.completed === 'Y';
  const when = Math.min(Date.parse(activity.endTime ?? activity.created), nowMs);
  for (const b of activity.bindings) {
    touchRecord(portal, b.ownerTypeId, b.ownerId, { lastActivityTime: activity.created, lastActivityBy: activity.responsibleId });
    if (communication && b.ownerTypeId === 4) {
      const record = getRecord(portal, 4, b.ownerId);
      const last = record?.lastCommunicationTime ? Date.parse(String(record.lastCommunicationTime)) : 0;
      if (when > last) touchRecord(portal, 4, b.ownerId, { lastCommunicationTime: msToStored(when) });
    }
  }
}

function sendMail(portal: PortalCore, activity: Activity, nowMs: number): string | null {
  const to = activity.communications.map((c) => c.value).filter((v) => v !== '');
  if (to.length === 0) return 'Email send error. "To" is not found';
  if (to.some((v) => !EMAIL_RE.test(v))) return 'Email send error. Invalid email is specified';
  const user = portal.users.find((u) => u.id === activity.responsibleId);
  const from = String(activity.settings.MESSAGE_FROM ?? (user?.email ? `${user.name} ${user.lastName} <${user.email}>` : ''));
  if (from === '') return 'Email send error. "From" is not found';
  const mail: SentMail = { activityId: activity.id, from, to, subject: activity.subject, body: activity.description, sentAt: msToStored(nowMs) };
  crmState(portal).mail.push(mail);
  return null;
}
