/**
 * im.notify.system.add (b24-docs chats/notifications/im-notify-system-add.md; PROTOCOL §6.10): the answer is the
 * notification id, or `false` when it was not created (unknown user); a new notification with the same `TAG` from
 * the same app replaces the earlier ones; errors USER_ID_EMPTY, MESSAGE_EMPTY, ATTACH_OVERSIZE (> 60000
 * characters), ATTACH_ERROR.
 */
import { RestError, type MethodContext, type MethodRegistry, type PortalCore } from '../contract';
import { msToStored } from './dates';
import { paramCi, toInt } from './params';

export interface Notification {
  id: number;
  userId: number;
  message: string;
  messageOut: string | null;
  tag: string | null;
  subTag: string | null;
  attach: unknown;
  clientId: string | null;
  created: string;
}

export interface ImState {
  next: { notification: number };
  notifications: Record<string, Notification>;
}

export function emptyImState(): ImState {
  return { next: { notification: 1 }, notifications: {} };
}

export function imState(portal: PortalCore): ImState {
  const state = portal.state.im as ImState | undefined;
  if (!state) throw new Error(`portal ${portal.memberId} has no im state: the data part was not initialised for it`);
  return state;
}

const ATTACH_LIMIT = 60_000;

function attachParam(raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === '') return null;
  let attach = raw;
  if (typeof raw === 'string') {
    try {
      attach = JSON.parse(raw);
    } catch {
      throw new RestError(400, 'ATTACH_ERROR', 'Incorrect attach params');
    }
  }
  if (typeof attach !== 'object' || attach === null) throw new RestError(400, 'ATTACH_ERROR', 'Incorrect attach params');
  if (JSON.stringify(attach).length > ATTACH_LIMIT) throw new RestError(400, 'ATTACH_OVERSIZE', 'You have exceeded the maximum allowable size of attach');
  return attach;
}

function add(ctx: MethodContext): unknown {
  const userId = toInt(paramCi(ctx.params, 'USER_ID'));
  if (userId === null || userId <= 0) throw new RestError(400, 'USER_ID_EMPTY', "User ID can't be empty");
  const message = String(paramCi(ctx.params, 'MESSAGE') ?? '').trim();
  if (message === '') throw new RestError(400, 'MESSAGE_EMPTY', "Message can't be empty");
  const attach = attachParam(paramCi(ctx.params, 'ATTACH'));
  if (!ctx.portal.users.some((u) => u.id === userId && u.active)) return false;
  const state = imState(ctx.portal);
  const tag = paramCi(ctx.params, 'TAG');
  const clientId = ctx.auth.clientId ?? (paramCi(ctx.params, 'CLIENT_ID') as string | undefined) ?? null;
  if (tag) {
    for (const [id, n] of Object.entries(state.notifications)) if (n.tag === String(tag) && n.clientId === clientId) delete state.notifications[id];
  }
  const id = state.next.notification++;
  const subTag = paramCi(ctx.params, 'SUB_TAG');
  const messageOut = paramCi(ctx.params, 'MESSAGE_OUT');
  state.notifications[String(id)] = {
    id,
    userId,
    message,
    messageOut: messageOut === undefined ? null : String(messageOut),
    tag: tag ? String(tag) : null,
    subTag: subTag ? String(subTag) : null,
    attach,
    clientId,
    created: msToStored(ctx.now.getTime()),
  };
  return id;
}

export function registerImMethods(registry: MethodRegistry): void {
  registry.register('im.notify.system.add', add, { scope: 'im', cost: 0.05 });
}
