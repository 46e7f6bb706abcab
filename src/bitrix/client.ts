/**
 * The composition root of the Bitrix24 client: wires tokens, the leaky bucket, the operating budget, retries,
 * the transport, batching, the coalescer and list enumeration, and hands out portal- and user-scoped `B24`s.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { runBatch } from './batch';
import { createCoalescer } from './coalescer';
import { B24Error, ClientErrorCode } from './errors';
import { createExecutor, type Scope } from './executor';
import { listAll, listPages, type ListOptions } from './list';
import { listSpecFor, type ListSpec } from './list-specs';
import { createOperatingBudget } from './operating-budget';
import { createRateLimiter, defaultLimits } from './rate-limiter';
import { defaultRetryPolicy, type RetryPolicy } from './retry';
import { createMetrics, realSleep, silentLogger, systemClock, type ClientLogger, type Clock, type Sleep } from './runtime';
import { createTokenManager } from './tokens';
import { createTransport } from './transport';
import type { B24, BitrixClient, LimitConfig, OAuthConfig } from './types';
import type { PortalRecord, Store } from '../store/types';

export interface BitrixClientOptions {
  store: Store;
  oauth: OAuthConfig;
  /** One axios instance for portal and OAuth requests (tests pass their own). */
  http?: AxiosInstance;
  logger?: ClientLogger;
  clock?: Clock;
  sleep?: Sleep;
  /** Limits by portal; default by plan: standard 50/2, enterprise 250/5, 480 s operating budget. */
  limits?: (portal: PortalRecord) => LimitConfig;
  /** How long `call`s wait for company in a coalesced batch (default 5 ms; 0 turns coalescing off). */
  coalesceWindowMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Per-method list quirks beyond the built-in ones (wrapper, id field, filter shape), by lower-case method. */
  listSpecs?: Record<string, Partial<ListSpec>>;
  /** Methods known to ignore start=-1: enumerated with start/next paging instead (legacy task.* always are). */
  offsetPagingMethods?: string[];
  /** How long a portal record is reused before it is read from the store again (default 5 s). */
  portalCacheMs?: number;
  /** Per-request timeout (default 65 s: cloud cuts a request at 60 s). */
  timeoutMs?: number;
}

export function createBitrixClient(options: BitrixClientOptions): BitrixClient {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const logger = options.logger ?? silentLogger;
  const metrics = createMetrics();
  const limits = options.limits ?? ((portal: PortalRecord) => defaultLimits(portal.plan));
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...(options.retry ?? {}) };
  // Keep-alive: a run issues its calls one after another to the same portal; new TLS handshakes each time are waste.
  const agents = options.http
    ? null
    : { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  const httpClient = options.http ?? axios.create({ httpAgent: agents?.http, httpsAgent: agents?.https });
  const offsetMethods = new Set((options.offsetPagingMethods ?? []).map((m) => m.toLowerCase()));

  const budget = createOperatingBudget({ clock, sleep });
  const executor = createExecutor({
    store: options.store,
    tokens: createTokenManager({ store: options.store, oauth: options.oauth, http: httpClient, clock, logger, metrics }),
    transport: createTransport({ http: httpClient, metrics, timeoutMs: options.timeoutMs }),
    limiter: createRateLimiter({ clock, sleep, metrics }),
    budget,
    limits,
    policy,
    clock,
    sleep,
    logger,
    portalCacheMs: options.portalCacheMs ?? 5_000,
  });
  const coalescer = createCoalescer({
    windowMs: options.coalesceWindowMs ?? 5,
    execute: executor.execute,
    sendBatch: executor.sendBatch,
    budget,
    bucket: { slotDelayMs: executor.slotDelayMs, sleep },
  });
  const deps = { execute: executor.execute, sendBatch: executor.sendBatch };
  let closed = false;

  function open(scope: Scope, method: string): void {
    if (!closed) return;
    throw new B24Error({
      code: ClientErrorCode.CLIENT_CLOSED,
      status: 0,
      method,
      memberId: scope.memberId,
      description: 'the Bitrix24 client was closed: create a new one',
    });
  }

  function forPortal(memberId: string, scopeOptions: { userId?: number | null } = {}): B24 {
    const scope: Scope = { memberId, userId: scopeOptions.userId ?? null };
    return {
      memberId,
      call(method, params) {
        return coalescer.call(scope, method, params);
      },
      async callRaw(method, params) {
        open(scope, method);
        return executor.execute(scope, method, params);
      },
      async batch(commands, batchOptions = {}) {
        open(scope, 'batch');
        return runBatch((cmd, halt) => executor.sendBatch(scope, cmd, halt), commands, {
          halt: batchOptions.halt,
          memberId,
        });
      },
      async listAll(method, params = {}, listOptions: ListOptions = {}) {
        open(scope, method);
        return listAll(deps, scope, method, params, listSpecFor(method, options.listSpecs, offsetMethods), listOptions);
      },
      listPages(method, params = {}, listOptions: ListOptions = {}) {
        open(scope, method);
        const spec = listSpecFor(method, options.listSpecs, offsetMethods);
        return listPages(deps, scope, method, params, spec, listOptions);
      },
    };
  }

  return {
    forPortal,
    metrics,
    async close() {
      closed = true;
      await coalescer.close();
      agents?.http.destroy();
      agents?.https.destroy();
    },
  };
}
