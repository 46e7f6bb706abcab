/**
 * What a command needs, opened lazily and closed once at the end: the configuration (read like the service reads it,
 * `--database` / `--public-url` override the environment), the store, the Bitrix24 client (acting with each portal's
 * stored admin token), the robots, the manifests and the output helpers. A command that only reads the store never
 * needs the app keys.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import defaultRobots from '../../robots';
import type { RobotManifest } from '../activities/manifest';
import { createRegistry, type RobotRegistry } from '../activities/registry';
import type { RobotDefinition } from '../activities/types';
import { createBitrixClient } from '../bitrix/client';
import type { BitrixClient } from '../bitrix/types';
import { ConfigError, DEFAULT_DATABASE_URL, loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../logger';
import { createStore, parseDatabaseUrl } from '../store';
import type { PortalRecord, Store } from '../store/types';
import { CliError, noPortals, portalNotInstalled, portalUninstalled, UsageError } from './errors';
import { loadManifests } from './manifest-source';
import { createOutput, type Output, type Streams } from './output';

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  database?: string;
  publicUrl?: string;
  manifests?: string;
  color?: boolean;
  verbose?: boolean;
}

/** What the outside world gives the CLI; tests pass their own, production uses the process's. */
export interface CliDeps {
  env?: NodeJS.ProcessEnv;
  streams?: Streams;
  /** The robots the service provides (default robots/index.ts). */
  robots?: readonly RobotDefinition[];
  now?: () => Date;
  /** The package root, where `manifests/` lives. */
  root?: string;
}

export interface CliContext {
  readonly out: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly globals: GlobalOptions;
  readonly root: string;
  now(): Date;
  logger(): Logger;
  databaseUrl(): string;
  /** The full service configuration (app keys, public URL): needed by every command that calls a portal. */
  config(): Config;
  store(): Promise<Store>;
  client(): Promise<BitrixClient>;
  robots(): readonly RobotDefinition[];
  registry(): RobotRegistry;
  manifestsDir(): string;
  manifests(): Promise<RobotManifest[]>;
  /** A portal by member_id or domain (a pasted `https://…/` URL works too); errors name how to install. */
  findPortal(ref: string): Promise<PortalRecord>;
  /** `--portal P` → that one; `--all` (or `defaultAll`) → every installed portal; neither → the only one installed. */
  selectPortals(selection: { portal?: string; all?: boolean }, options?: { defaultAll?: boolean }): Promise<PortalRecord[]>;
  /** The exit code the run ends with, unless an error decides otherwise (commands set 1 for partial failure). */
  exitCode: number;
  close(): Promise<void>;
}

const ALL_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

/** `https://Acme.bitrix24.ru/` → `acme.bitrix24.ru`. */
export function normalizePortalRef(ref: string): string {
  return ref
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '');
}

export function createCliContext(globals: GlobalOptions, deps: CliDeps = {}): CliContext {
  const env = deps.env ?? process.env;
  const streams = deps.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const out = createOutput({ streams, env, color: globals.color });
  const root = deps.root ?? process.cwd();
  const now = deps.now ?? (() => new Date());
  let logger: Logger | null = null;
  let config: Config | null = null;
  let store: Promise<Store> | null = null;
  let client: BitrixClient | null = null;
  let registry: RobotRegistry | null = null;
  let manifests: Promise<RobotManifest[]> | null = null;

  const context: CliContext = {
    out,
    env,
    globals,
    root,
    now,
    exitCode: 0,
    logger() {
      // Logs go to stderr only: stdout carries tables and JSON that scripts read.
      logger ??= createLogger({
        level: globals.verbose ? 'debug' : 'warn',
        json: !streams.stderr.isTTY,
        transports: [new winston.transports.Console({ stderrLevels: ALL_LEVELS })],
      });
      return logger;
    },
    databaseUrl() {
      const url = globals.database ?? env.DATABASE_URL;
      return url && url.trim() !== '' ? url.trim() : DEFAULT_DATABASE_URL;
    },
    config() {
      if (config) return config;
      const overridden = { ...env };
      if (globals.database) overridden.DATABASE_URL = globals.database;
      if (globals.publicUrl) overridden.PUBLIC_URL = globals.publicUrl;
      try {
        config = loadConfig(overridden, { isTTY: Boolean(streams.stderr.isTTY) });
      } catch (error) {
        if (error instanceof ConfigError) {
          throw new CliError(
            error.code,
            `${error.message}\n(the CLI reads the same variables as the service; --database and --public-url override them)`,
          );
        }
        throw error;
      }
      return config;
    },
    store() {
      store ??= (async () => {
        const url = context.databaseUrl();
        const target = parseDatabaseUrl(url);
        // A CLI pointed at the wrong place must say so, not create an empty database and report "no portals".
        if (target.engine === 'sqlite' && target.filename !== ':memory:' && !existsSync(target.filename)) {
          throw new CliError(
            'NO_DATABASE',
            `no database at ${target.filename}: run b24robots where the service runs, or point it at the service's ` +
              'database with DATABASE_URL or --database (sqlite:<file> or postgres://…)',
          );
        }
        return createStore(url, { logger: context.logger() });
      })();
      return store;
    },
    async client() {
      if (client) return client;
      const { oauth } = context.config();
      client = createBitrixClient({ store: await context.store(), oauth, logger: context.logger() });
      return client;
    },
    robots: () => deps.robots ?? defaultRobots,
    registry() {
      registry ??= createRegistry(context.robots());
      return registry;
    },
    manifestsDir() {
      return path.resolve(globals.manifests ?? path.join(root, 'manifests'));
    },
    manifests() {
      manifests ??= loadManifests(context.manifestsDir());
      return manifests;
    },
    async findPortal(ref) {
      const db = await context.store();
      const wanted = normalizePortalRef(ref);
      const portal = (await db.getPortal(wanted)) ?? (await db.getPortalByDomain(wanted));
      if (!portal) throw portalNotInstalled(ref);
      if (portal.uninstalledAt) throw portalUninstalled(portal.domain);
      return portal;
    },
    async selectPortals(selection, options = {}) {
      if (selection.portal && selection.all) throw new UsageError('choose either --portal or --all, not both');
      if (selection.portal) return [await context.findPortal(selection.portal)];
      const portals = await (await context.store()).listPortals();
      if (portals.length === 0) throw noPortals();
      if (selection.all || options.defaultAll || portals.length === 1) return portals;
      throw new UsageError(
        `${portals.length} portals have the app installed: pass --portal <member_id|domain> or --all ` +
          `(installed: ${portals.map((p) => p.domain).join(', ')})`,
      );
    },
    async close() {
      await client?.close().catch(() => undefined);
      if (store) await (await store.catch(() => null))?.close().catch(() => undefined);
    },
  };
  return context;
}
