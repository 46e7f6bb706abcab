/**
 * Drive storages and folders (`portal.state.disk`; b24-docs disk/storage, disk/folder; PROTOCOL §6.11):
 * disk.storage.getforapp (the app's own storage, created on first call), disk.storage.getlist,
 * disk.storage.addfolder, disk.folder.addsubfolder (alias addSubFolder: method names are case-insensitive),
 * disk.folder.getchildren. Answers mix integer and string ids exactly like the docs' examples.
 */
import { RestError, listAnswer, type MethodContext, type MethodRegistry, type PortalCore, type SandboxCore } from '../contract';
import { formatIso, msToStored } from './dates';
import { isPlainObject, paramCi, startParam, toId } from './params';
import { compileFilter, compileOrder, pageRows, selectRows, type QueryField, type QuerySchema } from './query';

export interface DiskStorage {
  id: number;
  name: string;
  code: string | null;
  entityType: 'common' | 'restapp' | 'user' | 'group';
  entityId: string;
  rootObjectId: number;
  /** For `restapp` storages: the owning app. */
  clientId?: string;
}

export interface DiskFolder {
  id: number;
  name: string;
  storageId: number;
  parentId: number | null;
  createTime: string;
  updateTime: string;
  createdBy: number;
  updatedBy: number;
}

export interface DiskState {
  next: { storage: number; object: number };
  storages: DiskStorage[];
  folders: Record<string, DiskFolder>;
}

export function emptyDiskState(): DiskState {
  return { next: { storage: 1, object: 1 }, storages: [], folders: {} };
}

export function diskState(portal: PortalCore): DiskState {
  const state = portal.state.disk as DiskState | undefined;
  if (!state) throw new Error(`portal ${portal.memberId} has no disk state: the data part was not initialised for it`);
  return state;
}

export function createStorage(portal: PortalCore, input: Omit<DiskStorage, 'id' | 'rootObjectId'>, userId: number, now: Date): DiskStorage {
  const state = diskState(portal);
  const id = state.next.storage++;
  const root = newFolder(state, { name: input.name, storageId: id, parentId: null }, userId, now);
  const storage: DiskStorage = { ...input, id, rootObjectId: root.id };
  state.storages.push(storage);
  return storage;
}

function newFolder(state: DiskState, f: { name: string; storageId: number; parentId: number | null }, userId: number, now: Date): DiskFolder {
  const stamp = msToStored(now.getTime());
  const folder: DiskFolder = { id: state.next.object++, ...f, createTime: stamp, updateTime: stamp, createdBy: userId, updatedBy: userId };
  state.folders[String(folder.id)] = folder;
  return folder;
}

function storageJson(s: DiskStorage): Record<string, unknown> {
  return { ID: String(s.id), NAME: s.name, CODE: s.code, MODULE_ID: 'disk', ENTITY_TYPE: s.entityType, ENTITY_ID: s.entityId, ROOT_OBJECT_ID: String(s.rootObjectId) };
}

function folderPath(state: DiskState, folder: DiskFolder): string {
  const names: string[] = [];
  for (let f: DiskFolder | undefined = folder; f && f.parentId !== null; f = state.folders[String(f.parentId)]) names.unshift(f.name);
  return names.join('/');
}

export function folderJson(portal: PortalCore, folder: DiskFolder): Record<string, unknown> {
  const state = diskState(portal);
  const storage = state.storages.find((s) => s.id === folder.storageId);
  const base = storage?.entityType === 'user' ? `company/personal/user/${storage.entityId}/disk` : 'docs';
  return {
    ID: folder.id,
    NAME: folder.name,
    CODE: null,
    STORAGE_ID: String(folder.storageId),
    TYPE: 'folder',
    REAL_OBJECT_ID: folder.id,
    PARENT_ID: folder.parentId === null ? null : String(folder.parentId),
    DELETED_TYPE: 0,
    CREATE_TIME: formatIso(folder.createTime, portal.timeZone),
    UPDATE_TIME: formatIso(folder.updateTime, portal.timeZone),
    DELETE_TIME: null,
    CREATED_BY: String(folder.createdBy),
    UPDATED_BY: String(folder.updatedBy),
    DELETED_BY: null,
    DETAIL_URL: `https://${portal.domain}/${base}/path/${folderPath(state, folder)}`,
  };
}

/** Creates a folder under a parent; a sibling with the same name (case-insensitive) is DISK_OBJ_22000. */
export function addFolder(portal: PortalCore, parent: DiskFolder, name: string, userId: number, now: Date): DiskFolder {
  const state = diskState(portal);
  const taken = Object.values(state.folders).some((f) => f.parentId === parent.id && f.name.toLowerCase() === name.toLowerCase());
  if (taken) throw new RestError(400, 'DISK_OBJ_22000', 'A folder with this name already exists');
  return newFolder(state, { name, storageId: parent.storageId, parentId: parent.id }, userId, now);
}

function nameParam(ctx: MethodContext): string {
  const data = paramCi(ctx.params, 'data');
  const name = isPlainObject(data) ? String(paramCi(data, 'NAME') ?? '').trim() : '';
  if (name === '') throw new RestError(400, 'ERROR_ARGUMENT', 'Invalid value of parameter {Parameter #1}', { argument: 'data' });
  return name;
}

function getForApp(ctx: MethodContext, sandbox: SandboxCore): unknown {
  const state = diskState(ctx.portal);
  const clientId = ctx.auth.clientId as string;
  let storage = state.storages.find((s) => s.entityType === 'restapp' && s.clientId === clientId);
  if (!storage) {
    const appIndex = [...sandbox.apps.keys()].indexOf(clientId) + 1;
    const name = sandbox.apps.get(clientId)?.name ?? clientId;
    storage = createStorage(ctx.portal, { name, code: null, entityType: 'restapp', entityId: String(appIndex || state.storages.length + 1), clientId }, ctx.auth.userId, ctx.now);
  }
  return storageJson(storage);
}

function storageSchema(portal: PortalCore): QuerySchema<DiskStorage> {
  const fields: Record<string, QueryField<DiskStorage>> = {
    ID: { kind: 'number', get: (s) => s.id },
    NAME: { kind: 'string', get: (s) => s.name },
    CODE: { kind: 'string', get: (s) => s.code },
    ENTITY_TYPE: { kind: 'string', get: (s) => s.entityType },
    ENTITY_ID: { kind: 'string', get: (s) => s.entityId },
  };
  return { timeZone: portal.timeZone, field: (name) => fields[name.toUpperCase()] };
}

function storageList(ctx: MethodContext): unknown {
  const schema = storageSchema(ctx.portal);
  const rows = selectRows(diskState(ctx.portal).storages, compileFilter(paramCi(ctx.params, 'filter'), schema), compileOrder(paramCi(ctx.params, 'order'), schema));
  const page = pageRows(rows, startParam(ctx.params), { negativeSkipsCount: true });
  return listAnswer(page.rows.map(storageJson), page.total, page.next);
}

function storageAddFolder(ctx: MethodContext): unknown {
  const id = toId(paramCi(ctx.params, 'id'));
  const name = nameParam(ctx);
  const state = diskState(ctx.portal);
  const storage = state.storages.find((s) => s.id === id);
  if (!storage) throw new RestError(400, 'ERROR_NOT_FOUND', `Could not find entity with id ${String(paramCi(ctx.params, 'id'))}`);
  return folderJson(ctx.portal, addFolder(ctx.portal, state.folders[String(storage.rootObjectId)], name, ctx.auth.userId, ctx.now));
}

function folderAddSubfolder(ctx: MethodContext): unknown {
  const id = toId(paramCi(ctx.params, 'id'));
  const name = nameParam(ctx);
  const parent = id === null ? undefined : diskState(ctx.portal).folders[String(id)];
  if (!parent) throw new RestError(400, 'ERROR_NOT_FOUND', `Could not find entity with id ${String(paramCi(ctx.params, 'id'))}`);
  return folderJson(ctx.portal, addFolder(ctx.portal, parent, name, ctx.auth.userId, ctx.now));
}

function folderGetChildren(ctx: MethodContext): unknown {
  const id = toId(paramCi(ctx.params, 'id'));
  const state = diskState(ctx.portal);
  if (id === null || !state.folders[String(id)]) throw new RestError(400, 'ERROR_NOT_FOUND', `Could not find entity with id ${String(paramCi(ctx.params, 'id'))}`);
  const children = Object.values(state.folders).filter((f) => f.parentId === id);
  const page = pageRows(children, startParam(ctx.params), { negativeSkipsCount: true });
  return listAnswer(page.rows.map((f) => folderJson(ctx.portal, f)), page.total, page.next);
}

export function registerDiskMethods(registry: MethodRegistry, sandbox: SandboxCore): void {
  // PROTOCOL §6.11: app context and a portal admin
  registry.register('disk.storage.getforapp', (ctx) => getForApp(ctx, sandbox), { scope: 'disk', appOnly: true, adminOnly: true, cost: 0.1 });
  registry.register('disk.storage.getlist', storageList, { scope: 'disk', cost: 0.1 });
  registry.register('disk.storage.addfolder', storageAddFolder, { scope: 'disk', cost: 0.15 });
  registry.register('disk.folder.addsubfolder', folderAddSubfolder, { scope: 'disk', cost: 0.15 });
  registry.register('disk.folder.getchildren', folderGetChildren, { scope: 'disk', cost: 0.1 });
}
