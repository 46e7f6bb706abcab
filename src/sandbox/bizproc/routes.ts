/**
 * The bizproc part's sandbox-only HTTP API, under `/sandbox/portals/:memberId/...` (the router is mounted at
 * `/sandbox`): place robots on stages, attach workflow templates, read the workflow log and the outbound calls,
 * install/update/uninstall an app, expire timeouts, and wait until the portal is idle. JSON in, JSON out;
 * errors are `{error, error_description}` with a message naming the fix. JSON bodies are parsed by the platform's router.
 */
import type { NextFunction, Request, Response, Router } from 'express';
import type { PortalCore, SandboxCore } from '../contract';
import { installApp, uninstallApp, updateApp } from './apps';
import { listAutomation, placeRobot, removeRobot } from './automation';
import { runDueTimeouts } from './engine';
import { outboundCalls } from './outbound';
import { whenIdle } from './runtime';
import { bizprocState } from './state';
import { workflowLog } from './workflow-log';
import { attachTemplate, startTemplate } from './workflows';

class NotFound extends Error {}

function portalOf(sandbox: SandboxCore, memberId: string): PortalCore {
  const portal = sandbox.portals.get(memberId) ?? [...sandbox.portals.values()].find((p) => p.domain === memberId);
  if (!portal) throw new NotFound(`no portal "${memberId}" in this sandbox: use a member_id or domain from GET /sandbox/portals`);
  return portal;
}

type Handler = (req: Request, portal: PortalCore) => unknown;

function route(sandbox: SandboxCore, handler: Handler, status = 200) {
  return async (req: Request, res: Response, _next: NextFunction) => {
    try {
      const result = await handler(req, portalOf(sandbox, String(req.params.memberId)));
      res.status(status).json(result);
    } catch (error) {
      const description = error instanceof Error ? error.message : String(error);
      const notFound = error instanceof NotFound;
      res.status(notFound ? 404 : 400).json({ error: notFound ? 'NOT_FOUND' : 'INVALID_ARGUMENT', error_description: description });
    }
  };
}

function body(req: Request): Record<string, any> {
  return (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, any>;
}

export function bizprocRoutes(router: Router, sandbox: SandboxCore): void {
  const base = '/portals/:memberId';

  router.get(`${base}/bizproc/automation`, route(sandbox, (_req, portal) => listAutomation(portal)));
  router.post(`${base}/bizproc/automation`, route(sandbox, (req, portal) => placeRobot(portal, body(req) as any), 201));
  router.delete(
    `${base}/bizproc/automation/:step`,
    route(sandbox, (req, portal) => {
      if (!removeRobot(portal, String(req.params.step))) throw new NotFound(`no robot "${String(req.params.step)}" is placed`);
      return { removed: true };
    }),
  );

  router.get(`${base}/bizproc/templates`, route(sandbox, (_req, portal) => bizprocState(portal).templates));
  router.post(`${base}/bizproc/templates`, route(sandbox, (req, portal) => attachTemplate(portal, body(req) as any), 201));
  router.post(
    `${base}/bizproc/templates/:id/start`,
    route(sandbox, (req, portal) => {
      const template = bizprocState(portal).templates.find((t) => t.id === Number(req.params.id));
      if (!template) throw new NotFound(`no workflow template ${String(req.params.id)}: see GET .../bizproc/templates`);
      const { entityId, parameters, userId } = body(req);
      if (!portal.documents.get(template.entityTypeId, Number(entityId))) throw new Error(`document ${String(entityId)} not found`);
      return { workflowId: startTemplate(portal, template, Number(entityId), parameters ?? {}, Number(userId ?? 1)).id };
    }),
  );

  router.get(`${base}/bizproc/registrations`, route(sandbox, (_req, portal) => bizprocState(portal).registrations));
  router.get(`${base}/bizproc/bindings`, route(sandbox, (_req, portal) => bizprocState(portal).bindings));

  router.get(`${base}/bizproc/workflows`, route(sandbox, (_req, portal) => Object.values(bizprocState(portal).workflows)));
  router.get(
    `${base}/bizproc/workflows/:id`,
    route(sandbox, (req, portal) => {
      const id = String(req.params.id);
      const state = bizprocState(portal);
      if (!state.workflows[id]) throw new NotFound(`no workflow ${id}`);
      return { ...state.workflows[id], instance: state.instances[id] ?? null, log: workflowLog(portal, id) };
    }),
  );
  router.get(
    `${base}/bizproc/log`,
    route(sandbox, (req, portal) => workflowLog(portal, req.query.workflowId === undefined ? undefined : String(req.query.workflowId))),
  );
  router.get(
    `${base}/bizproc/outbound`,
    route(sandbox, (req, portal) => {
      const since = Number(req.query.since ?? 0);
      const kind = req.query.kind === undefined ? undefined : String(req.query.kind);
      return outboundCalls(portal).filter((c) => c.id > since && (kind === undefined || c.kind === kind));
    }),
  );

  router.post(
    `${base}/bizproc/timeouts`,
    route(sandbox, (req, portal) => ({ closed: runDueTimeouts(portal, { all: body(req).all === true }) })),
  );
  router.get(
    `${base}/bizproc/idle`,
    route(sandbox, async (req, portal) => {
      await whenIdle(portal, { timeoutMs: Math.min(Number(req.query.timeoutMs ?? 10_000), 60_000) });
      return { idle: true };
    }),
  );

  router.post(
    `${base}/apps/:clientId/install`,
    route(sandbox, (req, portal) => installApp(sandbox, portal, String(req.params.clientId), body(req)), 201),
  );
  router.post(
    `${base}/apps/:clientId/update`,
    route(sandbox, (req, portal) => updateApp(sandbox, portal, String(req.params.clientId), body(req))),
  );
  router.post(
    `${base}/apps/:clientId/uninstall`,
    route(sandbox, (req, portal) => uninstallApp(sandbox, portal, String(req.params.clientId), body(req))),
  );
}
