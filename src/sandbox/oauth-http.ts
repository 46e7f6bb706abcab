/**
 * The OAuth server (`oauth.bitrix.info` in the cloud) at `<sandbox url>/oauth/token/`, GET or POST
 * (b24-docs/settings/oauth/index.md, auto-renewal.md; PROTOCOL §4.6):
 *  - `grant_type=refresh_token`: a new pair; the used refresh token is dead (rotation), reuse → `invalid_grant`;
 *  - `grant_type=authorization_code`: a one-time code, valid 30 s, minted through the sandbox API.
 * The response's `domain` is the OAuth server's host, not the portal. Errors are `{error, error_description}` with
 * the codes of b24-docs/settings/oauth/error-codes.md; HTTP 400, and 401 for `invalid_client` (the docs give no
 * statuses; the PHP SDK treats 400 + `invalid_grant` as "re-authorization required").
 */
import type { RequestHandler } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IssuedTokens } from './contract';
import { sendJson } from './envelope';
import { findRefreshToken, oauthState, takeAuthCode, takeRefreshToken } from './oauth-state';
import type { SandboxPortal } from './portal';
import { BadRequestError, readRequestParams } from './request-params';
import type { PlatformApp } from './system-methods';

export interface OAuthHost {
  readonly url: string;
  readonly portals: Map<string, SandboxPortal>;
  readonly apps: Map<string, PlatformApp>;
  now(): Date;
  grantTokens(portal: SandboxPortal, clientId: string, userId: number, scope: string[], withRefresh: boolean): IssuedTokens;
}

const DESCRIPTIONS: Record<string, string> = {
  invalid_request: 'An incorrectly formatted authorization request was provided',
  invalid_client: 'Invalid client data was provided. The application may not be installed in Bitrix24',
  invalid_grant: 'Invalid authorization data was provided for obtaining access_token',
};

function fail(res: Parameters<RequestHandler>[1], code: keyof typeof DESCRIPTIONS): void {
  sendJson(res, code === 'invalid_client' ? 401 : 400, { error: code, error_description: DESCRIPTIONS[code] });
}

/** Constant-time comparison of secrets (STYLE: compare secrets in constant time). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** The OAuth server's answer: the docs' field order, `domain` = the OAuth server. */
export function oauthAnswer(host: { url: string }, tokens: IssuedTokens): Record<string, unknown> {
  return {
    access_token: tokens.access_token,
    client_endpoint: tokens.client_endpoint,
    domain: new URL(host.url).host,
    expires: tokens.expires,
    expires_in: tokens.expires_in,
    member_id: tokens.member_id,
    refresh_token: tokens.refresh_token,
    scope: tokens.scope,
    server_endpoint: tokens.server_endpoint,
    status: tokens.status,
    user_id: tokens.user_id,
  };
}

export function oauthTokenHandler(host: OAuthHost): RequestHandler {
  return async (req, res) => {
    let params: Record<string, any>;
    try {
      params = await readRequestParams(req);
    } catch (err) {
      if (err instanceof BadRequestError) return fail(res, 'invalid_request');
      throw err;
    }
    const str = (v: unknown): string => (typeof v === 'string' ? v : '');
    const grantType = str(params.grant_type);
    const clientId = str(params.client_id);
    if (!grantType || !clientId) return fail(res, 'invalid_request');
    const app = host.apps.get(clientId);
    if (!app || !sameSecret(str(params.client_secret), app.clientSecret)) return fail(res, 'invalid_client');
    const nowMs = host.now().getTime();

    if (grantType === 'refresh_token') {
      const token = str(params.refresh_token);
      if (!token) return fail(res, 'invalid_request');
      for (const portal of host.portals.values()) {
        const record = findRefreshToken(portal, token);
        // a refresh token of another app is not consumed by a wrong client
        if (!record || record.clientId !== clientId) continue;
        const taken = takeRefreshToken(portal, token, nowMs);
        if (!taken) return fail(res, 'invalid_grant');
        return sendJson(res, 200, oauthAnswer(host, host.grantTokens(portal, clientId, taken.userId, taken.scope, true)));
      }
      return fail(res, 'invalid_grant');
    }

    if (grantType === 'authorization_code') {
      const code = str(params.code);
      if (!code) return fail(res, 'invalid_request');
      for (const portal of host.portals.values()) {
        const pending = oauthState(portal).codes;
        if (!Object.prototype.hasOwnProperty.call(pending, code) || pending[code].clientId !== clientId) continue;
        const taken = takeAuthCode(portal, code, nowMs);
        if (!taken) return fail(res, 'invalid_grant');
        return sendJson(res, 200, oauthAnswer(host, host.grantTokens(portal, clientId, taken.userId, app.scope, true)));
      }
      return fail(res, 'invalid_grant');
    }

    return fail(res, 'invalid_request');
  };
}
