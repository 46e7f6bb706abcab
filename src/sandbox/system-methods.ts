/**
 * Methods of the `basic` scope that belong to the platform: `app.info` (also answered on the OAuth server's
 * `/rest/app.info` for the secure install check, PROTOCOL §4.4), `profile`, `scope`, `server.time`.
 */
import { RestError, type MethodRegistry, type PortalCore, type SandboxCore } from './contract';
import { getInstallation } from './oauth-state';
import { isoWithOffset, offsetSeconds } from './time-format';

/** The sandbox's view of an app: the contract's fields plus what app.info shows. */
export interface PlatformApp {
  clientId: string;
  clientSecret: string;
  name: string;
  installUrl: string;
  scope: string[];
  version: number;
  /** app.info ID when not installed on the portal. */
  id: number;
  /** app.info CODE. */
  code: string;
  /** `L` for a local app (client_id `local.…`), `F` for a free market app, … (app.info STATUS). */
  status: string;
}

/** `LICENSE` is the portal's language plus the plan (b24-docs app-info.md: `de_std`, `de_ent250`, …). */
function license(portal: PortalCore): { LICENSE: string; LICENSE_TYPE: string; LICENSE_FAMILY: string } {
  const type = portal.plan === 'enterprise' ? 'ent250' : 'std';
  return { LICENSE: `${portal.culture}_${type}`, LICENSE_TYPE: type, LICENSE_FAMILY: portal.plan === 'enterprise' ? 'ent' : 'std' };
}

export function appInfo(sandbox: SandboxCore, portal: PortalCore, clientId: string | null): Record<string, unknown> {
  // docs (app-info.md, "Error Handling"): a call outside an app context is 400 ACCESS_DENIED
  if (clientId === null) throw new RestError(400, 'ACCESS_DENIED', 'Access denied! Application context required');
  const app = sandbox.apps.get(clientId) as PlatformApp | undefined;
  if (!app) throw new RestError(400, 'ACCESS_DENIED', 'Access denied! Application context required');
  const installation = getInstallation(portal, clientId);
  return {
    ID: installation?.id ?? app.id,
    CODE: app.code,
    VERSION: installation?.version ?? app.version,
    STATUS: app.status,
    INSTALLED: installation?.installed ?? false,
    PAYMENT_EXPIRED: 'N',
    DAYS: null,
    LANGUAGE_ID: portal.culture,
    ...license(portal),
  };
}

/**
 * `app.info` as the OAuth server answers it at `server_endpoint` (`oauth.bitrix.info/rest/app.info`): the trusted
 * view of the token — which app it belongs to and on which portal it was issued — used for the secure install check
 * (docs: settings/oauth/simple-way.md "call app.info on the authorization server"; PROTOCOL §4.4).
 * The field set (`client_id`, `install{…}`) follows the OAuth server's known answer and is unconfirmed by the docs;
 * `install.client_endpoint` is a sandbox addition, because sandbox domains are not resolvable hosts.
 */
export function oauthAppInfo(
  sandbox: SandboxCore,
  portal: PortalCore,
  auth: { clientId: string | null; userId: number; scope: string[] },
): Record<string, unknown> {
  if (auth.clientId === null) throw new RestError(400, 'ACCESS_DENIED', 'Access denied! Application context required');
  const app = sandbox.apps.get(auth.clientId) as PlatformApp | undefined;
  if (!app) throw new RestError(401, 'invalid_token', 'The access token provided is invalid');
  const installation = getInstallation(portal, auth.clientId);
  return {
    scope: auth.scope.join(','),
    client_id: auth.clientId,
    user_id: auth.userId,
    install: {
      installed: installation?.installed ?? false,
      version: installation?.version ?? app.version,
      status: app.status,
      domain: portal.domain,
      member_id: portal.memberId,
      client_endpoint: portal.clientEndpoint,
    },
  };
}

export function registerSystemMethods(registry: MethodRegistry): void {
  // app.info's docs example shows `operating: 0`: it costs no operating time
  registry.register('app.info', (ctx) => appInfo(ctx.sandbox, ctx.portal, ctx.auth.clientId), { cost: 0 });

  registry.register(
    'profile',
    (ctx) => {
      const user = ctx.portal.users.find((u) => u.id === ctx.auth.userId);
      if (!user) throw new RestError(401, 'authorization_error', 'Unable to authorize user');
      return {
        ID: String(user.id),
        ADMIN: user.isAdmin,
        NAME: user.name,
        LAST_NAME: user.lastName,
        PERSONAL_GENDER: '',
        PERSONAL_PHOTO: '',
        TIME_ZONE: null,
        TIME_ZONE_OFFSET: offsetSeconds(ctx.now, ctx.portal.timeZone),
      };
    },
    { cost: 0 },
  );

  registry.register('scope', (ctx) => [...ctx.auth.scope], { cost: 0 });

  registry.register('server.time', (ctx) => isoWithOffset(ctx.now, ctx.portal.timeZone), { cost: 0 });
}
