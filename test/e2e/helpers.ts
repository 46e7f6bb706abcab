/**
 * Set-up shared by the end-to-end tests: the sandbox portal over HTTP, our service (`createApp`) on 127.0.0.1 with
 * PUBLIC_URL = its own address and B24_OAUTH_SERVER = the sandbox, a store per engine (a SQLite file; PostgreSQL in
 * a fresh schema when TEST_DATABASE_URL is set), REST as a portal user through an incoming webhook, a "hostile"
 * listener that records whatever reaches it, and a door in front of the OAuth server that counts refreshes.
 */
import axios from 'axios';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { RobotDefinition } from '../../src/activities/types';
import { createApp, type App } from '../../src/app';
import type { Config } from '../../src/config';
import { freePort, loopbackConfig } from '../../src/dev/local-service';
import { createLogger, createSilentLogger, type Logger } from '../../src/logger';
import { startSandbox, type LimitsPatch, type Sandbox, type SandboxPortal } from '../../src/sandbox';
import { createStore } from '../../src/store';
import type { Store } from '../../src/store/types';

export const CLIENT_ID = 'local.6650f1a2b3c4d5.11223344';
export const CLIENT_SECRET = 'sandbox-secret-000000000000000000000000000000000000';
export const DOMAIN = 'acme.bitrix24.test';

export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Service logs stay quiet unless E2E_LOG=<level> is set (debugging a failing e2e run). */
export function serviceLogger(): Logger {
  const level = process.env.E2E_LOG;
  return level ? createLogger({ level: level as Config['logLevel'], json: false }) : createSilentLogger();
}

export function serviceConfig(options: { port: number; databaseUrl: string; oauthServer: string; workerConcurrency?: number }): Config {
  return loopbackConfig({
    port: options.port,
    oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, server: options.oauthServer },
    databaseUrl: options.databaseUrl,
    workerConcurrency: options.workerConcurrency ?? 4,
  });
}

// ---- stores ----------------------------------------------------------------------------------------------------

export interface OpenedStore {
  store: Store;
  /** DATABASE_URL of the store (PostgreSQL: without the schema, which only createStore options carry). */
  databaseUrl: string;
  dispose(): Promise<void>;
}

export interface StoreEngine {
  title: string;
  enabled: boolean;
  open(): Promise<OpenedStore>;
}

const quietStore = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export function sqliteEngine(): StoreEngine {
  return {
    title: 'SQLite (a temporary file)',
    enabled: true,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'b24-e2e-'));
      const databaseUrl = `sqlite:${join(dir, 'robots.sqlite')}`;
      const store = await createStore(databaseUrl, { logger: quietStore });
      return {
        store,
        databaseUrl,
        async dispose() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** PostgreSQL when TEST_DATABASE_URL is set: a fresh schema per open, dropped by dispose. */
export function postgresEngine(): StoreEngine {
  const url = process.env.TEST_DATABASE_URL;
  return {
    title: url ? 'PostgreSQL (a fresh schema)' : 'PostgreSQL (skipped: set TEST_DATABASE_URL)',
    enabled: Boolean(url),
    async open() {
      const schema = `e2e_${randomBytes(5).toString('hex')}`;
      const store = await createStore(url, { schema, logger: quietStore });
      return {
        store,
        databaseUrl: url!,
        async dispose() {
          await store.close();
          const admin = new Client({ connectionString: url });
          await admin.connect();
          try {
            await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          } finally {
            await admin.end();
          }
        },
      };
    },
  };
}

export function storeEngines(): StoreEngine[] {
  return [sqliteEngine(), postgresEngine()];
}

/** `describe` for an engine that is available, `describe.skip` (reported as skipped) for one that is not. */
export function describeEngine(engine: StoreEngine, title: string, body: () => void): void {
  (engine.enabled ? describe : describe.skip)(`${title} — ${engine.title}`, body);
}

// ---- the sandbox and the service -------------------------------------------------------------------------------

export interface WorldOptions {
  robots: readonly RobotDefinition[];
  engine?: StoreEngine;
  /** Limits of the portal (default: the standard plan's, all on). */
  limits?: LimitsPatch;
  workerConcurrency?: number;
  /** Put a counting door in front of the OAuth server (B24_OAUTH_SERVER points at it). */
  oauthDoor?: boolean;
}

export interface World {
  sandbox: Sandbox;
  portal: SandboxPortal;
  app: App;
  store: Store;
  publicUrl: string;
  door: OAuthDoor | null;
  close(): Promise<void>;
}

export async function startPortalSandbox(publicUrl: string, limits?: LimitsPatch): Promise<Sandbox> {
  return startSandbox({
    apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, installUrl: `${publicUrl}/install` }],
    portals: [{ domain: DOMAIN, culture: 'ru', timeZone: 'Europe/Moscow', seed: false, ...(limits ? { limits } : {}) }],
    logger: { error: (message, meta) => process.stderr.write(`sandbox: ${message} ${JSON.stringify(meta ?? {})}\n`) },
    randomSeed: 1,
  });
}

/** The sandbox portal and our service, not installed yet. */
export async function startWorld(options: WorldOptions): Promise<World> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const sandbox = await startPortalSandbox(publicUrl, options.limits);
  const door = options.oauthDoor ? await startOAuthDoor(sandbox.url) : null;
  const opened = await (options.engine ?? sqliteEngine()).open();
  const config = serviceConfig({
    port,
    databaseUrl: opened.databaseUrl,
    oauthServer: door?.url ?? sandbox.url,
    workerConcurrency: options.workerConcurrency,
  });
  const app = await createApp({
    config,
    store: opened.store,
    robots: options.robots,
    logger: serviceLogger(),
    worker: { pollMs: 20 },
    scheduler: false,
  });
  return {
    sandbox,
    portal: sandbox.defaultPortal,
    app,
    store: opened.store,
    publicUrl,
    door,
    async close() {
      await app.close();
      await door?.close();
      await sandbox.close();
      await opened.dispose();
    },
  };
}

// ---- REST as a portal user -------------------------------------------------------------------------------------

export interface PortalUserRest {
  call<T = any>(method: string, params?: Record<string, unknown>): Promise<T>;
}

/** REST through an incoming webhook of `userId` (no app context): a person or an integration working on the portal. */
export function webhookRest(sandbox: Sandbox, portal: SandboxPortal, userId = 1): PortalUserRest {
  const hook = sandbox.createWebhook(portal.memberId, { userId });
  return {
    async call(method, params = {}) {
      const response = await axios.post(`${hook.url}${method}`, params, { validateStatus: () => true });
      if (response.status !== 200 || response.data?.error !== undefined) {
        throw new Error(`${method}: HTTP ${response.status} ${JSON.stringify(response.data)}`);
      }
      return response.data.result;
    },
  };
}

// ---- listeners -------------------------------------------------------------------------------------------------

export interface RecordedRequest {
  method: string;
  url: string;
  body: string;
}

export interface Recorder {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function stop(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A server a forger controls: answers like a portal would and records every request that reaches it. */
export async function startRecorder(): Promise<Recorder> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    requests.push({ method: req.method ?? '', url: req.url ?? '', body: body.toString() });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ result: { ID: '1', ADMIN: true, client_id: CLIENT_ID }, time: {} }));
  });
  const url = await listen(server);
  return { url, requests, close: () => stop(server) };
}

/** One `grant_type=refresh_token` request as the OAuth server saw it, with its answer. */
export interface RefreshRecord {
  /** When it reached the OAuth server (ms). */
  at: number;
  refreshToken: string;
  status: number;
  userId: number | null;
  /** The rotated pair from the answer (200 only). */
  issuedRefreshToken: string | null;
  /** Unix seconds when the issued access token expires. */
  expires: number | null;
  error: string | null;
}

export interface OAuthDoor {
  url: string;
  refreshes: RefreshRecord[];
  close(): Promise<void>;
}

/** Forwards everything to the sandbox's OAuth server / REST and records every refresh grant on the way. */
export async function startOAuthDoor(target: string): Promise<OAuthDoor> {
  const refreshes: RefreshRecord[] = [];
  async function forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    if (req.headers['content-type']) headers['content-type'] = String(req.headers['content-type']);
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      redirect: 'manual',
    });
    const answer = Buffer.from(await upstream.arrayBuffer());
    if ((req.url ?? '').startsWith('/oauth/token')) {
      const params = new URLSearchParams(body.toString());
      new URL(req.url ?? '', target).searchParams.forEach((value, key) => params.set(key, value));
      if (params.get('grant_type') === 'refresh_token') {
        let parsed: Record<string, any> = {};
        try {
          parsed = JSON.parse(answer.toString());
        } catch {
          parsed = {};
        }
        refreshes.push({
          at,
          refreshToken: params.get('refresh_token') ?? '',
          status: upstream.status,
          userId: parsed.user_id === undefined ? null : Number(parsed.user_id),
          issuedRefreshToken: parsed.refresh_token ?? null,
          expires: parsed.expires === undefined ? null : Number(parsed.expires),
          error: parsed.error ?? null,
        });
      }
    }
    res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(answer);
  }
  const server = http.createServer((req, res) => {
    forward(req, res).catch((error: unknown) => {
      // the door must never leave the service hanging: a failure is a 502, like a broken gateway
      res.writeHead(502, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'bad_gateway', error_description: String(error) }));
    });
  });
  const url = await listen(server);
  return { url, refreshes, close: () => stop(server) };
}
