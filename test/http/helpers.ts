/**
 * Small real things for the HTTP edge tests: a SQLite store in memory, robots defined like the real ones, payloads
 * in the wire shapes of PROTOCOL §2.2 / §4.3, an axios spy that records every outbound request, a fake OAuth server
 * (`/rest/app.info` in the shape oauth.bitrix.info answers) and an in-memory Bitrix24 client for registration.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios, { type AxiosInstance } from 'axios';
import winston from 'winston';
import { Writable } from 'node:stream';
import { defineRobot } from '../../src/activities/define-robot';
import { createRegistry } from '../../src/activities/registry';
import type { RobotDefinition } from '../../src/activities/types';
import type { B24, BatchCommand, BatchResult, BitrixClient } from '../../src/bitrix/types';
import { createLogger, type Logger } from '../../src/logger';
import { createStore } from '../../src/store';
import type { PortalRecord, Store } from '../../src/store/types';
import { encodeBracketForm, type EncodableValue } from '../../src/util/bracket-form';
import { portalRecord as fixturePortal } from '../fixtures/portal';

export const CLIENT_ID = 'local.6650f1a2b3c4d5.11223344';
export const CLIENT_SECRET = 'Xk29dLq0vT7pZ4mN8sR2wY6uB1eC3fH5jK7';
export const PUBLIC_URL = 'https://robots.example.com';
export const MEMBER_ID = 'a223c6b3710f85df22e9377d6c4f7553';
export const APPLICATION_TOKEN = '51856fefc120afa4b628cc82d3935cce';
export const DOMAIN = 'acme.bitrix24.ru';

const name = (ru: string, en: string) => ({ ru, en });

/** A deal robot with the property shapes of §2.5: a string, a culture-format datetime and a multiple user. */
export const dealNotify = defineRobot({
  code: 'deal_notify',
  name: name('Уведомить по сделке', 'Notify about a deal'),
  description: name('Отправляет уведомление', 'Sends a notification'),
  documentTypes: ['deal'],
  properties: {
    text: { type: 'string', name: name('Текст', 'Text'), required: true },
    when: { type: 'datetime', name: name('Когда', 'When') },
    to: { type: 'user', multiple: true, name: name('Кому', 'To') },
  },
  returns: { Sent: { type: 'int', name: name('Отправлено', 'Sent') } },
  async handler() {
    return { Sent: 1 };
  },
});

/** A company rule: activity only (companies have no automation) and started by company events. */
export const companyOnboard = defineRobot({
  code: 'company_onboard',
  name: name('Онбординг компании', 'Company onboarding'),
  description: name('Проверяет компанию', 'Checks the company'),
  documentTypes: ['company'],
  properties: {},
  returns: {},
  events: ['ONCRMCOMPANYADD', 'ONCRMCOMPANYUPDATE'],
  async handler() {
    return {};
  },
});

export const commsStamp = defineRobot({
  code: 'comms_stamp',
  name: name('Дата коммуникации', 'Last contact stamp'),
  description: name('Пишет дату последней коммуникации', 'Stamps the last contact date'),
  documentTypes: ['deal', 'company'],
  properties: {},
  returns: { LastContact: { type: 'datetime', name: name('Последний контакт', 'Last contact') } },
  events: ['ONCRMACTIVITYADD'],
  async handler() {
    return {};
  },
});

export const testRobots: RobotDefinition[] = [dealNotify, companyOnboard, commsStamp];
export const registry = createRegistry(testRobots);

export async function memoryStore(): Promise<Store> {
  return createStore('sqlite::memory:');
}

export function portalRecord(overrides: Partial<PortalRecord> = {}): PortalRecord {
  const at = new Date('2025-01-10T09:00:00Z');
  return fixturePortal({
    memberId: MEMBER_ID,
    domain: DOMAIN,
    clientEndpoint: `https://${DOMAIN}/rest/`,
    applicationToken: APPLICATION_TOKEN,
    installedAt: at,
    updatedAt: at,
    ...overrides,
  });
}

/** A robot call as the OAuth server's queue POSTs it (PROTOCOL §2.2, fields in order, auth last). */
export function robotCall(overrides: Record<string, EncodableValue> = {}, auth: Record<string, EncodableValue> = {}): Record<string, EncodableValue> {
  return {
    workflow_id: '664fa13bbbb410.99176768',
    code: 'deal_notify',
    document_id: ['crm', 'CCrmDocumentDeal', 'DEAL_123'],
    document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
    event_token:
      '664fa13bbbb410.99176768|A40364_79843_85254_57332|MS1eJEndG8hKq2pLw3xYz7cVb6nM4aS1.54020fe1c3b2a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d',
    properties: { text: 'Hello world', when: '31.12.2024 18:00:00', to: ['user_1', 'user_7'] },
    use_subscription: 'Y',
    timeout_duration: '0',
    ts: '1716494651',
    ...overrides,
    auth: {
      access_token: 'b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8',
      expires: '1716498251',
      expires_in: '3600',
      scope: 'crm,bizproc,user_brief',
      domain: DOMAIN,
      server_endpoint: 'https://oauth.bitrix.info/rest/',
      client_endpoint: `https://${DOMAIN}/rest/`,
      member_id: MEMBER_ID,
      status: 'L',
      user_id: '1',
      refresh_token: 'f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2',
      application_token: APPLICATION_TOKEN,
      ...auth,
    },
  };
}

export function form(data: Record<string, EncodableValue>): string {
  return encodeBracketForm(data);
}

/** An axios instance whose every request is recorded and refused: "no outbound HTTP" is `requests.length === 0`. */
export function spyHttp(): { http: AxiosInstance; requests: string[] } {
  const requests: string[] = [];
  const http = axios.create({
    adapter: async (config) => {
      requests.push(`${config.method?.toUpperCase()} ${config.url}`);
      throw new Error('outbound HTTP is not allowed in this test');
    },
  });
  return { http, requests };
}

/** A logger whose lines are kept (JSON) so tests can check what was logged and that no secret was. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', json: true, transports: [new winston.transports.Stream({ stream })] }), lines };
}

export interface FakeOAuthServer {
  url: string;
  /** access token → what the OAuth server knows about it. */
  tokens: Map<string, { clientId: string; memberId: string; domain: string; clientEndpoint?: string; userId?: number; admin?: boolean }>;
  /** Requests received: `POST /rest/app.info`, `POST /rest/profile`. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * The OAuth server's `app.info` in the shape oauth.bitrix.info answers it: `{client_id, install: {member_id, domain,
 * …}}`; and a portal `profile` at `/portal/rest/profile` (the verified client_endpoint points there).
 */
export async function startFakeOAuthServer(): Promise<FakeOAuthServer> {
  const tokens: FakeOAuthServer['tokens'] = new Map();
  const requests: string[] = [];
  const app = express();
  app.use(express.urlencoded({ extended: false }), express.json());
  app.post('/rest/app.info', (req, res) => {
    requests.push('POST /rest/app.info');
    const known = tokens.get(String(req.body.auth ?? req.query.auth ?? ''));
    if (!known) {
      res.status(401).json({ error: 'invalid_token', error_description: 'The access token provided is invalid' });
      return;
    }
    res.json({
      result: {
        scope: 'crm,bizproc,task,user',
        client_id: known.clientId,
        expires: '2025-01-10T10:00:00+03:00',
        install: {
          installed: true,
          version: 1,
          status: 'L',
          member_id: known.memberId,
          domain: known.domain,
          ...(known.clientEndpoint ? { client_endpoint: known.clientEndpoint } : {}),
        },
      },
    });
  });
  app.post('/portal/rest/profile', (req, res) => {
    requests.push('POST /rest/profile');
    const known = tokens.get(String(req.body.auth ?? ''));
    if (!known) {
      res.status(401).json({ error: 'invalid_token', error_description: 'The access token provided is invalid' });
      return;
    }
    res.json({ result: { ID: String(known.userId ?? 1), ADMIN: known.admin ?? true, NAME: 'Anna', LAST_NAME: 'Admin' } });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokens,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface PortalCall {
  memberId: string;
  userId: number | null | undefined;
  method: string;
  params: unknown;
}

/**
 * An in-memory Bitrix24 client: batch commands are answered like a portal's bizproc registry would (add fails with
 * ERROR_ACTIVITY_ALREADY_INSTALLED for a known CODE, event.bind with "Handler already binded").
 */
export function fakePortalClient(options: { license?: string; failMethod?: string } = {}): {
  client: Pick<BitrixClient, 'forPortal'>;
  calls: PortalCall[];
  registered: Map<string, 'robot' | 'activity'>;
  bindings: Set<string>;
} {
  const calls: PortalCall[] = [];
  const registered = new Map<string, 'robot' | 'activity'>();
  const bindings = new Set<string>();

  function answer(method: string, params: any): { result?: unknown; error?: { error: string; error_description: string } } {
    if (options.failMethod === method) return { error: { error: 'ACCESS_DENIED', error_description: 'Access denied!' } };
    const kind = /^bizproc\.(robot|activity)\./.exec(method)?.[1] as 'robot' | 'activity' | undefined;
    if (kind && method.endsWith('.add')) {
      if (registered.has(params.CODE)) return { error: { error: 'ERROR_ACTIVITY_ALREADY_INSTALLED', error_description: 'Activity or Robot already installed!' } };
      registered.set(params.CODE, kind);
      return { result: true };
    }
    if (kind && method.endsWith('.update')) {
      if (registered.get(params.CODE) !== kind) return { error: { error: 'ERROR_ACTIVITY_NOT_FOUND', error_description: 'Activity or Robot not found!' } };
      return { result: true };
    }
    if (method === 'event.bind') {
      const key = `${params.event}|${params.handler}`;
      if (bindings.has(key)) return { error: { error: 'ERROR_HANDLER_ALREADY_BINDED', error_description: 'Handler already binded' } };
      bindings.add(key);
      return { result: true };
    }
    if (method === 'app.info') return { result: { ID: 5, CODE: CLIENT_ID, VERSION: 1, STATUS: 'L', INSTALLED: true, LICENSE: options.license ?? 'ru_std', LICENSE_FAMILY: (options.license ?? 'ru_std').includes('ent') ? 'ent' : 'std' } };
    return { error: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' } };
  }

  const client = {
    forPortal(memberId: string, scope: { userId?: number | null } = {}): B24 {
      const record = (method: string, params: unknown) => calls.push({ memberId, userId: scope.userId, method, params });
      return {
        memberId,
        async call(method: string, params?: any) {
          record(method, params);
          const out = answer(method, params ?? {});
          if (out.error) throw Object.assign(new Error(out.error.error_description), { code: out.error.error });
          return out.result;
        },
        async callRaw() {
          throw new Error('not used');
        },
        async batch(commands: Record<string, BatchCommand> | BatchCommand[]): Promise<BatchResult> {
          const out: BatchResult = { result: {}, errors: {}, total: {}, next: {} };
          for (const [key, [method, params]] of Object.entries(commands)) {
            record(method, params);
            const answered = answer(method, params ?? {});
            if (answered.error) out.errors[key] = answered.error;
            else out.result[key] = answered.result;
          }
          return out;
        },
        async listAll() {
          throw new Error('not used');
        },
        listPages() {
          throw new Error('not used');
        },
      } as B24;
    },
  };
  return { client, calls, registered, bindings };
}
