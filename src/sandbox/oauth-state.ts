/**
 * OAuth state of one portal, kept as plain JSON in `portal.state.oauth` so it is saved with the portal:
 * access and refresh tokens, app installations (with their `application_token`), incoming webhooks, auth codes.
 *
 * Installation helpers are exported for the bizproc part, which runs the install/update/uninstall flows:
 * `createInstallation` (returns the record with its 32-hex application_token), `finishInstallation`,
 * `setApplicationToken`, `removeInstallation` (revokes the app's tokens on that portal), `getInstallation`.
 */
import { randomBytes } from 'node:crypto';
import type { PortalCore } from './contract';

export interface AccessTokenRecord {
  clientId: string;
  userId: number;
  scope: string[];
  expiresMs: number;
}

export interface RefreshTokenRecord {
  clientId: string;
  userId: number;
  scope: string[];
  expiresMs: number;
}

export interface InstallationRecord {
  clientId: string;
  /** The app's local ID on this portal (`app.info` ID). */
  id: number;
  /** Constant per app per portal; sent with every event and robot call (PROTOCOL §4.4). */
  applicationToken: string;
  /** False until a UI app calls installFinish (`app.info` INSTALLED). */
  installed: boolean;
  version: number;
  installedAt: string;
}

export interface WebhookRecord {
  id: number;
  userId: number;
  code: string;
  scope: string[];
}

export interface AuthCodeRecord {
  clientId: string;
  userId: number;
  expiresMs: number;
}

export interface OAuthState {
  access: Record<string, AccessTokenRecord>;
  refresh: Record<string, RefreshTokenRecord>;
  installations: Record<string, InstallationRecord>;
  webhooks: Record<string, WebhookRecord>;
  codes: Record<string, AuthCodeRecord>;
  nextId: number;
}

/** Refresh tokens live 180 days (PROTOCOL §4.6). */
export const REFRESH_TTL_MS = 180 * 24 * 3600 * 1000;
/** Authorization codes live 30 s (b24-docs/settings/oauth/index.md). */
export const AUTH_CODE_TTL_MS = 30 * 1000;
/** Expired access tokens are remembered this long so they answer `expired_token`, not `NO_AUTH_FOUND`. */
const EXPIRED_MEMORY_MS = 7 * 24 * 3600 * 1000;

const ALPHANUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Random lower-case alphanumerics, like the tokens in the OAuth docs (`ydtj8pho532wydb5ixk78ol7uqlb7sch`). */
export function randomToken(length = 32): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUM[bytes[i] % ALPHANUM.length];
  return out;
}

export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}

/** Own-key lookup: token strings come from the network and must never reach Object.prototype. */
function own<T>(map: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

export function oauthState(portal: PortalCore): OAuthState {
  const current = portal.state.oauth as Partial<OAuthState> | undefined;
  const state: OAuthState = {
    access: current?.access ?? {},
    refresh: current?.refresh ?? {},
    installations: current?.installations ?? {},
    webhooks: current?.webhooks ?? {},
    codes: current?.codes ?? {},
    nextId: current?.nextId ?? 1,
  };
  portal.state.oauth = state;
  return state;
}

function prune(state: OAuthState, nowMs: number): void {
  for (const [token, rec] of Object.entries(state.access)) {
    if (rec.expiresMs + EXPIRED_MEMORY_MS < nowMs) delete state.access[token];
  }
  for (const [token, rec] of Object.entries(state.refresh)) {
    if (rec.expiresMs < nowMs) delete state.refresh[token];
  }
  for (const [code, rec] of Object.entries(state.codes)) {
    if (rec.expiresMs < nowMs) delete state.codes[code];
  }
}

export interface MintedTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresMs: number;
}

export function mintTokens(
  portal: PortalCore,
  grant: { clientId: string; userId: number; scope: string[]; ttlSeconds: number; withRefresh: boolean },
  nowMs: number,
): MintedTokens {
  const state = oauthState(portal);
  prune(state, nowMs);
  const accessToken = randomToken();
  const expiresMs = nowMs + grant.ttlSeconds * 1000;
  state.access[accessToken] = { clientId: grant.clientId, userId: grant.userId, scope: [...grant.scope], expiresMs };
  let refreshToken: string | null = null;
  if (grant.withRefresh) {
    refreshToken = randomToken();
    state.refresh[refreshToken] = {
      clientId: grant.clientId,
      userId: grant.userId,
      scope: [...grant.scope],
      expiresMs: nowMs + REFRESH_TTL_MS,
    };
  }
  return { accessToken, refreshToken, expiresMs };
}

export function findAccessToken(portal: PortalCore, token: string): AccessTokenRecord | undefined {
  return own(oauthState(portal).access, token);
}

export function findRefreshToken(portal: PortalCore, token: string): RefreshTokenRecord | undefined {
  return own(oauthState(portal).refresh, token);
}

/** Takes a refresh token out (rotation: a used refresh token is dead). Undefined when unknown, used or expired. */
export function takeRefreshToken(portal: PortalCore, token: string, nowMs: number): RefreshTokenRecord | undefined {
  const state = oauthState(portal);
  const rec = own(state.refresh, token);
  if (!rec) return undefined;
  delete state.refresh[token];
  return rec.expiresMs > nowMs ? rec : undefined;
}

/** Makes every access token of the portal expire now (refresh tokens keep working). */
export function expireAccessTokens(portal: PortalCore, nowMs: number): number {
  const state = oauthState(portal);
  let count = 0;
  for (const rec of Object.values(state.access)) {
    if (rec.expiresMs > nowMs) {
      rec.expiresMs = nowMs;
      count++;
    }
  }
  return count;
}

export function revokeAppTokens(portal: PortalCore, clientId: string): void {
  const state = oauthState(portal);
  for (const map of [state.access, state.refresh] as Array<Record<string, { clientId: string }>>) {
    for (const [token, rec] of Object.entries(map)) if (rec.clientId === clientId) delete map[token];
  }
}

export function getInstallation(portal: PortalCore, clientId: string): InstallationRecord | undefined {
  return own(oauthState(portal).installations, clientId);
}

/** Creates (or returns the existing) installation of an app on a portal, with a fresh 32-hex application_token. */
export function createInstallation(
  portal: PortalCore,
  clientId: string,
  options: { installed?: boolean; version?: number; at?: Date } = {},
): InstallationRecord {
  const state = oauthState(portal);
  const existing = own(state.installations, clientId);
  if (existing) {
    if (options.version !== undefined) existing.version = options.version;
    if (options.installed !== undefined) existing.installed = options.installed;
    return existing;
  }
  const record: InstallationRecord = {
    clientId,
    id: state.nextId++,
    applicationToken: randomHex(32),
    installed: options.installed ?? true,
    version: options.version ?? 1,
    installedAt: (options.at ?? new Date()).toISOString(),
  };
  state.installations[clientId] = record;
  return record;
}

/** Marks a UI app's installation finished (BX24.installFinish). */
export function finishInstallation(portal: PortalCore, clientId: string): InstallationRecord {
  const record = getInstallation(portal, clientId);
  if (!record) throw new Error(`app ${clientId} is not installed on ${portal.domain}: call createInstallation first`);
  record.installed = true;
  return record;
}

export function setApplicationToken(portal: PortalCore, clientId: string, token: string): InstallationRecord {
  const record = getInstallation(portal, clientId) ?? createInstallation(portal, clientId);
  record.applicationToken = token;
  return record;
}

/** Uninstall: the installation goes away, and with it every token of the app on this portal. */
export function removeInstallation(portal: PortalCore, clientId: string): boolean {
  const state = oauthState(portal);
  const had = own(state.installations, clientId) !== undefined;
  delete state.installations[clientId];
  revokeAppTokens(portal, clientId);
  return had;
}

export function createWebhook(portal: PortalCore, userId: number, scope: string[]): WebhookRecord {
  const state = oauthState(portal);
  const record: WebhookRecord = { id: state.nextId++, userId, code: randomToken(16), scope: [...scope] };
  state.webhooks[record.code] = record;
  return record;
}

export function findWebhook(portal: PortalCore, code: string): WebhookRecord | undefined {
  return own(oauthState(portal).webhooks, code);
}

export function mintAuthCode(portal: PortalCore, clientId: string, userId: number, nowMs: number): string {
  const state = oauthState(portal);
  prune(state, nowMs);
  const code = randomToken();
  state.codes[code] = { clientId, userId, expiresMs: nowMs + AUTH_CODE_TTL_MS };
  return code;
}

/** Codes are single-use; undefined when unknown, used or older than 30 s. */
export function takeAuthCode(portal: PortalCore, code: string, nowMs: number): AuthCodeRecord | undefined {
  const state = oauthState(portal);
  const rec = own(state.codes, code);
  if (!rec) return undefined;
  delete state.codes[code];
  return rec.expiresMs > nowMs ? rec : undefined;
}
