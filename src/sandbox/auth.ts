/**
 * Who is calling: an OAuth access token (`auth` / `access_token`, PROTOCOL §4.5) or an incoming webhook
 * (`/rest/<userId>/<code>/<method>`, no app context). Failures carry the portal when it is known, for the journal.
 */
import { RestError } from './contract';
import type { Caller } from './dispatch';
import { findAccessToken, findWebhook } from './oauth-state';
import type { SandboxPortal } from './portal';

export type AuthResult =
  | { ok: true; portal: SandboxPortal; caller: Caller }
  | { ok: false; portal?: SandboxPortal; error: RestError; userId?: number; clientId?: string | null };

export const noAuth = (): RestError => new RestError(401, 'NO_AUTH_FOUND', 'Wrong authorization data');

function userCheck(portal: SandboxPortal, userId: number): RestError | null {
  const user = portal.user(userId);
  // PROTOCOL §4.7: an inactive (or deleted) user cannot be authorised
  if (!user || !user.active) return new RestError(401, 'authorization_error', 'Unable to authorize user');
  return null;
}

/** `pathPortal` is set when the URL named a domain: a token of another portal does not work there. */
export function authenticateToken(
  portals: Iterable<SandboxPortal>,
  token: unknown,
  pathPortal: SandboxPortal | undefined,
  nowMs: number,
): AuthResult {
  if (typeof token !== 'string' || token === '') return { ok: false, portal: pathPortal, error: noAuth() };
  for (const portal of pathPortal ? [pathPortal] : portals) {
    const record = findAccessToken(portal, token);
    if (!record) continue;
    const who = { portal, userId: record.userId, clientId: record.clientId };
    if (record.expiresMs <= nowMs) {
      return { ok: false, ...who, error: new RestError(401, 'expired_token', 'The access token provided has expired') };
    }
    const refused = userCheck(portal, record.userId);
    if (refused) return { ok: false, ...who, error: refused };
    const user = portal.user(record.userId)!;
    return {
      ok: true,
      portal,
      caller: {
        auth: { userId: record.userId, clientId: record.clientId, isAdmin: user.isAdmin, scope: [...record.scope] },
        budgetKey: record.clientId,
      },
    };
  }
  return { ok: false, portal: pathPortal, error: noAuth() };
}

export function authenticateWebhook(
  portals: Iterable<SandboxPortal>,
  userId: number,
  code: string,
  pathPortal: SandboxPortal | undefined,
): AuthResult {
  for (const portal of pathPortal ? [pathPortal] : portals) {
    const hook = findWebhook(portal, code);
    if (!hook) continue;
    if (hook.userId !== userId) return { ok: false, portal, error: noAuth() };
    const refused = userCheck(portal, userId);
    if (refused) return { ok: false, portal, userId, clientId: null, error: refused };
    const user = portal.user(userId)!;
    return {
      ok: true,
      portal,
      caller: {
        auth: { userId, clientId: null, isAdmin: user.isAdmin, scope: [...hook.scope] },
        budgetKey: `webhook:${hook.id}`,
      },
    };
  }
  return { ok: false, portal: pathPortal, error: noAuth() };
}
