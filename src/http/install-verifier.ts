/**
 * Verifying an install before trusting anything in it (PROTOCOL §4.4, docs "safe event handlers").
 *
 * An install request names a portal (`member_id`, `domain`, `client_endpoint`) and carries an access token. Nothing
 * but the token can be checked, and only by the OAuth server, the one party that issued it: we ask
 * `${B24_OAUTH_SERVER}/rest/app.info` with the token. Its answer names the app the token belongs to (`client_id`)
 * and the portal it was issued on (`install.member_id`, `install.domain`). We accept the install only when that app
 * is ours and that portal is the one claimed.
 *
 * The portal's REST address is then derived from what the OAuth server said, never from the request: the
 * `client_endpoint` of its answer if it gives one, else `https://<verified domain>/rest/` (a cloud portal's REST
 * base always is). A request's `client_endpoint` is not called before this, and not used at all: a forged install
 * pointing it at an internal address would otherwise make us send the admin's token there.
 */
import axios, { type AxiosInstance } from 'axios';
import { HttpError, HttpErrorCode } from './errors';

export interface InstallClaim {
  accessToken: string;
  memberId: string;
  domain?: string;
}

export interface VerifiedInstall {
  clientId: string;
  memberId: string;
  domain: string;
  /** Trusted REST base of the portal. */
  clientEndpoint: string;
  /** App status (L/F/D/T/P) as the OAuth server reports it; the request's `status` is informational only (docs). */
  status: string | null;
  version: number | null;
  userId: number | null;
}

export type VerifyInstallToken = (claim: InstallClaim) => Promise<VerifiedInstall>;

/** Whose token it is, asked on an already trusted endpoint. */
export type WhoAmI = (clientEndpoint: string, accessToken: string) => Promise<{ userId: number; isAdmin: boolean }>;

const DEFAULT_TIMEOUT_MS = 10_000;

function pick(source: Record<string, any> | undefined, ...keys: string[]): unknown {
  if (!source) return undefined;
  for (const key of keys) if (source[key] !== undefined && source[key] !== null && source[key] !== '') return source[key];
  return undefined;
}

function toInt(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}

function notVerified(reason: string): HttpError {
  return new HttpError(403, HttpErrorCode.INSTALL_NOT_VERIFIED, `install not verified: ${reason}`);
}

/** Reads the OAuth server's `app.info` answer: `{client_id, install: {member_id, domain, status, version, …}}`. */
export function interpretAppInfo(result: Record<string, any>, expectedClientId: string, claim: InstallClaim): VerifiedInstall {
  const install = (typeof result.install === 'object' && result.install) || {};
  const clientId = pick(result, 'client_id', 'CLIENT_ID');
  if (typeof clientId !== 'string') throw notVerified('the OAuth server did not say which app the token belongs to');
  if (clientId !== expectedClientId) throw notVerified('the token belongs to another app (client_id differs from B24_CLIENT_ID)');
  const memberId = pick(install, 'member_id', 'MEMBER_ID') ?? pick(result, 'member_id', 'MEMBER_ID');
  if (typeof memberId !== 'string') throw notVerified('the OAuth server did not say which portal the token belongs to');
  if (memberId !== claim.memberId) throw notVerified(`the token was issued on another portal than member_id ${claim.memberId}`);
  const domain = pick(install, 'domain', 'DOMAIN') ?? pick(result, 'domain', 'DOMAIN');
  if (typeof domain !== 'string' || !/^[a-z0-9.-]+(:\d+)?$/i.test(domain)) throw notVerified('the OAuth server did not give the portal domain');
  if (claim.domain && claim.domain.toLowerCase() !== domain.toLowerCase()) {
    throw notVerified(`the request names domain ${claim.domain}, the OAuth server ${domain}`);
  }
  const endpoint = pick(install, 'client_endpoint', 'CLIENT_ENDPOINT') ?? pick(result, 'client_endpoint', 'CLIENT_ENDPOINT');
  const clientEndpoint = typeof endpoint === 'string' && /^https?:\/\/[^/?#]+\/.*\/$/.test(endpoint) ? endpoint : `https://${domain.toLowerCase()}/rest/`;
  const status = pick(install, 'status', 'STATUS') ?? pick(result, 'status', 'STATUS');
  return {
    clientId,
    memberId,
    domain: domain.toLowerCase(),
    clientEndpoint,
    status: typeof status === 'string' ? status : null,
    version: toInt(pick(install, 'version', 'VERSION') ?? pick(result, 'version', 'VERSION')),
    userId: toInt(pick(result, 'user_id', 'USER_ID') ?? pick(install, 'user_id', 'USER_ID')),
  };
}

function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

export function createInstallVerifier(options: {
  oauthServer: string;
  clientId: string;
  http?: AxiosInstance;
  timeoutMs?: number;
}): VerifyInstallToken {
  const http = options.http ?? axios.create();
  const url = `${options.oauthServer.replace(/\/+$/, '')}/rest/app.info`;
  return async (claim) => {
    let response;
    try {
      // The token goes in the body, not the URL, so it stays out of access logs (REST accepts `auth` there, §4.5).
      response = await http.post(url, form({ auth: claim.accessToken }), {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxRedirects: 0,
        validateStatus: () => true,
        transformResponse: (data) => data,
      });
    } catch (error) {
      throw new HttpError(503, HttpErrorCode.VERIFIER_UNAVAILABLE, `the OAuth server ${options.oauthServer} did not answer (${(error as Error).message}); install again later`);
    }
    let body: any = null;
    try {
      body = typeof response.data === 'string' ? JSON.parse(response.data) : response.data;
    } catch {
      body = null;
    }
    if (response.status >= 500 || (body === null && response.status !== 200)) {
      throw new HttpError(503, HttpErrorCode.VERIFIER_UNAVAILABLE, `the OAuth server answered HTTP ${response.status}; install again later`);
    }
    if (!body || typeof body !== 'object' || body.error || typeof body.result !== 'object' || body.result === null) {
      const code = body && typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
      throw notVerified(`the OAuth server rejected the token (${code})`);
    }
    return interpretAppInfo(body.result, options.clientId, claim);
  };
}

/** `profile` on the trusted endpoint: the user id and admin flag of the token's user. */
export function createWhoAmI(options: { http?: AxiosInstance; timeoutMs?: number } = {}): WhoAmI {
  const http = options.http ?? axios.create();
  return async (clientEndpoint, accessToken) => {
    let response;
    try {
      response = await http.post(`${clientEndpoint}profile`, { auth: accessToken }, {
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxRedirects: 0,
        validateStatus: () => true,
      });
    } catch (error) {
      throw new HttpError(503, HttpErrorCode.VERIFIER_UNAVAILABLE, `the portal did not answer profile (${(error as Error).message}); try again later`);
    }
    const result = response.data?.result;
    const userId = toInt(result?.ID);
    if (response.status !== 200 || !result || userId === null) {
      throw notVerified(`the portal did not tell whose token it is (profile: ${response.data?.error ?? `HTTP ${response.status}`})`);
    }
    return { userId, isAdmin: result.ADMIN === true || result.ADMIN === 'Y' || result.ADMIN === '1' };
  };
}
