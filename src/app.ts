/**
 * The composition root: config → store (migrated) → Bitrix24 client → robot registry → HTTP app → worker →
 * scheduler. Everything external can be passed in (tests give a temporary SQLite file, the sandbox's URL, a
 * clock); the defaults are the production ones. `close()` stops in the reverse order: stop taking calls, let the
 * runs in progress finish, then close the client and the store.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AxiosInstance } from 'axios';
import defaultRobots from '../robots';
import { createRegistry, type RobotRegistry } from './activities/registry';
import type { RobotDefinition } from './activities/types';
import { createBitrixClient } from './bitrix/client';
import type { BitrixClient } from './bitrix/types';
import type { Config } from './config';
import { createHttpApp } from './http/app';
import { createInstallVerifier, createWhoAmI, type VerifyInstallToken, type WhoAmI } from './http/install-verifier';
import { createHttpMetrics, type HttpMetrics } from './http/metrics';
import { createPortalRegistrar, type PortalRegistrar } from './http/portal-registrar';
import { createLogger, type Logger } from './logger';
import { createScheduler, jobsFromRobots, type Scheduler } from './scheduler';
import { createStore } from './store';
import type { Store } from './store/types';
import { createWorker, type Worker, type WorkerOptions } from './worker';

export interface AppOptions {
  config: Config;
  logger?: Logger;
  /** The robots served (default: robots/index.ts). */
  robots?: readonly RobotDefinition[];
  /** An open store (default: createStore(config.databaseUrl), migrated; closed by `close()` only when created here). */
  store?: Store;
  /** axios instance for every outbound request (portals, OAuth server). */
  http?: AxiosInstance;
  clock?: () => Date;
  verifyInstallToken?: VerifyInstallToken;
  whoAmI?: WhoAmI;
  /** Worker tuning (tests: a short poll); `false` runs no worker whatever the role. */
  worker?: Partial<Omit<WorkerOptions, 'store' | 'client' | 'registry' | 'logger'>> | false;
  /** `false` runs no scheduler whatever the role. */
  scheduler?: boolean;
  /** Finish registrations left pending or made for other robots, in the background after start (default true). */
  resumeRegistrations?: boolean;
  /** Port to listen on (default config.port; 0 for any free port). */
  port?: number;
  host?: string;
}

export interface App {
  http: Server;
  /** Base URL the server listens on, e.g. `http://127.0.0.1:3000` (not PUBLIC_URL). */
  url: string;
  store: Store;
  client: BitrixClient;
  registry: RobotRegistry;
  registrar: PortalRegistrar;
  worker: Worker | null;
  scheduler: Scheduler | null;
  metrics: HttpMetrics;
  logger: Logger;
  /** Resolves when the start-up registration sweep is over (tests wait on it). */
  ready: Promise<void>;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open; calls in flight still finish.
    server.closeIdleConnections();
  });
}

export async function createApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel, json: config.logFormat === 'json' });
  const clock = options.clock ?? (() => new Date());
  const ownStore = !options.store;
  const store = options.store ?? (await createStore(config.databaseUrl, { logger, clock }));
  const client = createBitrixClient({ store, oauth: config.oauth, http: options.http, logger, clock });
  const registry = createRegistry(options.robots ?? defaultRobots);
  const metrics = createHttpMetrics();
  const registrar = createPortalRegistrar({ store, client, registry, publicUrl: config.publicUrl, logger, clock });
  const runsWorker = options.worker !== false && (config.role === 'all' || config.role === 'worker');
  const runsScheduler = options.scheduler !== false && (config.role === 'all' || config.role === 'scheduler');

  const worker = runsWorker
    ? createWorker({ store, client, registry, logger, clock, concurrency: config.workerConcurrency, ...(options.worker || {}) })
    : null;
  let closing = false;
  const app = createHttpApp({
    store,
    registry,
    client,
    logger,
    config,
    metrics,
    clock,
    registrar,
    verifyInstallToken:
      options.verifyInstallToken ?? createInstallVerifier({ oauthServer: config.oauth.server, clientId: config.oauth.clientId, http: options.http }),
    whoAmI: options.whoAmI ?? createWhoAmI({ http: options.http }),
    isClosing: () => closing,
    onRunQueued: () => worker?.wake(),
  });

  const http: Server = createServer(app);
  // Robot calls are small and quick; slow clients should not hold sockets for long.
  http.requestTimeout = 30_000;
  http.headersTimeout = 20_000;
  await listen(http, options.port ?? config.port, options.host ?? config.host);
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;

  worker?.start();
  const scheduler = runsScheduler ? createScheduler({ store, jobs: jobsFromRobots(registry.list()), clock, logger }) : null;
  scheduler?.start();

  const ready: Promise<void> =
    options.resumeRegistrations === false
      ? Promise.resolve()
      : registrar
          .resumePending()
          .then((count) => {
            if (count > 0) logger.info('registrations finished at start-up', { portals: count });
          })
          .catch((error) => {
            logger.error('start-up registration sweep failed', { error });
          });

  logger.info('b24-robots started', {
    url,
    publicUrl: config.publicUrl,
    role: config.role,
    store: store.kind,
    robots: registry.list().length,
    worker: Boolean(worker),
    scheduler: Boolean(scheduler),
  });

  let closed: Promise<void> | null = null;
  async function close(): Promise<void> {
    closing = true;
    await closeServer(http);
    await scheduler?.stop();
    await worker?.stop();
    await ready;
    await client.close();
    if (ownStore) await store.close();
    logger.info('b24-robots stopped');
  }

  return {
    http,
    url,
    store,
    client,
    registry,
    registrar,
    worker,
    scheduler,
    metrics,
    logger,
    ready,
    close: () => (closed ??= close()),
  };
}
