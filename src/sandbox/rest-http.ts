/**
 * The REST endpoint: `/rest/<method>[.json]`, `/rest/<userId>/<webhook>/<method>`, and the same under
 * `/<domain>/rest/…` (the portals' client_endpoint). An old domain answers 302 to the new one (PROTOCOL §4.5).
 * Order of checks: auth, the portal's leaky bucket (a batch is one request), injected faults, then the call.
 */
import type { RequestHandler, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { authenticateToken, authenticateWebhook, type AuthResult } from './auth';
import { RestError, type CallerAuth } from './contract';
import { executeCall, type DispatchHost } from './dispatch';
import { errorBody, sendJson, timeObject } from './envelope';
import { oauthAppInfo } from './system-methods';
import type { SandboxPortal } from './portal';
import { BadRequestError, readRequestParams } from './request-params';

export interface RestHost extends DispatchHost {
  readonly url: string;
  readonly portals: Map<string, SandboxPortal>;
  /** The portal serving a domain; `moved` when it is one of the portal's old domains. */
  portalByDomain(domain: string): { portal: SandboxPortal; moved: boolean } | undefined;
}

interface RestRoute {
  domain?: string;
  webhook?: { userId: number; code: string };
  method: string;
}

const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => RestRoute]> = [
  [/^\/rest\/(\d+)\/([^/]+)\/([^/]+?)\/?$/, (m) => ({ webhook: { userId: Number(m[1]), code: m[2] }, method: m[3] })],
  [/^\/rest\/([^/]+?)\/?$/, (m) => ({ method: m[1] })],
  [
    /^\/([^/]+)\/rest\/(\d+)\/([^/]+)\/([^/]+?)\/?$/,
    (m) => ({ domain: m[1], webhook: { userId: Number(m[2]), code: m[3] }, method: m[4] }),
  ],
  [/^\/([^/]+)\/rest\/([^/]+?)\/?$/, (m) => ({ domain: m[1], method: m[2] })],
];

function matchRoute(path: string): RestRoute | null {
  for (const [re, build] of PATTERNS) {
    const m = re.exec(path);
    if (m) return build(m);
  }
  return null;
}

/** `crm.item.list.json` → `crm.item.list`. The server lower-cases method names (PROTOCOL §4.5). XML is not emulated. */
function methodName(raw: string): string {
  let name = raw;
  try {
    name = decodeURIComponent(raw);
  } catch {
    /* keep as sent: the lookup fails with ERROR_METHOD_NOT_FOUND */
  }
  return name.replace(/\.(json|xml)$/i, '').toLowerCase();
}

function refuse(host: RestHost, portal: SandboxPortal | undefined, method: string, error: RestError, who: { userId?: number | null; clientId?: string | null }): void {
  portal?.journal.record({
    method,
    at: host.now().toISOString(),
    status: error.status,
    error: String(error.error),
    userId: who.userId ?? null,
    clientId: who.clientId ?? null,
  });
}

function sendOAuthAppInfo(res: Response, host: RestHost, portal: SandboxPortal, auth: CallerAuth): void {
  try {
    const result = oauthAppInfo(host.core, portal, auth);
    sendJson(res, 200, { result, time: timeObject(portal.timeZone, host.now().getTime(), 0, 0) });
  } catch (error) {
    if (error instanceof RestError) return sendJson(res, error.status, errorBody(error));
    throw error;
  }
}

export function restHandler(host: RestHost): RequestHandler {
  return async (req, res, next) => {
    const route = matchRoute(req.path);
    if (!route || (req.method !== 'GET' && req.method !== 'POST')) return next();
    let pathPortal: SandboxPortal | undefined;
    if (route.domain !== undefined) {
      const found = host.portalByDomain(route.domain.toLowerCase());
      if (!found) {
        return sendJson(res, 404, { error: 'NOT_FOUND', error_description: `No portal with domain ${route.domain} in this sandbox` });
      }
      if (found.moved) {
        // the portal's address changed: the old domain redirects, and a POST must be re-sent to Location
        const original = req.originalUrl;
        res.redirect(302, `${host.url}/${found.portal.domain}${original.slice(original.indexOf('/rest/'))}`);
        return;
      }
      pathPortal = found.portal;
    }
    const method = methodName(route.method);
    let params: Record<string, any>;
    try {
      params = await readRequestParams(req);
    } catch (err) {
      if (err instanceof BadRequestError) return sendJson(res, 400, { error: 'INVALID_REQUEST', error_description: err.message });
      throw err;
    }
    const token = params.auth ?? params.access_token;
    // the token is removed from the params before the method runs (PROTOCOL §4.5)
    delete params.auth;
    delete params.access_token;
    const nowMs = host.now().getTime();
    const auth: AuthResult = route.webhook
      ? authenticateWebhook(host.portals.values(), route.webhook.userId, route.webhook.code, pathPortal)
      : authenticateToken(host.portals.values(), token, pathPortal, nowMs);
    if (!auth.ok) {
      auth.portal?.journal.countHttpRequest();
      refuse(host, auth.portal, method, auth.error, auth);
      return sendJson(res, auth.error.status, errorBody(auth.error));
    }
    const { portal, caller } = auth;
    portal.journal.countHttpRequest();
    const who = { userId: caller.auth.userId, clientId: caller.auth.clientId };
    if (portal.limits.bucket.enabled && !portal.bucket.take(nowMs, portal.limits.bucket)) {
      const error = new RestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
      refuse(host, portal, method, error, who);
      return sendJson(res, 503, errorBody(error));
    }
    if (portal.faults.latencyMs > 0) await sleep(portal.faults.latencyMs);
    if (portal.faults.errorRate > 0 && portal.random() < portal.faults.errorRate) {
      const error = new RestError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      refuse(host, portal, method, error, who);
      return sendJson(res, 500, errorBody(error));
    }
    if (method === 'app.info' && route.domain === undefined && !route.webhook) {
      // `<url>/rest/` is also the OAuth server's server_endpoint: answer its trusted view of the token there
      return sendOAuthAppInfo(res, host, portal, caller.auth);
    }
    const outcome = await executeCall(host, { portal, caller, method, params, inBatch: false });
    if (!outcome.ok) return sendJson(res, outcome.error.status, errorBody(outcome.error));
    // list methods: `next` and `total` move to the top level of the envelope (PROTOCOL §5.1)
    sendJson(res, 200, {
      result: outcome.result,
      ...(outcome.next !== undefined ? { next: outcome.next } : {}),
      ...(outcome.total !== undefined ? { total: outcome.total } : {}),
      time: outcome.time,
    });
  };
}
