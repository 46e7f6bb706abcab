/**
 * A small real world for the CLI tests: the sandbox portal with two portals, our service (createApp on a temporary
 * SQLite file) that the sandbox installs the app into — the real install flow stores each portal and its admin's
 * tokens — and the BUILT CLI (`node dist/src/cli/index.js`) run as a child process against that database.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineRobot } from '../../src/activities/define-robot';
import type { RobotDefinition } from '../../src/activities/types';
import { createApp } from '../../src/app';
import { freePort, loopbackConfig } from '../../src/dev/local-service';
import { createSilentLogger } from '../../src/logger';
import { startSandbox, type Sandbox, type SandboxPortal } from '../../src/sandbox';
import { installApp } from '../../src/sandbox/bizproc';

export const ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(ROOT, 'dist/src/cli/index.js');
export const CLIENT_ID = 'local.6650f1a2b3c4d5.11223344';
export const CLIENT_SECRET = 'sandbox-secret-000000000000000000000000000000000000';

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * `npm test` builds before jest; a local `npx jest test/cli` builds here when dist is missing or older than the
 * sources. One build at a time (a lock directory), since both CLI test files may start together.
 */
export function ensureBuilt(): void {
  const stale = () => !existsSync(CLI) || statSync(CLI).mtimeMs < Math.max(newestSource(path.join(ROOT, 'src')), newestSource(path.join(ROOT, 'robots')));
  // The staleness check is made under the lock too: during another file's build, index.js may already be new while
  // the modules it loads are still being written.
  const lock = path.join(tmpdir(), 'b24robots-cli-test-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250); // another test file is building
    }
  }
  try {
    if (!stale()) return;
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'pipe' });
    } catch {
      // Type errors elsewhere in a shared checkout still emit JavaScript; only a missing CLI is fatal.
    }
    if (!existsSync(CLI)) throw new Error(`the build did not produce ${CLI}: run \`npm run build\``);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with `env` (on top of this process's) and returns its exit code and output. */
export function runBuiltCli(args: string[], env: Record<string, string>, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const name = (ru: string, en: string) => ({ ru, en });

/** Robots shaped like the real ones: a deal rule (robot + activity), a company rule (activity only), a lead robot. */
export const dealNote = defineRobot({
  code: 'cli_deal_note',
  name: name('Заметка по сделке', 'Deal note'),
  description: name('Пишет комментарий в сделку', 'Writes a comment to the deal'),
  documentTypes: ['deal'],
  properties: { text: { type: 'string', name: name('Текст', 'Text'), required: true } },
  returns: { CommentId: { type: 'int', name: name('ID комментария', 'Comment ID') } },
  async handler({ input, document, b24, step }) {
    const deal = await b24.call('crm.deal.get', { id: document?.id });
    const comment = await step('comment', () =>
      b24.call('crm.timeline.comment.add', { fields: { ENTITY_ID: document?.id, ENTITY_TYPE: 'deal', COMMENT: `${input.text}: ${deal.TITLE}` } }),
    );
    return { CommentId: Number(comment) };
  },
});

export const companyCheck = defineRobot({
  code: 'cli_company_check',
  name: name('Проверка компании', 'Company check'),
  description: name('Проверяет карточку компании', 'Checks the company card'),
  documentTypes: ['company'],
  properties: {},
  returns: {},
  async handler() {
    return {};
  },
});

export const leadTag = defineRobot({
  code: 'cli_lead_tag',
  name: name('Метка лида', 'Lead tag'),
  description: name('Ставит метку', 'Tags the lead'),
  documentTypes: ['lead'],
  activity: false,
  properties: { tag: { type: 'string', name: name('Метка', 'Tag') } },
  returns: {},
  async handler() {
    return {};
  },
});

export const cliRobots: RobotDefinition[] = [dealNote, companyCheck, leadTag];

export interface World {
  sandbox: Sandbox;
  dir: string;
  databaseUrl: string;
  publicUrl: string;
  portals: SandboxPortal[];
  /** Environment for the CLI: the same variables the service reads. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Two portals with the app installed through the real install flow. The service is started with no robots, so the
 * install registers nothing and everything on the portals is the CLI's doing; it is stopped before the tests run.
 */
export async function startWorld(): Promise<World> {
  const dir = await mkdtemp(path.join(tmpdir(), 'b24robots-cli-'));
  const databaseUrl = `sqlite:${path.join(dir, 'robots.sqlite')}`;
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const sandbox = await startSandbox({
    apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, installUrl: `${publicUrl}/install` }],
    portals: [
      { domain: 'acme.bitrix24.test', culture: 'ru', timeZone: 'Europe/Moscow', seed: false },
      { domain: 'beta.bitrix24.test', culture: 'ru', timeZone: 'Europe/Moscow', seed: false },
    ],
    logger: { error: () => undefined },
  });
  const config = loopbackConfig({
    port,
    oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, server: sandbox.url },
    databaseUrl,
    workerConcurrency: 1,
  });
  const app = await createApp({ config, robots: [], logger: createSilentLogger(), worker: false, scheduler: false, resumeRegistrations: false });
  const portals = [...sandbox.portals.values()];
  try {
    for (const portal of portals) await installApp(sandbox, portal, CLIENT_ID);
  } finally {
    await app.close();
  }
  return {
    sandbox,
    dir,
    databaseUrl,
    publicUrl,
    portals,
    env: {
      DATABASE_URL: databaseUrl,
      B24_CLIENT_ID: CLIENT_ID,
      B24_CLIENT_SECRET: CLIENT_SECRET,
      B24_OAUTH_SERVER: sandbox.url,
      PUBLIC_URL: publicUrl,
      NO_COLOR: '1',
    },
    async close() {
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Calls a REST method on a sandbox portal with a token, as another program would (no client of ours involved). */
export async function rest(portal: SandboxPortal, accessToken: string, method: string, params: Record<string, unknown>): Promise<any> {
  const response = await fetch(`${portal.clientEndpoint}${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...params, auth: accessToken }),
  });
  const body = (await response.json()) as { result?: unknown; error?: string; error_description?: string };
  if (!response.ok) throw new Error(`${method}: ${body.error} ${body.error_description}`);
  return body.result;
}
