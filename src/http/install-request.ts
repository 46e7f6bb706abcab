/**
 * The three shapes an install reaches us in, read into one claim:
 *  - ONAPPINSTALL / ONAPPUPDATE events (no-UI apps and the local app's "initial installation path"): `event`,
 *    `data[VERSION]`, `data[LANGUAGE_ID]`, `auth[access_token|refresh_token|member_id|application_token|user_id|…]`
 *    (PROTOCOL §4.3);
 *  - the UI install page / app page ("simplified OAuth", §4.2): `AUTH_ID`, `REFRESH_ID`, `AUTH_EXPIRES`,
 *    `APPLICATION_TOKEN`, `APPLICATION_SCOPE`, `member_id`, `status`, and `DOMAIN`, `LANG` in the query string;
 *  - ONAPPUNINSTALL: `auth` has only `domain`, endpoints, `member_id` and `application_token`.
 * Nothing here is trusted yet: install.ts verifies it.
 */
import type { FormObject } from '../util/bracket-form';
import { objectField, stringField } from './body';
import { HttpError, HttpErrorCode, missingField } from './errors';

export type InstallSource = 'ONAPPINSTALL' | 'ONAPPUPDATE' | 'page';

export interface InstallClaimRequest {
  source: InstallSource;
  memberId: string;
  applicationToken: string;
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date;
  scope: string;
  domain: string | null;
  serverEndpoint: string | null;
  status: string | null;
  /** The token's user; the page form does not say (learned later with `profile`). */
  userId: number | null;
  version: number | null;
  language: string | null;
}

export interface UninstallRequest {
  source: 'ONAPPUNINSTALL';
  memberId: string | undefined;
  applicationToken: string | undefined;
  clean: boolean;
}

export type InstallRequest = InstallClaimRequest | UninstallRequest;

function required(value: string | undefined, field: string): string {
  if (value === undefined || value === '') throw missingField(field);
  return value;
}

function positiveInt(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n > 0 ? n : null;
}

function expiry(now: Date, expires: string | undefined, expiresIn: string | undefined): Date {
  const at = positiveInt(expires);
  if (at) return new Date(at * 1000);
  return new Date(now.getTime() + (positiveInt(expiresIn) ?? 3600) * 1000);
}

function language(text: string | undefined): string | null {
  return text && /^[a-z]{2}$/i.test(text) ? text.toLowerCase() : null;
}

/** Reads an install, update, uninstall or install-page request; throws 400 for anything else. */
export function readInstallRequest(form: FormObject, query: Record<string, unknown>, now: Date): InstallRequest {
  const event = stringField(form, 'event')?.toUpperCase();
  if (event === 'ONAPPUNINSTALL') {
    const auth = objectField(form, 'auth');
    const data = objectField(form, 'data');
    return {
      source: 'ONAPPUNINSTALL',
      memberId: stringField(auth, 'member_id'),
      applicationToken: stringField(auth, 'application_token'),
      clean: stringField(data, 'CLEAN') === '1',
    };
  }
  if (event === 'ONAPPINSTALL' || event === 'ONAPPUPDATE') {
    const auth = objectField(form, 'auth');
    const data = objectField(form, 'data');
    return {
      source: event,
      memberId: required(stringField(auth, 'member_id'), 'auth[member_id]'),
      applicationToken: required(stringField(auth, 'application_token'), 'auth[application_token]'),
      accessToken: required(stringField(auth, 'access_token'), 'auth[access_token]'),
      refreshToken: stringField(auth, 'refresh_token') || null,
      expiresAt: expiry(now, stringField(auth, 'expires'), stringField(auth, 'expires_in')),
      scope: stringField(auth, 'scope') ?? '',
      domain: stringField(auth, 'domain') || null,
      serverEndpoint: stringField(auth, 'server_endpoint') || null,
      status: stringField(auth, 'status') || null,
      userId: positiveInt(stringField(auth, 'user_id')),
      version: positiveInt(stringField(data, 'VERSION')?.split('.')[0]),
      language: language(stringField(data, 'LANGUAGE_ID')),
    };
  }
  if (event === undefined && stringField(form, 'AUTH_ID')) {
    const domain = stringField(form, 'DOMAIN') ?? (typeof query.DOMAIN === 'string' ? query.DOMAIN : undefined);
    const lang = stringField(form, 'LANG') ?? (typeof query.LANG === 'string' ? query.LANG : undefined);
    return {
      source: 'page',
      memberId: required(stringField(form, 'member_id'), 'member_id'),
      applicationToken: required(stringField(form, 'APPLICATION_TOKEN'), 'APPLICATION_TOKEN'),
      accessToken: required(stringField(form, 'AUTH_ID'), 'AUTH_ID'),
      refreshToken: stringField(form, 'REFRESH_ID') || null,
      expiresAt: expiry(now, undefined, stringField(form, 'AUTH_EXPIRES')),
      scope: stringField(form, 'APPLICATION_SCOPE') ?? '',
      domain: domain || null,
      serverEndpoint: stringField(form, 'SERVER_ENDPOINT') || null,
      status: stringField(form, 'status') || null,
      userId: null,
      version: null,
      language: language(lang),
    };
  }
  throw new HttpError(
    400,
    HttpErrorCode.UNKNOWN_EVENT,
    `not an install request (event "${event ?? ''}"): expected ONAPPINSTALL, ONAPPUPDATE, ONAPPUNINSTALL or the install page form (AUTH_ID, member_id, APPLICATION_TOKEN)`,
  );
}
