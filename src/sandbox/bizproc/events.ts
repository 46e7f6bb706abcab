/**
 * `event.bind` / `event.unbind` / `event.get` (b24-docs/api-reference/events/event-bind.md, index.md) and the
 * delivery of bound events. A delivery is a bracket form `event=ONCRMCOMPANYUPDATE&event_handler_id=…
 * &data[FIELDS][ID]=5&ts=…&auth[…]`: the token is a one-off access token (no refresh_token), plus the
 * application_token. Deliveries are never retried (events/index.md "No retries").
 */
import { RestError } from '../contract';
import type { MethodContext, MethodRegistry, PortalCore } from '../contract';
import type { EncodableValue } from '../../util/bracket-form';
import { eventAuth, eventBody } from './handler-call';
import { checkHandlerUrl } from './handler-url';
import { postForm } from './outbound';
import { runtimeOf } from './runtime';
import { bizprocState } from './state';
import type { EventBinding } from './state';

const CRM_EVENT_ENTITIES: Record<number, string> = { 1: 'LEAD', 2: 'DEAL', 3: 'CONTACT', 4: 'COMPANY' };

/** Events an app can bind on the sandbox portal. */
export const SUPPORTED_EVENTS = new Set([
  ...Object.values(CRM_EVENT_ENTITIES).flatMap((entity) => ['ADD', 'UPDATE', 'DELETE'].map((action) => `ONCRM${entity}${action}`)),
  'ONCRMACTIVITYADD',
  'ONTASKADD',
  'ONTASKUPDATE',
  'ONAPPINSTALL',
  'ONAPPUPDATE',
  'ONAPPUNINSTALL',
]);

/** The CRM event name of a change, or null for entity types without one here. */
export function crmEventName(entityTypeId: number, action: 'ADD' | 'UPDATE' | 'DELETE'): string | null {
  const entity = CRM_EVENT_ENTITIES[entityTypeId];
  return entity ? `ONCRM${entity}${action}` : null;
}

function upperKeys(params: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [key, value] of Object.entries(params)) out[key.toUpperCase()] = value;
  return out;
}

function argumentNull(name: string): RestError {
  return new RestError(400, 'ERROR_ARGUMENT', `Argument '${name}' is null or empty`, { argument: name });
}

function bind(ctx: MethodContext): true {
  const clientId = ctx.auth.clientId!;
  const query = upperKeys(ctx.params);
  const eventType = String(query.EVENT_TYPE ?? '').toLowerCase() || 'online';
  let authType = Number.parseInt(String(query.AUTH_TYPE ?? 0), 10) || 0;
  if (authType > 0 && !ctx.auth.isAdmin && authType !== ctx.auth.userId) {
    throw new RestError(403, 'ACCESS_DENIED', 'Access denied! Event binding with AUTH_TYPE requires administrator access rights');
  }
  // A regular user's handlers always run as that user.
  if (authType <= 0 && !ctx.auth.isAdmin) authType = ctx.auth.userId;
  if (eventType === 'offline') {
    if (!ctx.auth.isAdmin) {
      throw new RestError(403, 'ACCESS_DENIED', 'Access denied! Offline events binding requires administrator access rights');
    }
    throw new RestError(400, 'ERROR_CORE', 'Offline events are not emulated by the sandbox portal');
  }
  const event = String(query.EVENT ?? '').toUpperCase();
  if (event === '') throw argumentNull('EVENT');
  const handler = query.HANDLER;
  if (handler === undefined || handler === null || handler === '') throw argumentNull('HANDLER');
  checkHandlerUrl(handler);
  if (!SUPPORTED_EVENTS.has(event)) throw new RestError(400, 'ERROR_EVENT_NOT_FOUND', 'Event not found');

  const state = bizprocState(ctx.portal);
  const duplicate = state.bindings.some(
    (b) => b.clientId === clientId && b.event === event && b.handler === handler && b.authType === authType,
  );
  if (duplicate) throw new RestError(400, 'ERROR_CORE', 'Unable to set event handler: Handler already binded');
  state.bindings.push({ id: ++state.seq.binding, clientId, event, handler, authType, boundBy: ctx.auth.userId });
  return true;
}

function unbind(ctx: MethodContext): { count: number } {
  const clientId = ctx.auth.clientId!;
  const query = upperKeys(ctx.params);
  const event = String(query.EVENT ?? '').toUpperCase();
  if (event === '') throw argumentNull('EVENT');
  const handler = query.HANDLER;
  if (handler === undefined || handler === null || handler === '') throw argumentNull('HANDLER');
  let authType: number | null = null;
  if (query.AUTH_TYPE !== undefined) {
    authType = Number.parseInt(String(query.AUTH_TYPE), 10) || 0;
    if (!ctx.auth.isAdmin && authType !== ctx.auth.userId) {
      throw new RestError(403, 'ACCESS_DENIED', 'Access denied! Event unbinding with AUTH_TYPE requires administrator access rights');
    }
  } else if (!ctx.auth.isAdmin) {
    authType = ctx.auth.userId;
  }
  const state = bizprocState(ctx.portal);
  const matches = (b: EventBinding) =>
    b.clientId === clientId && b.event === event && b.handler === handler && (authType === null || b.authType === authType);
  const count = state.bindings.filter(matches).length;
  state.bindings = state.bindings.filter((b) => !matches(b));
  return { count };
}

function get(ctx: MethodContext): Array<Record<string, unknown>> {
  const clientId = ctx.auth.clientId!;
  return bizprocState(ctx.portal)
    .bindings.filter((b) => b.clientId === clientId && (ctx.auth.isAdmin || b.authType === ctx.auth.userId))
    .map((b) => ({ event: b.event, handler: b.handler, auth_type: String(b.authType), offline: 0 }));
}

export function registerEventMethods(registry: MethodRegistry): void {
  // event.* work only with application authorization (event-bind.md); scope `basic`.
  registry.register('event.bind', bind, { appOnly: true });
  registry.register('event.unbind', unbind, { appOnly: true });
  registry.register('event.get', get, { appOnly: true });
}

export function bindingsFor(portal: PortalCore, event: string, clientId?: string): EventBinding[] {
  return bizprocState(portal).bindings.filter((b) => b.event === event && (clientId === undefined || b.clientId === clientId));
}

/** Drops every binding of an app (update and uninstall remove the app's handlers, event-bind.md). */
export function deleteAppBindings(portal: PortalCore, clientId: string): number {
  const state = bizprocState(portal);
  const before = state.bindings.length;
  state.bindings = state.bindings.filter((b) => b.clientId !== clientId);
  return before - state.bindings.length;
}

/**
 * POSTs an event to every handler bound to it. The token belongs to `auth_type`'s user; with auth_type 0 it
 * would be the user who caused the change, which the portal events do not carry, so the binding's author is used.
 */
export function deliverEvent(portal: PortalCore, event: string, data: Record<string, EncodableValue>): void {
  const { sandbox } = runtimeOf(portal);
  for (const binding of bindingsFor(portal, event)) {
    const applicationToken = sandbox.applicationToken(portal, binding.clientId);
    if (!applicationToken) continue; // not installed (or not finished installing): no events (PROTOCOL §4.1)
    let auth: Record<string, EncodableValue>;
    try {
      const tokens = sandbox.issueTokens(portal, binding.clientId, binding.authType || binding.boundBy, { withRefresh: false });
      auth = eventAuth(portal, tokens, applicationToken, false);
    } catch {
      continue; // the user is gone or inactive: nothing to authorize the delivery with
    }
    const ts = Math.floor(sandbox.now().getTime() / 1000);
    postForm(portal, { kind: 'event', url: binding.handler, body: eventBody(event, data, ts, auth, binding.id), event });
  }
}
