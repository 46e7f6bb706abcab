/**
 * The client's error: one class for REST errors (Bitrix24's own code and description kept) and for the client's own
 * failures (stable codes below, with a message that names the fix). Messages never carry tokens or secrets.
 */
import type { B24ErrorShape } from './types';

/** Codes the client itself raises (REST errors keep Bitrix24's code: `NOT_FOUND`, `expired_token`, `''`, …). */
export const ClientErrorCode = {
  PORTAL_NOT_INSTALLED: 'PORTAL_NOT_INSTALLED',
  PORTAL_UNINSTALLED: 'PORTAL_UNINSTALLED',
  NO_TOKEN: 'NO_TOKEN',
  /** OAuth server: the refresh token expired, was revoked or was already used (PROTOCOL §4.6). */
  INVALID_GRANT: 'invalid_grant',
  OAUTH_ERROR: 'OAUTH_ERROR',
  NETWORK_ERROR: 'NETWORK_ERROR',
  BAD_RESPONSE: 'BAD_RESPONSE',
  BAD_REDIRECT: 'BAD_REDIRECT',
  CLIENT_CLOSED: 'CLIENT_CLOSED',
  LIST_NOT_SUPPORTED: 'LIST_NOT_SUPPORTED',
} as const;

/** Parameter names whose values are secrets, in any of the shapes they travel in (JSON, form, query). */
const SECRET_KEYS = [
  'auth',
  'access_token',
  'refresh_token',
  'client_secret',
  'application_token',
  'event_token',
  'auth_id',
  'refresh_id',
];
const KEY_GROUP = `(?:${SECRET_KEYS.join('|')})`;
// "access_token":"x" / 'auth': 'x'
const JSON_PAIR = new RegExp(`(["']?${KEY_GROUP}["']?\\s*[:=]\\s*)(["'])(?:\\\\.|(?!\\2).)*\\2`, 'gi');
// access_token=x& / auth[access_token]=x
const FORM_PAIR = new RegExp(`((?:^|[?&\\s\\[])${KEY_GROUP}\\]?=)[^&\\s"']*`, 'gi');

/** Removes secret values from a text: known key/value shapes and any literal secret passed in. */
export function redactSecrets(text: string, secrets: Iterable<string | null | undefined> = []): string {
  let out = text.replace(JSON_PAIR, '$1$2[redacted]$2').replace(FORM_PAIR, '$1[redacted]');
  for (const secret of secrets) {
    // Short values (user ids, "Y") are not secrets and would mangle the text.
    if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** Fitting HTTP status for an error code that arrived without one (a batch sub-call carries no status). */
export function statusForCode(code: string): number {
  switch (code) {
    case 'expired_token':
    case 'invalid_token':
    case 'NO_AUTH_FOUND':
    case 'authorization_error':
      return 401;
    case 'ACCESS_DENIED':
    case 'insufficient_scope':
    case 'user_access_error':
    case 'WRONG_AUTH_TYPE':
      return 403;
    case 'ERROR_METHOD_NOT_FOUND':
      return 404;
    case 'ERROR_BATCH_METHOD_NOT_ALLOWED':
      return 405;
    case 'OPERATION_TIME_LIMIT':
      return 429;
    case 'INTERNAL_SERVER_ERROR':
    case 'ERROR_UNEXPECTED_ANSWER':
      return 500;
    case 'QUERY_LIMIT_EXCEEDED':
    case 'OVERLOAD_LIMIT':
      return 503;
    default:
      return 400;
  }
}

export interface B24ErrorInit {
  code: string;
  status: number;
  description: string;
  method: string;
  memberId?: string;
  /** Seconds-since-epoch from an error body's `time.operating_reset_at`, when the portal sent one. */
  operatingResetAt?: number;
  /** Literal secrets to scrub from the description (tokens known to the caller). */
  secrets?: Iterable<string | null | undefined>;
}

export class B24Error extends Error implements B24ErrorShape {
  readonly code: string;
  readonly status: number;
  readonly description: string;
  readonly method: string;
  readonly memberId?: string;
  readonly operatingResetAt?: number;

  constructor(init: B24ErrorInit) {
    const description = redactSecrets(init.description, init.secrets);
    const where = init.method ? `${init.method}: ` : '';
    super(`${where}${init.code || 'error'} (${init.status}) ${description}`.trim());
    this.name = 'B24Error';
    this.code = init.code;
    this.status = init.status;
    this.description = description;
    this.method = init.method;
    if (init.memberId !== undefined) this.memberId = init.memberId;
    if (init.operatingResetAt !== undefined) this.operatingResetAt = init.operatingResetAt;
  }

  static portalNotInstalled(memberId: string, method = ''): B24Error {
    return new B24Error({
      code: ClientErrorCode.PORTAL_NOT_INSTALLED,
      status: 0,
      method,
      memberId,
      description: `portal ${memberId} is not installed: open the app in Bitrix24 once, or run \`b24robots portals\``,
    });
  }

  static portalUninstalled(memberId: string, domain: string, method = ''): B24Error {
    return new B24Error({
      code: ClientErrorCode.PORTAL_UNINSTALLED,
      status: 0,
      method,
      memberId,
      description: `the app was uninstalled from ${domain}: install it again to resume work on this portal`,
    });
  }

  static noToken(memberId: string, domain: string, userId: number, method = ''): B24Error {
    return new B24Error({
      code: ClientErrorCode.NO_TOKEN,
      status: 0,
      method,
      memberId,
      description:
        `no OAuth token stored for user ${userId} or the admin on ${domain}: ` +
        'reinstall the app (or open it in Bitrix24 once) so the install event stores one',
    });
  }

  static refreshTokenDead(memberId: string, domain: string, detail: string, method = ''): B24Error {
    return new B24Error({
      code: ClientErrorCode.INVALID_GRANT,
      status: 400,
      method,
      memberId,
      description: `the refresh token is dead: reinstall the app on ${domain} (${detail})`,
    });
  }

  /** A plain object for logs and run records. */
  toJSON(): B24ErrorShape & { memberId?: string } {
    return {
      code: this.code,
      status: this.status,
      description: this.description,
      method: this.method,
      ...(this.memberId ? { memberId: this.memberId } : {}),
    };
  }
}

export function isB24Error(error: unknown): error is B24Error {
  return error instanceof B24Error;
}
