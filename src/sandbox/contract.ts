/**
 * The sandbox portal's internal contract, shared by its three parts:
 *  - platform (server.ts & co): HTTP, envelope, auth, OAuth server, apps and tokens, limits, batch, journal, faults,
 *    persistence, `startSandbox`, `npm run sandbox`;
 *  - data (crm/, tasks/, lists/, user, disk, im): entity storage, filters/order/select/paging, the REST methods, seed;
 *  - bizproc (bizproc/): robot/activity registry, automation on stages, workflows, handler calls, event.send,
 *    app install/update/uninstall notifications, event.bind and event delivery.
 * Each part registers its REST methods in the registry and keeps its state in `portal.state[<part>]`
 * as plain JSON (so the platform can save and load it).
 */
import type { EventEmitter } from 'node:events';

/** A REST error as the portal sends it: `{error, error_description}` with an HTTP status (PROTOCOL §4.7, §5.1). */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly error: string | number,
    readonly description: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${error}: ${description}`);
  }
}

/** Who is calling, resolved from the access token by the platform. */
export interface CallerAuth {
  userId: number;
  /** The app's client_id; null for a webhook (no app context). */
  clientId: string | null;
  isAdmin: boolean;
  scope: string[];
}

export interface MethodContext {
  sandbox: SandboxCore;
  portal: PortalCore;
  auth: CallerAuth;
  /** Params with their original key case (auth/access_token removed). Form bodies are already parsed into objects. */
  params: Record<string, any>;
  now: Date;
}

/** A list answer: the platform moves `total`/`next` to the top level of the envelope. */
export interface ListAnswer {
  readonly kind: 'list';
  result: unknown;
  total: number;
  next?: number;
}

export function listAnswer(result: unknown, total: number, next?: number): ListAnswer {
  return next === undefined ? { kind: 'list', result, total } : { kind: 'list', result, total, next };
}

export function isListAnswer(value: unknown): value is ListAnswer {
  return typeof value === 'object' && value !== null && (value as ListAnswer).kind === 'list';
}

/** Returns the method's `result` (or a ListAnswer); throws RestError. */
export type MethodHandler = (ctx: MethodContext) => unknown | Promise<unknown>;

export interface MethodOptions {
  /** Scope required, e.g. 'crm', 'task', 'bizproc'. */
  scope?: string;
  /** Needs an app token, not a webhook: `ACCESS_DENIED` "Access denied! Application context required" (403). */
  appOnly?: boolean;
  /** Needs a portal admin: `ACCESS_DENIED` "Access denied!" (403). */
  adminOnly?: boolean;
  /** Simulated execution time in seconds, counted against the per-method operating budget (default 0.05). */
  cost?: number;
}

export interface MethodRegistry {
  /** Registers a method by its lower-case name (`crm.item.list`); calls are matched case-insensitively. */
  register(name: string, handler: MethodHandler, options?: MethodOptions): void;
}

export interface SandboxUser {
  id: number;
  name: string;
  lastName: string;
  email: string;
  active: boolean;
  isAdmin: boolean;
  departments: number[];
  position: string;
  userType: 'employee' | 'extranet';
}

/** CRM document change notifications, raised by the data part for every write (REST or sandbox API). */
export interface CrmChange {
  entityTypeId: number;
  id: number;
  /** Fields in the legacy upper-case form (TITLE, STAGE_ID, CATEGORY_ID, ASSIGNED_BY_ID, COMPANY_ID, …). */
  fields: Record<string, unknown>;
  /** The fields before an update (null for add). */
  previous: Record<string, unknown> | null;
}

export interface PortalEvents {
  'crm.add': [CrmChange];
  'crm.update': [CrmChange];
  'crm.delete': [{ entityTypeId: number; id: number }];
  'activity.add': [{ id: number; ownerTypeId: number; ownerId: number }];
  'task.add': [{ id: number }];
  'task.update': [{ id: number }];
}

/** Reading and writing CRM documents for automation (implemented by the data part, at `portal.documents`). */
export interface DocumentAccess {
  /** Legacy upper-case field map of a document, or null. entityTypeId: 1 lead, 2 deal, 3 contact, 4 company, 31, ≥128. */
  get(entityTypeId: number, id: number): Record<string, unknown> | null;
  /** Updates fields (legacy upper-case names) as a REST update would, raising `crm.update`. */
  update(entityTypeId: number, id: number, fields: Record<string, unknown>): void;
}

/** Fault injection, per portal (set through `/sandbox/...`). */
export interface PortalFaults {
  /** Share of REST calls answered with 500 INTERNAL_SERVER_ERROR (0..1). */
  errorRate: number;
  /** Extra latency of every REST call, ms. */
  latencyMs: number;
  /** Share of robot handler calls that are silently not delivered (0..1). */
  dropHandlerCalls: number;
}

export interface PortalLimits {
  bucket: { enabled: boolean; burst: number; drainPerSecond: number };
  operating: { enabled: boolean; limitSeconds: number; windowSeconds: number };
  /** Access token lifetime, seconds (default 3600). */
  tokenTtlSeconds: number;
}

export interface PortalCore {
  memberId: string;
  /** e.g. `acme.bitrix24.test` */
  domain: string;
  timeZone: string;
  culture: 'ru' | 'en';
  plan: 'standard' | 'enterprise';
  limits: PortalLimits;
  faults: PortalFaults;
  users: SandboxUser[];
  events: EventEmitter<PortalEvents>;
  documents: DocumentAccess;
  /** JSON-serialisable state of each part, by part name ('crm', 'tasks', 'lists', 'disk', 'im', 'bizproc', 'oauth', …). */
  state: Record<string, any>;
  /** The portal's REST base as the sandbox serves it: `<sandbox url>/<domain>/rest/` (one listener for all portals).
   *  After a domain change the old path answers 302 to the new one (PROTOCOL §4.5); `<sandbox url>/rest/` also works
   *  for every portal (the token names it) and is the OAuth server's `server_endpoint`. */
  clientEndpoint: string;
}

export interface SandboxApp {
  clientId: string;
  clientSecret: string;
  name: string;
  /** Where ONAPPINSTALL / ONAPPUPDATE / ONAPPUNINSTALL are POSTed. */
  installUrl: string;
  scope: string[];
  version: number;
}

/** An access/refresh token pair as the OAuth server returns it (PROTOCOL §4.6). */
export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
  expires: number;
  expires_in: number;
  scope: string;
  domain: string;
  server_endpoint: string;
  client_endpoint: string;
  member_id: string;
  user_id: number;
  status: string;
}

export interface SandboxCore {
  /** Base URL, e.g. `http://127.0.0.1:4500`. */
  readonly url: string;
  readonly portals: Map<string, PortalCore>;
  readonly apps: Map<string, SandboxApp>;
  readonly methods: MethodRegistry;
  now(): Date;
  /** Issues a token pair for a user of a portal on behalf of an app (refresh token optional: events get none). */
  issueTokens(portal: PortalCore, clientId: string, userId: number, options?: { withRefresh?: boolean }): IssuedTokens;
  /** The per-app, per-portal application_token (created at install). */
  applicationToken(portal: PortalCore, clientId: string): string | null;
}

/** Options a part receives when a portal is created (from `startSandbox({portals: [...]})`). */
export interface PortalInitOptions {
  /** Generate realistic data (see the data part's seed). */
  seed?: Record<string, unknown> | boolean;
}

/**
 * One part of the sandbox. The platform imports `dataPart` (src/sandbox/data/index.ts) and `bizprocPart`
 * (src/sandbox/bizproc/index.ts) and calls these hooks.
 */
export interface SandboxPart {
  name: string;
  /** Registers the part's REST methods once per sandbox. */
  registerMethods(registry: MethodRegistry, sandbox: SandboxCore): void;
  /** Sets up the part's state for a new portal (`portal.state[name]`); the data part also sets `portal.documents`.
   *  Called with `restored = true` when state was loaded from a file (state already present: only re-attach). */
  initPortal(portal: PortalCore, sandbox: SandboxCore, options: PortalInitOptions, restored: boolean): void;
  /** Adds the part's sandbox-only HTTP API under `/sandbox/...` (an express Router mounted at `/sandbox`). */
  routes?(router: import('express').Router, sandbox: SandboxCore): void;
  /** Stops the part's timers and outbound work. */
  close?(): Promise<void>;
}
