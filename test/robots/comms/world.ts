/**
 * A small world for the comms robots: the sandbox portal (data part, rate limits on), a SQLite store with the portal
 * installed, the real Bitrix24 client over HTTP, and the worker running the real robots list. One clock for all of
 * them, moved by the test. Companies, calls and deals are put into the portal directly (as a user would have made
 * them earlier), the robots then work on it through REST only.
 */
import { createRegistry } from '../../../src/activities/registry';
import type { RobotLogger } from '../../../src/activities/types';
import { createBitrixClient } from '../../../src/bitrix';
import type { BitrixClient } from '../../../src/bitrix/types';
import { startSandbox, type Sandbox, type SandboxPortal } from '../../../src/sandbox';
import { addElement, addUser, createActivity, createItem, updateItem } from '../../../src/sandbox/data';
import type { CrmRecord } from '../../../src/sandbox/data/crm-state';
import { crmState } from '../../../src/sandbox/data/crm-state';
import { listsState } from '../../../src/sandbox/data/lists-store';
import { tasksState, type Task } from '../../../src/sandbox/data/tasks-state';
import { attachSandboxPortal } from '../../../src/dev/sandbox-portal';
import { createStore } from '../../../src/store';
import { standaloneRun } from '../../../src/store/standalone-run';
import type { NewRun, RunRecord, Store } from '../../../src/store/types';
import { createWorker, type Worker } from '../../../src/worker/worker';
import { robots } from '../../../robots';

export const DAY = 86_400_000;

export class Clock {
  private ms: number;
  constructor(iso: string) {
    this.ms = Date.parse(iso);
  }
  now = (): Date => new Date(this.ms);
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  /** The client's sleep: waiting moves the clock, so a test never really sleeps. */
  sleep = async (ms: number): Promise<void> => {
    this.ms += Math.max(0, ms);
    await Promise.resolve();
  };
}

export class Lines implements RobotLogger {
  readonly lines: Array<{ level: string; message: string; meta?: Record<string, unknown> }> = [];
  debug = (message: string, meta?: Record<string, unknown>) => void this.lines.push({ level: 'debug', message, meta });
  info = (message: string, meta?: Record<string, unknown>) => void this.lines.push({ level: 'info', message, meta });
  warn = (message: string, meta?: Record<string, unknown>) => void this.lines.push({ level: 'warn', message, meta });
  error = (message: string, meta?: Record<string, unknown>) => void this.lines.push({ level: 'error', message, meta });
}

export interface World {
  sandbox: Sandbox;
  portal: SandboxPortal;
  store: Store;
  client: BitrixClient;
  worker: Worker;
  clock: Clock;
  log: Lines;
  /** Seeded managers (user ids, list order): the 2nd is on vacation, the 4th on sick leave. */
  managers: number[];
  close(): Promise<void>;
}

export interface WorldOptions {
  start: string;
  managers?: number;
  timeZone?: string;
  /** Wraps the client the worker uses (fault injection between the robot and the portal). */
  wrapClient?: (client: BitrixClient) => BitrixClient;
  /** Worker attempts per run (default 1: a failure shows at once). */
  maxAttempts?: number;
  /** The service's database (default SQLite in memory); `schema` for PostgreSQL. */
  databaseUrl?: string;
  schema?: string;
}

export async function createWorld(options: WorldOptions): Promise<World> {
  const clock = new Clock(options.start);
  const sandbox = await startSandbox({
    clock: clock.now,
    randomSeed: 3,
    portals: [
      {
        domain: 'klerk.bitrix24.test',
        timeZone: options.timeZone ?? 'Europe/Moscow',
        // The structure only (pipelines, the «Менеджеры» list, user fields, managers): each test makes its companies.
        seed: { companies: 0, managers: options.managers ?? 5, activities: false, deals: false },
      },
    ],
    logger: { error: () => undefined },
  });
  const portal = sandbox.defaultPortal;
  const store = await createStore(options.databaseUrl ?? 'sqlite::memory:', { clock: clock.now, schema: options.schema });
  await attachSandboxPortal(store, sandbox, portal, { now: clock.now(), applicationToken: 'b5c1f2e3d4a5968778695a4b3c2d1e0f' });
  const client = createBitrixClient({
    store,
    oauth: { clientId: sandbox.app.clientId, clientSecret: sandbox.app.clientSecret, server: sandbox.url },
    clock: clock.now,
    sleep: clock.sleep,
    portalCacheMs: 0,
  });
  const log = new Lines();
  const worker = createWorker({
    store,
    client: options.wrapClient ? options.wrapClient(client) : client,
    registry: createRegistry(robots),
    logger: log,
    clock: clock.now,
    maxAttempts: options.maxAttempts ?? 1,
    backoff: () => 0,
  });
  const managers = [...crmState(portal).seed!.users.managers];
  return {
    sandbox,
    portal,
    store,
    client,
    worker,
    clock,
    log,
    managers,
    async close() {
      await worker.stop();
      await client.close();
      await store.close();
      await sandbox.close();
    },
  };
}

let runNumber = 0;

/** Enqueues a run of a robot the way the receiver or the scheduler would, lets the worker finish it, returns it. */
export async function runRobot(
  world: World,
  robotCode: string,
  options: { documentId?: string[] | null; properties?: Record<string, unknown>; source?: NewRun['source'] } = {},
): Promise<RunRecord> {
  runNumber += 1;
  const { run } = await world.store.enqueueRun(
    standaloneRun({
      memberId: world.portal.memberId,
      robotCode,
      source: options.source ?? 'manual',
      dedupeKey: `test-${robotCode}-${runNumber}-${world.clock.now().toISOString()}`,
      documentId: options.documentId ?? null,
      properties: options.properties ?? {},
      firedAt: world.clock.now(),
      availableAt: world.clock.now(),
    }),
  );
  await world.worker.drain();
  const done = await world.store.getRun(run.id);
  if (!done) throw new Error(`run ${run.id} vanished`);
  return done;
}

const write = (world: World) => ({ portal: world.portal, userId: 1, now: world.clock.now(), api: 'sandbox' as const, emit: false });

/** A company created `ageDays` ago (so it is old enough to go silent), responsible `assignedTo`. */
export function addCompany(world: World, title: string, options: { ageDays?: number; assignedTo?: number; fields?: Record<string, unknown> } = {}): CrmRecord {
  const created = new Date(world.clock.now().getTime() - (options.ageDays ?? 400) * DAY).toISOString();
  return createItem(write(world), 4, {
    TITLE: title,
    COMPANY_TYPE: 'CUSTOMER',
    ASSIGNED_BY_ID: options.assignedTo ?? world.managers[0],
    createdTime: created,
    updatedTime: created,
    ...(options.fields ?? {}),
  });
}

/** A completed call `daysAgo` days ago, logged on the company (REST-equivalent: crm.activity.add). */
export function addCall(world: World, companyId: number, daysAgo: number, options: { completed?: boolean } = {}) {
  const at = new Date(world.clock.now().getTime() - daysAgo * DAY);
  return createActivity(
    world.portal,
    {
      OWNER_TYPE_ID: 4,
      OWNER_ID: companyId,
      TYPE_ID: 2,
      SUBJECT: 'Исходящий звонок',
      COMPLETED: options.completed === false ? 'N' : 'Y',
      DIRECTION: 2,
      START_TIME: at.toISOString(),
      END_TIME: new Date(at.getTime() + 5 * 60_000).toISOString(),
      RESPONSIBLE_ID: world.managers[0],
      COMMUNICATIONS: [{ VALUE: '+7 (912) 345-67-89', ENTITY_ID: companyId, ENTITY_TYPE_ID: 4 }],
    },
    { userId: 1, now: world.clock.now(), emit: false },
  ).activity;
}

export function addDeal(world: World, fields: Record<string, unknown>): CrmRecord {
  return createItem(write(world), 2, { CURRENCY_ID: 'RUB', ...fields });
}

export function updateRecord(world: World, entityTypeId: number, id: number, fields: Record<string, unknown>): void {
  updateItem(write(world), entityTypeId, id, fields);
}

export function company(world: World, id: number): CrmRecord {
  return crmState(world.portal).items['4'][String(id)];
}

export function deals(world: World): CrmRecord[] {
  return Object.values(crmState(world.portal).items['2'] ?? {});
}

export function tasks(world: World): Task[] {
  return Object.values(tasksState(world.portal).tasks);
}

/** The seeded pipeline «Клиентский сервис». */
export function serviceCategory(world: World): number {
  return crmState(world.portal).seed!.pipelines.clientService;
}

/** The company's deals in «Клиентский сервис». */
export function serviceDealsOf(world: World, companyId: number): CrmRecord[] {
  return deals(world).filter((deal) => Number(deal.companyId) === companyId && Number(deal.categoryId) === serviceCategory(world));
}

/** The «Связаться с клиентом» tasks bound to the company (UF_CRM_TASK `CO_<id>`). */
export function remindersOf(world: World, companyId: number): Task[] {
  return tasks(world).filter((task) => task.title === 'Связаться с клиентом' && task.ufCrmTask.includes(`CO_${companyId}`));
}

/** Adds a manager (user + «Менеджеры» element); absence marks as the list shows them («Да»). */
export function addListManager(world: World, name: string, marks: { vacation?: boolean; sick?: boolean } = {}): number {
  const user = addUser(world.portal, { name, lastName: 'Новиков', position: 'Менеджер по работе с клиентами' });
  setListManager(world, user.id, `${name} Новиков`, marks);
  return user.id;
}

function managersIblock(world: World) {
  const structure = crmState(world.portal).seed!.managersList;
  const iblock = listsState(world.portal).iblocks.find((b) => b.id === structure.iblockId)!;
  return { iblock, properties: structure.properties };
}

/** Adds a list element for an existing user. */
export function setListManager(world: World, userId: number, name: string, marks: { vacation?: boolean; sick?: boolean } = {}): void {
  const { iblock, properties } = managersIblock(world);
  addElement(
    world.portal,
    iblock,
    {
      code: `manager_${userId}_${Object.keys(listsState(world.portal).elements).length}`,
      name,
      fields: {
        [`PROPERTY_${properties.employee}`]: userId,
        ...(marks.vacation ? { [`PROPERTY_${properties.onVacation}`]: 'Да' } : {}),
        ...(marks.sick ? { [`PROPERTY_${properties.onSickLeave}`]: 'Да' } : {}),
      },
    },
    1,
    world.clock.now(),
  );
}

/** Clears or sets the absence marks of a manager's list element. */
export function markManager(world: World, userId: number, marks: { vacation: boolean; sick: boolean }): void {
  const { iblock, properties } = managersIblock(world);
  for (const element of Object.values(listsState(world.portal).elements)) {
    if (element.iblockId !== iblock.id) continue;
    const employee = element.values[String(properties.employee)]?.[0]?.value;
    if (Number(employee) !== userId) continue;
    const enumId = (propertyId: number) => String(iblock.properties.find((p) => p.id === propertyId)!.enum![0].id);
    element.values[String(properties.onVacation)] = marks.vacation ? [{ id: 9000 + userId, value: enumId(properties.onVacation) }] : [];
    element.values[String(properties.onSickLeave)] = marks.sick ? [{ id: 9500 + userId, value: enumId(properties.onSickLeave) }] : [];
  }
}

/** Removes every element of the «Менеджеры» list (a portal whose list is empty). */
export function clearManagersList(world: World): void {
  const { iblock } = managersIblock(world);
  const state = listsState(world.portal);
  for (const [id, element] of Object.entries(state.elements)) if (element.iblockId === iblock.id) delete state.elements[id];
}

/** HTTP requests the portal received so far (a batch counts once). */
export function requests(world: World): number {
  return world.sandbox.journal(world.portal.memberId).httpRequests;
}
