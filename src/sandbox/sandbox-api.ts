/**
 * The sandbox-only API under `/sandbox` (never on a real portal): portals, domain change, limits, faults, tokens,
 * webhooks, auth codes, the journal, saving. Parts add their own routes to the same router.
 */
import express, { type Request, type Response, type Router } from 'express';
import { sendJson } from './envelope';
import type { SandboxPortal } from './portal';
import type { SandboxState } from './sandbox';
import { oauthAnswer } from './oauth-http';

export function describePortal(portal: SandboxPortal): Record<string, unknown> {
  return {
    memberId: portal.memberId,
    domain: portal.domain,
    previousDomains: portal.previousDomains,
    clientEndpoint: portal.clientEndpoint,
    timeZone: portal.timeZone,
    culture: portal.culture,
    plan: portal.plan,
    limits: portal.limits,
    faults: portal.faults,
    users: portal.users.length,
  };
}

function describeApp(app: { clientId: string; clientSecret: string; name: string; installUrl: string; scope: string[]; version: number }) {
  return { clientId: app.clientId, clientSecret: app.clientSecret, name: app.name, installUrl: app.installUrl, scope: app.scope, version: app.version };
}

type Handler = (req: Request, res: Response) => unknown | Promise<unknown>;

/** Runs a handler; validation errors (RangeError) are 400, unknown portals 404, both as `{error, error_description}`. */
function route(handler: Handler) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const body = await handler(req, res);
      if (!res.headersSent) sendJson(res, 200, body ?? { ok: true });
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      const notFound = err.message.startsWith('no portal') || err.message.startsWith('no app');
      sendJson(res, notFound ? 404 : 400, { error: notFound ? 'NOT_FOUND' : 'INVALID_ARGUMENT', error_description: err.message });
    }
  };
}

const body = (req: Request): Record<string, any> => (req.body && typeof req.body === 'object' ? req.body : {});

export function sandboxRouter(sandbox: SandboxState, save: () => Promise<void>): Router {
  const router = express.Router();
  router.use(express.json({ limit: '20mb' }));
  const portalOf = (req: Request) => sandbox.portal(String(req.params.portal));
  const firstApp = (clientId: unknown) => {
    const id = typeof clientId === 'string' ? clientId : [...sandbox.apps.keys()][0];
    if (!id || !sandbox.apps.has(id)) throw new RangeError(`no app with client_id ${String(clientId)} in this sandbox`);
    return id;
  };

  router.get('/', route(() => ({
    url: sandbox.url,
    portals: [...sandbox.portals.values()].map(describePortal),
    apps: [...sandbox.apps.values()].map(describeApp),
    methods: sandbox.methods.names(),
  })));
  router.post('/save', route(async () => {
    await save();
    return { saved: true };
  }));

  router.get('/apps', route(() => [...sandbox.apps.values()].map(describeApp)));
  router.post('/apps', route((req) => describeApp(sandbox.addApp(body(req)))));

  router.get('/portals', route(() => [...sandbox.portals.values()].map(describePortal)));
  router.post('/portals', route((req) => describePortal(sandbox.addPortal(body(req)))));
  router.get('/portals/:portal', route((req) => describePortal(portalOf(req))));
  router.post('/portals/:portal/rename', route((req) => describePortal(sandbox.renamePortal(String(req.params.portal), body(req).domain))));

  router.get('/portals/:portal/limits', route((req) => portalOf(req).limits));
  for (const verb of ['put', 'patch', 'post'] as const) {
    router[verb]('/portals/:portal/limits', route((req) => sandbox.setLimits(String(req.params.portal), body(req)).limits));
    router[verb]('/portals/:portal/faults', route((req) => {
      const portal = sandbox.setFaults(String(req.params.portal), body(req));
      return { ...portal.faults, tokenTtlSeconds: portal.limits.tokenTtlSeconds };
    }));
  }
  router.get('/portals/:portal/faults', route((req) => {
    const portal = portalOf(req);
    return { ...portal.faults, tokenTtlSeconds: portal.limits.tokenTtlSeconds };
  }));

  // a token pair as the OAuth server would return it, for tests and manual calls
  router.post('/portals/:portal/tokens', route((req) => {
    const b = body(req);
    const portal = portalOf(req);
    const tokens = sandbox.issueTokens(portal, firstApp(b.clientId), Number(b.userId ?? 1), { withRefresh: b.withRefresh !== false });
    return oauthAnswer(sandbox, tokens);
  }));
  router.post('/portals/:portal/tokens/expire', route((req) => ({ expired: sandbox.expireTokens(String(req.params.portal)) })));

  router.post('/portals/:portal/webhooks', route((req) => {
    const b = body(req);
    const scope = typeof b.scope === 'string' ? b.scope.split(',') : Array.isArray(b.scope) ? b.scope.map(String) : undefined;
    return sandbox.createWebhook(String(req.params.portal), { userId: b.userId === undefined ? undefined : Number(b.userId), scope });
  }));

  // the redirect parameters of the authorize step (b24-docs/settings/oauth/index.md, step 1)
  router.post('/portals/:portal/auth-codes', route((req) => {
    const b = body(req);
    const portal = portalOf(req);
    const clientId = firstApp(b.clientId);
    const code = sandbox.createAuthCode(portal.memberId, clientId, Number(b.userId ?? 1));
    return {
      code,
      ...(b.state !== undefined ? { state: String(b.state) } : {}),
      domain: portal.domain,
      member_id: portal.memberId,
      scope: sandbox.apps.get(clientId)!.scope.join(','),
      server_domain: new URL(sandbox.url).host,
    };
  }));

  router.get('/portals/:portal/journal', route((req) => portalOf(req).journal.snapshot()));
  router.delete('/portals/:portal/journal', route((req) => {
    portalOf(req).journal.clear();
    return { cleared: true };
  }));
  return router;
}
