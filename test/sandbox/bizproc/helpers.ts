/**
 * Set-up for the bizproc part's tests: the real platform (HTTP, OAuth, method dispatch) with the bizproc part and a
 * tiny documents part standing in for the data part, an app whose handlers are a capturing express server, and a
 * movable clock (2024-12-31 15:00:00 UTC = 18:00 in Moscow).
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PortalCore, SandboxPart } from '../../../src/sandbox/contract';
import { startSandbox, type Sandbox } from '../../../src/sandbox';
import { bizprocPart, installApp } from '../../../src/sandbox/bizproc';
import { parseBracketForm, type FormObject } from '../../../src/util/bracket-form';
import { employee } from '../../fixtures/sandbox-users';

interface DocsState {
  items: Record<string, Record<string, unknown>>;
  seq: number;
}

const docs = (portal: PortalCore) => portal.state.testdocs as DocsState;

/** CRM documents in legacy upper-case form, raising the contract's `crm.add` / `crm.update` like the data part. */
export const documentsPart: SandboxPart = {
  name: 'testdocs',
  registerMethods() {},
  initPortal(portal) {
    portal.state.testdocs = portal.state.testdocs ?? { items: {}, seq: 0 };
    if (portal.users.length === 0) portal.users.push(employee(1, 'Anna', true), employee(5, 'Boris', false), employee(7, 'Vera', false));
    portal.documents = {
      get: (entityTypeId, id) => {
        const item = docs(portal).items[`${entityTypeId}:${id}`];
        return item ? { ...item } : null;
      },
      update: (entityTypeId, id, fields) => updateDocument(portal, entityTypeId, id, fields),
    };
  },
};

export function addDocument(portal: PortalCore, entityTypeId: number, fields: Record<string, unknown>): number {
  const state = docs(portal);
  const id = ++state.seq;
  const item = { ID: String(id), ...fields };
  state.items[`${entityTypeId}:${id}`] = item;
  portal.events.emit('crm.add', { entityTypeId, id, fields: { ...item }, previous: null });
  return id;
}

export function updateDocument(portal: PortalCore, entityTypeId: number, id: number, fields: Record<string, unknown>): void {
  const state = docs(portal);
  const previous = state.items[`${entityTypeId}:${id}`];
  if (!previous) throw new Error(`no document ${entityTypeId}:${id}`);
  const next = { ...previous, ...fields };
  state.items[`${entityTypeId}:${id}`] = next;
  portal.events.emit('crm.update', { entityTypeId, id, fields: { ...next }, previous: { ...previous } });
}

export interface Received {
  path: string;
  /** The raw form body as it came over the wire. */
  raw: string;
  form: FormObject;
  contentType: string | undefined;
}

/** The app's side: an HTTP server that records every POST and answers 200 (or what `status` says). */
export class Receiver {
  readonly requests: Received[] = [];
  status = 200;
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    const app = express();
    app.use(express.text({ type: '*/*' }));
    app.post(/.*/, (req, res) => {
      const raw = typeof req.body === 'string' ? req.body : '';
      this.requests.push({ path: req.path, raw, form: parseBracketForm(raw), contentType: req.headers['content-type'] });
      res.status(this.status).json({ status: 'queued' });
    });
    await new Promise<void>((resolve) => {
      this.server = app.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  on(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

export interface TestClock {
  (): Date;
  advance(seconds: number): void;
}

/** 2024-12-31 15:00:00 UTC: 18:00:00 in Europe/Moscow. */
export function testClock(startMs = Date.UTC(2024, 11, 31, 15, 0, 0)): TestClock {
  let now = startMs;
  const clock = (() => new Date(now)) as TestClock;
  clock.advance = (seconds) => {
    now += seconds * 1000;
  };
  return clock;
}

export const CLIENT_ID = 'local.65a1b2c3d4e5f6.12345678';

export interface Bed {
  sandbox: Sandbox;
  portal: PortalCore;
  receiver: Receiver;
  clock: TestClock;
  /** The installing admin's access token (user 1). */
  adminToken: string;
  tokenFor(userId: number, clientId?: string): string;
  call(method: string, params?: Record<string, unknown>, token?: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startBed(
  options: { culture?: 'ru' | 'en'; timeZone?: string; install?: boolean; stateFile?: string } = {},
): Promise<Bed> {
  const receiver = await new Receiver().start();
  const clock = testClock();
  const sandbox = await startSandbox({
    parts: [documentsPart, bizprocPart],
    clock,
    randomSeed: 7,
    logger: { error: () => undefined },
    stateFile: options.stateFile,
    apps: [{ clientId: CLIENT_ID, installUrl: `${receiver.url}/install`, scope: ['crm', 'bizproc', 'task', 'user'] }],
    portals: [
      {
        domain: 'acme.bitrix24.test',
        memberId: 'a223c6b3710f85df22e9377d6c4f7553',
        culture: options.culture ?? 'ru',
        timeZone: options.timeZone ?? 'Europe/Moscow',
      },
    ],
  });
  const portal = sandbox.defaultPortal;
  if (options.install !== false) await installApp(sandbox, portal, CLIENT_ID);
  const tokenFor = (userId: number, clientId = CLIENT_ID) =>
    sandbox.issueTokens(portal, clientId, userId, { withRefresh: false }).access_token;
  const adminToken = tokenFor(1);
  return {
    sandbox,
    portal,
    receiver,
    clock,
    adminToken,
    tokenFor,
    async call(method, params = {}, token = adminToken) {
      const res = await fetch(`${portal.clientEndpoint}${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...params, auth: token }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await sandbox.close();
      await receiver.close();
    },
  };
}

/** Decodes a raw form body into its `[key, value]` pairs, in order. */
export function pairs(raw: string): Array<[string, string]> {
  return raw.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))];
  });
}
