/**
 * The demo's world: the sandbox portal (seeded, limits on) and our service on 127.0.0.1 with PUBLIC_URL = its own
 * address, B24_OAUTH_SERVER = the sandbox and a SQLite file under ./data; the portal then installs the app into the
 * service, exactly as a Bitrix24 admin would (ONAPPINSTALL → verified → robots registered, events bound).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createApp, type App } from '../app';
import { freePort, loopbackConfig } from '../dev/local-service';
import { createLogger, type Logger } from '../logger';
import { startSandbox, type Sandbox, type SandboxPortal } from '../sandbox';
import { installApp } from '../sandbox/bizproc';
import { createItem, updateItem } from '../sandbox/data';

export interface DemoStack {
  sandbox: Sandbox;
  portal: SandboxPortal;
  app: App;
  clientId: string;
  /** `sqlite:<file>` of the service's store. */
  databaseUrl: string;
  /** A manager's edit in the portal's UI: written by the portal itself (no REST, no rate limit), raising the same
   *  events and workflow starts as any change. Returns the company id. */
  saveCompany(fields: Record<string, unknown>, id?: number): number;
  /** Stops the service and the sandbox; removes the database file unless `keepDatabase`. */
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

export async function startDemoStack(options: { root: string; domain: string; logger?: Logger }): Promise<DemoStack> {
  // PUBLIC_URL must be known before the service starts: it is the handler address registered on the portal.
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const sandbox = await startSandbox({
    apps: [{ name: 'b24-robots (demo)', installUrl: `${publicUrl}/install` }],
    portals: [{ domain: options.domain, culture: 'ru', timeZone: 'Europe/Moscow', plan: 'standard', seed: true }],
    logger: { error: (message) => process.stderr.write(`sandbox: ${message}\n`) },
  });
  const dataDir = path.join(options.root, 'data');
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, `demo-${timestamp(new Date())}-${process.pid}.sqlite`);
  const databaseUrl = `sqlite:${path.relative(process.cwd(), file) || file}`;
  const config = loopbackConfig({
    port,
    oauth: { clientId: sandbox.app.clientId, clientSecret: sandbox.app.clientSecret, server: sandbox.url },
    databaseUrl,
    workerConcurrency: 4,
    logFormat: 'pretty',
    nodeEnv: 'development',
  });
  let app: App;
  try {
    app = await createApp({
      config,
      logger: options.logger ?? createLogger({ level: 'error', json: false }),
      worker: { pollMs: 50 },
      scheduler: false,
    });
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  const portal = sandbox.defaultPortal;
  // The admin (user 1) types it in.
  const write = () => ({ portal, userId: 1, now: sandbox.now(), api: 'sandbox' as const });

  const stack: DemoStack = {
    sandbox,
    portal,
    app,
    clientId: sandbox.app.clientId,
    databaseUrl,
    saveCompany(fields, id) {
      return id === undefined ? createItem(write(), 4, fields).id : updateItem(write(), 4, id, fields).record.id;
    },
    async close(closeOptions = {}) {
      await app.close();
      await sandbox.close();
      if (!closeOptions.keepDatabase) for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    },
  };
  try {
    const notice = await installApp(sandbox, portal, sandbox.app.clientId);
    const status = notice.deliveries[0]?.status;
    if (status !== 200) throw new Error(`the service refused the install (HTTP ${status}): see its log above`);
    await app.ready;
  } catch (error) {
    await stack.close();
    throw error;
  }
  return stack;
}
