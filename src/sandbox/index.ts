/**
 * The sandbox portal: `startSandbox(options)` starts one HTTP listener that emulates any number of Bitrix24
 * portals, their OAuth server and a sandbox-only API. See README.md in this directory.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerBatch } from './batch';
import type { SandboxPart } from './contract';
import { loadDefaultParts } from './default-parts';
import type { SandboxLogger } from './dispatch';
import { createHttpApp } from './http-app';
import { loadSandboxFile, saveSandboxFile } from './persistence';
import type { PortalOptions, SandboxPortal } from './portal';
import { SandboxState, type AppOptions } from './sandbox';
import { sandboxRouter } from './sandbox-api';
import { registerSystemMethods, type PlatformApp } from './system-methods';

export type { AppOptions, FaultsPatch } from './sandbox';
export type { PortalOptions, PortalSnapshot } from './portal';
export { SandboxPortal } from './portal';
export type { PlatformApp } from './system-methods';
export type { JournalEntry, JournalSnapshot } from './journal';
export type { LimitsPatch } from './limits';
export {
  createInstallation,
  finishInstallation,
  getInstallation,
  removeInstallation,
  setApplicationToken,
  type InstallationRecord,
} from './oauth-state';

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: one portal with default settings. Ignored when `stateFile` exists (the file wins). */
  portals?: PortalOptions[];
  /** Default: one local app. Ignored when `stateFile` exists. */
  apps?: AppOptions[];
  /** Load from this JSON file at start if it exists; save to it on close() and POST /sandbox/save. */
  stateFile?: string;
  /** The sandbox clock (token expiry, limits, `time`); default the system clock. */
  clock?: () => Date;
  /** Default: the data and bizproc parts. */
  parts?: SandboxPart[];
  /** Seed of the fault-injection RNG (per portal: seed + portal index), for repeatable tests. */
  randomSeed?: number;
  logger?: SandboxLogger;
}

const stderrLogger: SandboxLogger = {
  error: (message, meta) => process.stderr.write(`${message}${meta ? ` ${JSON.stringify(meta)}` : ''}\n`),
};

export class Sandbox extends SandboxState {
  private server: Server | null = null;
  private closed = false;
  /** Set once the portals are loaded: a sandbox that failed to start never overwrites its state file. */
  started = false;

  constructor(options: SandboxOptions, parts: SandboxPart[], private readonly stateFile: string | undefined) {
    super(parts, options.clock ?? (() => new Date()), options.logger ?? stderrLogger, options.randomSeed);
  }

  /** The first app: the one the CLI prints. */
  get app(): PlatformApp {
    const first = this.apps.values().next().value;
    if (!first) throw new RangeError('no app in this sandbox: addApp() first');
    return first;
  }

  /** The first portal. */
  get defaultPortal(): SandboxPortal {
    const first = this.portals.values().next().value;
    if (!first) throw new RangeError('no portal in this sandbox: addPortal() first');
    return first;
  }

  async save(file: string | undefined = this.stateFile): Promise<void> {
    if (!file) throw new RangeError('no state file: start the sandbox with stateFile (npm run sandbox -- --state FILE)');
    await saveSandboxFile(file, {
      version: 1,
      savedAt: this.now().toISOString(),
      apps: [...this.apps.values()],
      portals: [...this.portals.values()].map((p) => p.snapshot()),
    });
  }

  /** @internal */
  listen(server: Server): void {
    this.server = server;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const part of this.parts) await part.close?.();
    if (this.stateFile && this.started) await this.save();
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const parts = options.parts ?? loadDefaultParts();
  const sandbox = new Sandbox(options, parts, options.stateFile);
  registerSystemMethods(sandbox.methods);
  registerBatch(sandbox);
  for (const part of parts) part.registerMethods(sandbox.methods, sandbox);

  const router = sandboxRouter(sandbox, () => sandbox.save());
  for (const part of parts) part.routes?.(router, sandbox);
  const app = createHttpApp(sandbox, router);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  sandbox.listen(server);
  const { port } = server.address() as AddressInfo;
  sandbox.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  try {
    const saved = options.stateFile ? await loadSandboxFile(options.stateFile) : null;
    if (saved) {
      for (const app of saved.apps) sandbox.restoreApp(app);
      for (const snapshot of saved.portals) sandbox.restorePortal(snapshot);
    } else {
      for (const app of options.apps ?? [{}]) sandbox.addApp(app);
      for (const portal of options.portals ?? [{}]) sandbox.addPortal(portal);
    }
  } catch (err) {
    await sandbox.close().catch(() => undefined);
    throw err;
  }
  sandbox.started = true;
  return sandbox;
}
