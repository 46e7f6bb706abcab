/**
 * OAuth tokens per (portal, user). The refresh token rotates on every refresh and the old one is assumed dead
 * (PROTOCOL §4.6), so a refresh must happen once at a time per portal+user: one promise in this process, and a store
 * lock across instances; after taking the lock the stored pair is read again, since another instance may have
 * refreshed it already. The rotated pair is saved before anyone uses it. Refresh happens only when the portal says
 * `expired_token` / `invalid_token` — never on a schedule, which may get the app blocked.
 */
import axios, { type AxiosInstance } from 'axios';
import { B24Error, ClientErrorCode } from './errors';
import { countRequest, type Clock, type ClientLogger } from './runtime';
import type { ClientMetrics, OAuthConfig } from './types';
import type { PortalRecord, Store, TokenRecord } from '../store/types';

const OAUTH_TIMEOUT_MS = 30_000;
const LOCK_TIMEOUT_MS = 60_000;

export interface TokenManager {
  /** The pair to call with: the user's own, or the installing admin's when the user has none. */
  current(portal: PortalRecord, userId: number | null): Promise<TokenRecord>;
  /** The portal rejected `stale`: returns a working pair, refreshing it at most once across callers and instances. */
  refresh(portal: PortalRecord, stale: TokenRecord, method?: string): Promise<TokenRecord>;
}

interface OAuthAnswer {
  access_token?: string;
  refresh_token?: string;
  expires?: number | string;
  expires_in?: number | string;
  scope?: string;
  member_id?: string;
  error?: string;
  error_description?: string;
}

export function createTokenManager(options: {
  store: Store;
  oauth: OAuthConfig;
  http?: AxiosInstance;
  clock: Clock;
  logger: ClientLogger;
  metrics: ClientMetrics;
}): TokenManager {
  const { store, oauth, clock, logger, metrics } = options;
  const http = options.http ?? axios.create();
  const inFlight = new Map<string, Promise<TokenRecord>>();
  const tokenUrl = `${oauth.server.replace(/\/+$/, '')}/oauth/token/`;

  async function requestRefresh(portal: PortalRecord, token: TokenRecord, method: string): Promise<TokenRecord> {
    const secrets = [token.refreshToken, token.accessToken, oauth.clientSecret];
    // Form-encoded POST body, not a query string: keeps the secret and the refresh token out of URLs and logs (§4.6).
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: oauth.clientId,
      client_secret: oauth.clientSecret,
      refresh_token: token.refreshToken,
    }).toString();
    let status: number;
    let answer: OAuthAnswer | null;
    try {
      const response = await http.post(tokenUrl, body, {
        maxRedirects: 0,
        timeout: OAUTH_TIMEOUT_MS,
        validateStatus: () => true,
        responseType: 'text',
        transformResponse: (data: unknown) => data,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      });
      status = response.status;
      countRequest(metrics, 'oauth.token', status);
      try {
        answer = typeof response.data === 'string' ? JSON.parse(response.data) : response.data;
      } catch {
        answer = null;
      }
    } catch (error) {
      countRequest(metrics, 'oauth.token', 0);
      const e = error as { code?: string; message?: string };
      throw new B24Error({
        code: ClientErrorCode.NETWORK_ERROR,
        status: 0,
        method,
        memberId: portal.memberId,
        description: `cannot reach the OAuth server ${new URL(tokenUrl).host}: ${e.code ?? ''} ${e.message ?? ''}`,
        secrets,
      });
    }

    if (status === 200 && answer?.access_token && answer.refresh_token) {
      if (answer.member_id && answer.member_id !== portal.memberId) {
        throw new B24Error({
          code: ClientErrorCode.OAUTH_ERROR,
          status,
          method,
          memberId: portal.memberId,
          description: `the OAuth server answered for another portal: check OAuth server and app keys for ${portal.domain}`,
        });
      }
      const now = clock();
      const expiresAt = answer.expires
        ? new Date(Number(answer.expires) * 1000)
        : new Date(now.getTime() + Number(answer.expires_in ?? 3600) * 1000);
      return {
        memberId: portal.memberId,
        userId: token.userId,
        accessToken: answer.access_token,
        refreshToken: answer.refresh_token,
        expiresAt,
        scope: answer.scope ?? token.scope,
        updatedAt: now,
      };
    }
    const code = answer?.error ?? '';
    const detail = `${code} ${answer?.error_description ?? ''}`.trim() || `HTTP ${status}`;
    if (code === 'invalid_grant') throw B24Error.refreshTokenDead(portal.memberId, portal.domain, detail, method);
    throw new B24Error({
      code: code || ClientErrorCode.OAUTH_ERROR,
      status,
      method,
      memberId: portal.memberId,
      description:
        code === 'invalid_client'
          ? `the OAuth server rejected the app keys: check the client id and secret configured for ${portal.domain}`
          : `the OAuth server refused to refresh the token for ${portal.domain}: ${detail}`,
      secrets,
    });
  }

  async function refreshUnderLock(portal: PortalRecord, stale: TokenRecord, method: string): Promise<TokenRecord> {
    const lockName = `refresh:${portal.memberId}:${stale.userId}`;
    return store.withLock(
      lockName,
      async () => {
        const stored = await store.getToken(portal.memberId, stale.userId);
        if (!stored) throw B24Error.noToken(portal.memberId, portal.domain, stale.userId, method);
        // Another caller or instance refreshed while we waited for the lock: its pair is the one to use.
        if (stored.accessToken !== stale.accessToken) return stored;
        const fresh = await requestRefresh(portal, stored, method);
        // Persist before use: the old refresh token is dead now, losing the new one would lose the portal.
        await store.saveToken(fresh);
        metrics.refreshes += 1;
        logger.info('bitrix24 token refreshed', { portal: portal.memberId, user: stale.userId });
        return fresh;
      },
      { timeoutMs: LOCK_TIMEOUT_MS },
    );
  }

  return {
    async current(portal, userId) {
      const own = userId !== null ? await store.getToken(portal.memberId, userId) : null;
      if (own) return own;
      const admin = await store.getToken(portal.memberId, portal.adminUserId);
      if (admin) return admin;
      throw B24Error.noToken(portal.memberId, portal.domain, userId ?? portal.adminUserId);
    },
    refresh(portal, stale, method = '') {
      const key = `${portal.memberId}:${stale.userId}`;
      const running = inFlight.get(key);
      if (running) return running;
      const flight = refreshUnderLock(portal, stale, method).finally(() => inFlight.delete(key));
      inFlight.set(key, flight);
      return flight;
    },
  };
}
