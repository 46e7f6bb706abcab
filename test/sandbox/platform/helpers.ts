/** Shared set-up for the platform tests: a tiny part with dummy methods, a movable clock, and an HTTP caller. */
import { RestError, listAnswer, type SandboxPart } from '../../../src/sandbox/contract';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox';

/** Registers methods that exercise each platform feature without the data part. */
export const testPart: SandboxPart = {
  name: 'test',
  registerMethods(registry) {
    registry.register('test.echo', (ctx) => ({ params: ctx.params, userId: ctx.auth.userId, clientId: ctx.auth.clientId }));
    registry.register('test.user', () => ({ ID: '7', NAME: 'Ivan', UF_DEPARTMENT: [5, 9] }));
    // 120 rows, 50 per page (PROTOCOL §5.5)
    registry.register('test.list', (ctx) => {
      const start = Number(ctx.params.start ?? 0);
      const rows = Array.from({ length: 120 }, (_, i) => ({ ID: String(i + 1) })).slice(start, start + 50);
      return listAnswer(rows, 120, start + 50 < 120 ? start + 50 : undefined);
    });
    registry.register('test.fail', () => {
      throw new RestError(400, 'NOT_FOUND', 'Element not found');
    });
    registry.register('test.crash', () => {
      throw new Error('boom');
    });
    registry.register('test.heavy', () => true, { cost: 20 });
    registry.register('test.crm', () => 'crm ok', { scope: 'crm' });
    registry.register('test.app', () => 'app ok', { appOnly: true });
    registry.register('test.admin', () => 'admin ok', { adminOnly: true });
  },
  initPortal(portal) {
    portal.state.test = portal.state.test ?? { counter: 0 };
    if (portal.users.length === 0) {
      portal.users.push(
        { id: 1, name: 'Anna', lastName: 'Admin', email: 'a@x.test', active: true, isAdmin: true, departments: [1], position: '', userType: 'employee' },
        { id: 2, name: 'Boris', lastName: 'Manager', email: 'b@x.test', active: true, isAdmin: false, departments: [1], position: '', userType: 'employee' },
        { id: 3, name: 'Fired', lastName: 'User', email: 'c@x.test', active: false, isAdmin: false, departments: [1], position: '', userType: 'employee' },
      );
    }
  },
};

export interface TestClock {
  (): Date;
  advance(seconds: number): void;
  set(ms: number): void;
}

/** 2024-08-29 07:34:19 UTC, the moment of the batch docs example. */
export function testClock(startMs = Date.UTC(2024, 7, 29, 7, 34, 19)): TestClock {
  let now = startMs;
  const clock = (() => new Date(now)) as TestClock;
  clock.advance = (seconds) => {
    now += seconds * 1000;
  };
  clock.set = (ms) => {
    now = ms;
  };
  return clock;
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<{ sandbox: Sandbox; clock: TestClock }> {
  const clock = testClock();
  const sandbox = await startSandbox({
    parts: [testPart],
    clock,
    randomSeed: 42,
    logger: { error: () => undefined },
    ...options,
  });
  return { sandbox, clock };
}

export interface CallResult {
  status: number;
  body: any;
  headers: Headers;
}

/** POSTs JSON to `<endpoint><method>`, with the token in the body as `auth`. */
export async function callJson(endpoint: string, method: string, params: Record<string, unknown> = {}, token?: string): Promise<CallResult> {
  const res = await fetch(`${endpoint}${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(token === undefined ? params : { ...params, auth: token }),
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

export async function request(url: string, init: RequestInit = {}): Promise<CallResult> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}
