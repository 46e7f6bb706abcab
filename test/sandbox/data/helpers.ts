/**
 * A sandbox with only the data part, reached over real HTTP (`/rest/<method>` with a token from issueTokens), a
 * movable clock, and limits switched off so conformance tests can make many calls.
 */
import { startSandbox, type PortalOptions, type Sandbox } from '../../../src/sandbox';
import type { PortalCore } from '../../../src/sandbox/contract';
import { dataPart } from '../../../src/sandbox/data';
import { encodeBracketForm, type EncodableValue } from '../../../src/util/bracket-form';

/** 2025-03-10 09:00:00 UTC = 12:00 in Moscow. */
export const NOW = Date.UTC(2025, 2, 10, 9, 0, 0);

export interface Clock {
  (): Date;
  set(ms: number): void;
  advance(seconds: number): void;
}

export function movableClock(start = NOW): Clock {
  let now = start;
  const clock = (() => new Date(now)) as Clock;
  clock.set = (ms) => {
    now = ms;
  };
  clock.advance = (seconds) => {
    now += seconds * 1000;
  };
  return clock;
}

export interface CallResult {
  status: number;
  body: any;
}

export interface DataSandbox {
  sandbox: Sandbox;
  portal: PortalCore;
  clock: Clock;
  /** A JSON REST call as `userId` (default 1, the admin) through the app's token. */
  call(method: string, params?: Record<string, unknown> | unknown[], userId?: number): Promise<CallResult>;
  /** The same call with a PHP bracket form body (how positional `task.*` params are known to work). */
  callForm(method: string, params: Record<string, EncodableValue>, userId?: number): Promise<CallResult>;
  /** A sandbox API call: `/sandbox/portals/<memberId><path>`. */
  api(method: string, path: string, body?: unknown): Promise<CallResult>;
  close(): Promise<void>;
}

export async function startDataSandbox(portal: PortalOptions = {}, clock = movableClock()): Promise<DataSandbox> {
  const sandbox = await startSandbox({
    parts: [dataPart],
    clock,
    logger: { error: (message, meta) => process.stderr.write(`${message} ${JSON.stringify(meta ?? {})}\n`) },
    portals: [{
      domain: 'acme.bitrix24.test',
      timeZone: 'Europe/Moscow',
      culture: 'ru',
      ...portal,
      limits: { bucket: { enabled: false }, operating: { enabled: false }, ...portal.limits },
    }],
  });
  const core = sandbox.defaultPortal;
  // a fresh token per call: tests move the clock past the one-hour token lifetime
  const token = (userId: number): string => sandbox.issueTokens(core, sandbox.app.clientId, userId, { withRefresh: false }).access_token;
  const parse = async (res: Response): Promise<CallResult> => {
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    sandbox,
    portal: core,
    clock,
    async call(method, params = {}, userId = 1) {
      const body = Array.isArray(params) ? params : { ...params, auth: token(userId) };
      const url = Array.isArray(params) ? `${core.clientEndpoint}${method}?auth=${token(userId)}` : `${core.clientEndpoint}${method}`;
      return parse(await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }));
    },
    async callForm(method, params, userId = 1) {
      return parse(await fetch(`${core.clientEndpoint}${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: encodeBracketForm({ ...params, auth: token(userId) }),
      }));
    },
    async api(method, path, body) {
      return parse(await fetch(`${sandbox.url}/sandbox/portals/${core.memberId}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }));
    },
    close: () => sandbox.close(),
  };
}

/** Collects the portal events a block of code raises. */
export function recordEvents(portal: PortalCore): { events: { name: string; payload: any }[]; stop(): void } {
  const events: { name: string; payload: any }[] = [];
  const names = ['crm.add', 'crm.update', 'crm.delete', 'activity.add', 'task.add', 'task.update'] as const;
  const listeners = names.map((name) => {
    const fn = (payload: any): void => {
      events.push({ name, payload });
    };
    portal.events.on(name, fn as never);
    return [name, fn] as const;
  });
  return {
    events,
    stop: () => listeners.forEach(([name, fn]) => portal.events.off(name, fn as never)),
  };
}
