/**
 * The data part's sandbox-only API, under `/sandbox/portals/:portal/…` (`:portal` is a member_id or a domain):
 * seed, register user fields and smart processes, create/update/delete CRM items directly (a stage change raises
 * `crm.update` exactly like REST), add activities, tasks, list elements and users, and inspect what robots did
 * (items, activities, tasks, sent mail, notifications, comments, drive folders).
 * Errors: `{error, error_description}` with 404 for an unknown portal and 400 for bad input.
 */
import express, { type Request, type Response, type Router } from 'express';
import { RestError, type PortalCore, type SandboxCore } from '../contract';
import { ActivityError, createActivity } from './crm-activity-store';
import { toItemJson } from './crm-format';
import { crmState } from './crm-state';
import { createItem, deleteItem, getRecord, updateItem, type WriteContext } from './crm-store';
import { createSmartProcess } from './crm-types';
import { fieldSet } from './crm-values';
import { diskState, folderJson } from './disk';
import { imState } from './im';
import { addElement, listsState, setPropertyValues } from './lists-store';
import { isPlainObject, toId, toInt } from './params';
import { seedOptions, seedPortal } from './seed';
import { taskJson } from './tasks-format';
import { tasksState } from './tasks-state';
import { createTask, updateTask } from './tasks-store';
import { registerUserField } from './userfields';
import { addUser } from './users';
import { activityJson } from './crm-activity';

type Handler = (req: Request, portal: PortalCore) => unknown;

function findPortal(sandbox: SandboxCore, key: string): PortalCore {
  const direct = sandbox.portals.get(key);
  if (direct) return direct;
  for (const p of sandbox.portals.values()) if (p.domain === key.toLowerCase()) return p;
  throw new NotFound(`no portal "${key}" in this sandbox`);
}

class NotFound extends Error {}

function route(sandbox: SandboxCore, handler: Handler) {
  return (req: Request, res: Response): void => {
    try {
      const portal = findPortal(sandbox, String(req.params.portal));
      res.status(200).json(handler(req, portal) ?? { ok: true });
    } catch (err) {
      if (err instanceof NotFound) res.status(404).json({ error: 'NOT_FOUND', error_description: err.message });
      else if (err instanceof RangeError || err instanceof ActivityError) res.status(400).json({ error: 'INVALID_ARGUMENT', error_description: err.message });
      else if (err instanceof RestError) res.status(err.status).json({ error: err.error, error_description: err.description });
      else throw err;
    }
  };
}

const body = (req: Request): Record<string, any> => (isPlainObject(req.body) ? req.body : {});

function entityTypeOf(req: Request): number {
  const id = toInt(req.params.entityTypeId);
  if (id === null) throw new RangeError(`entity type "${String(req.params.entityTypeId)}" is not a number such as 2 (deal) or 4 (company)`);
  return id;
}

function idOf(req: Request): number {
  const id = toId(req.params.id);
  if (id === null) throw new RangeError(`"${String(req.params.id)}" is not an id`);
  return id;
}

function writer(sandbox: SandboxCore, portal: PortalCore, req: Request): WriteContext {
  return { portal, userId: toId(req.query.userId) ?? 1, now: sandbox.now(), api: 'sandbox' };
}

function itemOut(portal: PortalCore, entityTypeId: number, record: Parameters<typeof toItemJson>[2]): Record<string, unknown> {
  return toItemJson(portal, fieldSet(portal, entityTypeId), record, { select: 'all', originalUfNames: false, withFm: true });
}

export function dataRoutes(router: Router, sandbox: SandboxCore): void {
  const json = express.json({ limit: '20mb' });
  const p = '/portals/:portal';
  const r = (handler: Handler) => [json, route(sandbox, handler)] as const;

  router.post(`${p}/seed`, ...r((req, portal) => {
    const s = seedPortal(portal, seedOptions(body(req)), sandbox.now());
    return { ...s, companies: { count: s.companies.length, firstId: s.companies[0] ?? null, lastId: s.companies.at(-1) ?? null } };
  }));

  router.get(`${p}/userfields`, ...r((req, portal) => crmState(portal).userFields.filter((f) => req.query.entityTypeId === undefined || f.entityTypeId === Number(req.query.entityTypeId))));
  router.post(`${p}/userfields`, ...r((req, portal) => {
    const b = body(req);
    return registerUserField(portal, { entityTypeId: b.entityTypeId, code: b.code, type: b.type, multiple: b.multiple, label: b.label, items: b.items });
  }));

  router.get(`${p}/smart-processes`, ...r((_req, portal) => crmState(portal).types));
  router.post(`${p}/smart-processes`, ...r((req, portal) => {
    const b = body(req);
    if (typeof b.title !== 'string' || b.title.trim() === '') throw new RangeError('a smart process needs a "title"');
    return createSmartProcess(portal, { title: b.title, code: b.code, parents: b.parents, linkedToTasks: b.linkedToTasks, categories: b.categories }, sandbox.now());
  }));

  router.get(`${p}/crm/:entityTypeId`, ...r((req, portal) => {
    const t = entityTypeOf(req);
    if (t >= 128 && !crmState(portal).types.some((x) => x.entityTypeId === t)) throw new RangeError(`no smart process with entityTypeId ${t}`);
    return Object.values(crmState(portal).items[String(t)] ?? {}).map((rec) => itemOut(portal, t, rec));
  }));
  router.get(`${p}/crm/:entityTypeId/:id`, ...r((req, portal) => {
    const t = entityTypeOf(req);
    const record = getRecord(portal, t, idOf(req));
    if (!record) throw new RangeError(`no item ${String(req.params.id)} of entity type ${t}`);
    return itemOut(portal, t, record);
  }));
  router.post(`${p}/crm/:entityTypeId`, ...r((req, portal) => {
    const t = entityTypeOf(req);
    return itemOut(portal, t, createItem(writer(sandbox, portal, req), t, body(req)));
  }));
  router.patch(`${p}/crm/:entityTypeId/:id`, ...r((req, portal) => {
    const t = entityTypeOf(req);
    return itemOut(portal, t, updateItem(writer(sandbox, portal, req), t, idOf(req), body(req)).record);
  }));
  router.delete(`${p}/crm/:entityTypeId/:id`, ...r((req, portal) => {
    deleteItem(writer(sandbox, portal, req), entityTypeOf(req), idOf(req));
    return { deleted: true };
  }));

  router.get(`${p}/activities`, ...r((_req, portal) => Object.values(crmState(portal).activities).map((a) => ({ ...activityJson(portal, a), BINDINGS: a.bindings }))));
  router.post(`${p}/activities`, ...r((req, portal) => {
    const { activity, sendError } = createActivity(portal, body(req), { userId: toId(req.query.userId) ?? 1, now: sandbox.now() });
    return { ...activityJson(portal, activity), sendError };
  }));
  router.get(`${p}/mail`, ...r((_req, portal) => crmState(portal).mail));
  router.get(`${p}/comments`, ...r((_req, portal) => Object.values(crmState(portal).comments)));
  router.get(`${p}/notifications`, ...r((_req, portal) => Object.values(imState(portal).notifications)));
  router.get(`${p}/disk`, ...r((_req, portal) => ({
    storages: diskState(portal).storages,
    folders: Object.values(diskState(portal).folders).map((f) => folderJson(portal, f)),
  })));

  router.get(`${p}/tasks`, ...r((_req, portal) => {
    const nowMs = sandbox.now().getTime();
    return Object.values(tasksState(portal).tasks).map((t) => taskJson(portal, t, nowMs, ['*', 'UF_CRM_TASK'], false));
  }));
  router.post(`${p}/tasks`, ...r((req, portal) => {
    const task = createTask(portal, body(req), { userId: toId(req.query.userId) ?? 1, now: sandbox.now() });
    return taskJson(portal, task, sandbox.now().getTime(), ['*', 'UF_CRM_TASK'], false);
  }));
  router.patch(`${p}/tasks/:id`, ...r((req, portal) => {
    const task = tasksState(portal).tasks[String(idOf(req))];
    if (!task) throw new RangeError(`no task ${String(req.params.id)}`);
    const next = updateTask(portal, task, body(req), { userId: toId(req.query.userId) ?? 1, now: sandbox.now() });
    return taskJson(portal, next, sandbox.now().getTime(), ['*', 'UF_CRM_TASK'], false);
  }));

  const iblockOf = (req: Request, portal: PortalCore) => {
    const iblock = listsState(portal).iblocks.find((b) => b.code === req.params.code || String(b.id) === req.params.code);
    if (!iblock) throw new RangeError(`no list "${String(req.params.code)}" (use its IBLOCK_CODE or id)`);
    return iblock;
  };
  router.get(`${p}/lists`, ...r((_req, portal) => listsState(portal).iblocks));
  router.get(`${p}/lists/:code/elements`, ...r((req, portal) => {
    const iblock = iblockOf(req, portal);
    return Object.values(listsState(portal).elements).filter((e) => e.iblockId === iblock.id);
  }));
  router.post(`${p}/lists/:code/elements`, ...r((req, portal) => {
    const iblock = iblockOf(req, portal);
    const b = body(req);
    if (typeof b.NAME !== 'string' || b.NAME.trim() === '') throw new RangeError('a list element needs a NAME');
    return addElement(portal, iblock, { code: String(b.CODE ?? `element_${listsState(portal).next.element}`), name: b.NAME, fields: b }, 1, sandbox.now());
  }));
  router.patch(`${p}/lists/:code/elements/:id`, ...r((req, portal) => {
    const iblock = iblockOf(req, portal);
    const element = listsState(portal).elements[String(idOf(req))];
    if (!element || element.iblockId !== iblock.id) throw new RangeError(`no element ${String(req.params.id)} in list ${iblock.code}`);
    const b = body(req);
    if (typeof b.NAME === 'string') element.name = b.NAME;
    setPropertyValues(portal, iblock, element, b);
    return element;
  }));

  router.post(`${p}/users`, ...r((req, portal) => {
    const b = body(req);
    if (typeof b.name !== 'string' || typeof b.lastName !== 'string') throw new RangeError('a user needs "name" and "lastName"');
    return addUser(portal, { name: b.name, lastName: b.lastName, email: b.email, position: b.position, active: b.active, isAdmin: b.isAdmin, departments: b.departments });
  }));
}
