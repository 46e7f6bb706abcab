/**
 * Bodies of what the portal POSTs to apps, byte for byte as PHP `http_build_query` builds them:
 *  - the robot/action handler call (PROTOCOL §2.2): fields in the documented order, `auth` appended last with the
 *    refresh token and the application token;
 *  - event deliveries and app notifications (PROTOCOL §4.3, events/index.md): `event`, `data`, `ts`, `auth`.
 */
import type { IssuedTokens, PortalCore } from '../contract';
import { encodeBracketForm } from '../../util/bracket-form';
import type { EncodableValue } from '../../util/bracket-form';

export interface HandlerCall {
  workflowId: string;
  code: string;
  documentId: [string, string, string];
  documentType: [string, string, string];
  eventToken: string;
  properties: Record<string, EncodableValue>;
  useSubscription: 'Y' | 'N';
  timeoutDuration: number;
  ts: number;
}

/** The portal-identity part of `auth`, which every POST carries even without tokens. */
export function portalAuth(portal: PortalCore, tokens: IssuedTokens | null, applicationToken: string) {
  return {
    domain: portal.domain,
    server_endpoint: tokens?.server_endpoint ?? serverEndpoint(portal),
    client_endpoint: tokens?.client_endpoint ?? portal.clientEndpoint,
    member_id: portal.memberId,
    application_token: applicationToken,
  };
}

/** The sandbox is its own OAuth server: `<sandbox url>/rest/`. */
function serverEndpoint(portal: PortalCore): string {
  return new URL('/rest/', portal.clientEndpoint).toString();
}

/**
 * `auth[...]` of a robot call, in the order of PROTOCOL §2.2. `domain` is the portal's, not the OAuth server's.
 * Without tokens (no user to mint one for, PROTOCOL §2.2 "Missing auth") only the portal identity is sent.
 */
export function robotAuth(portal: PortalCore, tokens: IssuedTokens | null, applicationToken: string): Record<string, EncodableValue> {
  const identity = portalAuth(portal, tokens, applicationToken);
  if (!tokens) return identity;
  return {
    access_token: tokens.access_token,
    expires: tokens.expires,
    expires_in: tokens.expires_in,
    scope: tokens.scope,
    domain: identity.domain,
    server_endpoint: identity.server_endpoint,
    client_endpoint: identity.client_endpoint,
    member_id: identity.member_id,
    status: tokens.status,
    user_id: tokens.user_id,
    refresh_token: tokens.refresh_token,
    application_token: applicationToken,
  };
}

/**
 * `auth[...]` of events and app notifications, in the order of the ONAPPINSTALL payload (PROTOCOL §4.3). Ordinary
 * events carry no refresh token; ONAPPINSTALL and ONAPPUPDATE do.
 */
export function eventAuth(
  portal: PortalCore,
  tokens: IssuedTokens,
  applicationToken: string,
  withRefresh: boolean,
): Record<string, EncodableValue> {
  const identity = portalAuth(portal, tokens, applicationToken);
  return {
    access_token: tokens.access_token,
    expires: tokens.expires,
    expires_in: tokens.expires_in,
    scope: tokens.scope,
    domain: identity.domain,
    server_endpoint: identity.server_endpoint,
    status: tokens.status,
    client_endpoint: identity.client_endpoint,
    member_id: identity.member_id,
    user_id: tokens.user_id,
    ...(withRefresh ? { refresh_token: tokens.refresh_token } : {}),
    application_token: applicationToken,
  };
}

export function handlerCallBody(call: HandlerCall, auth: Record<string, EncodableValue>): string {
  return encodeBracketForm({
    workflow_id: call.workflowId,
    code: call.code,
    document_id: call.documentId,
    document_type: call.documentType,
    event_token: call.eventToken,
    properties: call.properties,
    use_subscription: call.useSubscription,
    timeout_duration: call.timeoutDuration,
    ts: call.ts,
    auth,
  });
}

export function eventBody(
  event: string,
  data: Record<string, EncodableValue>,
  ts: number,
  auth: Record<string, EncodableValue>,
  handlerId?: number,
): string {
  return encodeBracketForm({
    event,
    ...(handlerId === undefined ? {} : { event_handler_id: handlerId }),
    data,
    ts,
    auth,
  });
}
