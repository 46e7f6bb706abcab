/**
 * A small world for worker tests: the SQLite store in memory, a settable clock, a captured log, and a fake
 * BitrixClient that journals every call and answers from per-method handlers (only what the worker and the test
 * robots use).
 */
import type { RobotLogger } from '../../src/activities/types';
import type { B24, BitrixClient, RestParams } from '../../src/bitrix/types';
import { createStore } from '../../src/store';
import type { NewRun, PortalRecord, Store } from '../../src/store/types';
import { portalRecord as fixturePortal } from '../fixtures/portal';

export interface JournalEntry {
  memberId: string;
  userId: number | null | undefined;
  method: string;
  params: any;
}

export type MethodFake = (params: any, entry: JournalEntry) => unknown | Promise<unknown>;

export class FakeClient implements BitrixClient {
  readonly journal: JournalEntry[] = [];
  readonly methods = new Map<string, MethodFake>();
  readonly metrics = { requests: new Map<string, number>(), rateLimitWaitMs: 0, refreshes: 0 };

  constructor() {
    this.on('bizproc.event.send', () => true);
  }

  on(method: string, fake: MethodFake): this {
    this.methods.set(method.toLowerCase(), fake);
    return this;
  }

  calls(method: string): JournalEntry[] {
    return this.journal.filter((entry) => entry.method === method);
  }

  forPortal(memberId: string, options: { userId?: number | null } = {}): B24 {
    const call = async (method: string, params?: RestParams) => {
      const entry: JournalEntry = { memberId, userId: options.userId, method, params: structuredClone(params) };
      this.journal.push(entry);
      const fake = this.methods.get(method.toLowerCase());
      if (!fake) throw new Error(`fake client: no answer for ${method}`);
      return fake(params, entry);
    };
    const unused = () => {
      throw new Error('fake client: not used by these tests');
    };
    return {
      memberId,
      call,
      callRaw: async (method, params) => ({ result: await call(method, params) }),
      batch: unused,
      listAll: unused,
      listPages: unused,
    } as B24;
  }

  async close(): Promise<void> {}
}

export class TestClock {
  constructor(private current = new Date('2025-01-15T09:00:00.000Z')) {}
  now = (): Date => new Date(this.current.getTime());
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export class CapturedLog implements RobotLogger {
  readonly lines: Array<{ level: string; message: string; meta?: Record<string, unknown> }> = [];
  debug = (message: string, meta?: Record<string, unknown>) => this.lines.push({ level: 'debug', message, meta });
  info = (message: string, meta?: Record<string, unknown>) => this.lines.push({ level: 'info', message, meta });
  warn = (message: string, meta?: Record<string, unknown>) => this.lines.push({ level: 'warn', message, meta });
  error = (message: string, meta?: Record<string, unknown>) => this.lines.push({ level: 'error', message, meta });
  text(): string {
    return JSON.stringify(this.lines);
  }
}

export const MEMBER_ID = '3f0b1a9e7c2d4e5f8a6b9c0d1e2f3a4b';
export const EVENT_TOKEN =
  '664fa13bbbb410.99176768|A40364_79843_85254_57332|MS1eVn4hQ2xL7dK9wP0sT3yR6uJ5bA8c.5402ab9e0f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f80';

export function portalRecord(overrides: Partial<PortalRecord> = {}): PortalRecord {
  return fixturePortal({
    memberId: MEMBER_ID,
    applicationToken: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
    installedAt: new Date('2025-01-01T00:00:00Z'),
    updatedAt: new Date('2025-01-01T00:00:00Z'),
    ...overrides,
  });
}

/** A robot call as the receiver stores it (PROTOCOL §2.2). */
export function robotCall(robotCode: string, properties: Record<string, unknown>, overrides: Partial<NewRun> = {}): NewRun {
  return {
    memberId: MEMBER_ID,
    robotCode,
    source: 'robot',
    dedupeKey: `${EVENT_TOKEN}:${robotCode}:${JSON.stringify(properties)}`,
    workflowId: '664fa13bbbb410.99176768',
    eventToken: EVENT_TOKEN,
    documentId: ['crm', 'CCrmDocumentDeal', 'DEAL_123'],
    documentType: ['crm', 'CCrmDocumentDeal', 'DEAL'],
    properties,
    userId: 16,
    useSubscription: true,
    firedAt: new Date('2025-01-15T09:00:00Z'),
    ...overrides,
  };
}

export async function openStore(clock: TestClock): Promise<Store> {
  const store = await createStore('sqlite::memory:', { clock: clock.now });
  await store.upsertPortal(portalRecord());
  return store;
}
