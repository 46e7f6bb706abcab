/**
 * A small fake Bitrix24 portal and OAuth server over HTTP (127.0.0.1, port 0) for the client's tests, faithful to
 * the wire facts the client relies on (PROTOCOL §4.5–4.7, §5): the `{result,time}` envelope and `{error,
 * error_description}` errors, a leaky bucket (503 QUERY_LIMIT_EXCEEDED), a per-method operating budget (429
 * OPERATION_TIME_LIMIT), expired_token and refresh-token rotation (a used refresh token → invalid_grant), `batch`
 * with `$result` references resolved after parse_str like PHP, crm.item.list with start=-1, legacy task.item.list
 * ignoring start=-1. Every request is journaled.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { parseBracketForm } from '../../../src/util/bracket-form';

export class FakeRestError extends Error {
  constructor(readonly status: number, readonly code: string, readonly description: string) {
    super(description);
  }
}

export interface Call {
  params: Record<string, any>;
  userId: number;
}
export type Handler = (call: Call) => unknown;
/** A list answer: `total`/`next` go to the top of the envelope (or to result_total/result_next in a batch). */
export interface ListPage {
  list: true;
  result: unknown;
  total: number;
  next?: number;
}

export interface JournalEntry {
  path: string;
  method: string;
  body: any;
  status: number;
}

export interface FakePortalOptions {
  clock: () => Date;
  memberId?: string;
  clientId?: string;
  clientSecret?: string;
  bucket?: { burst: number; drainPerSecond: number };
  operating?: { limitSeconds: number; windowSeconds: number; cost: Record<string, number> };
}

const num = (v: unknown) => Number(v);
const secs = (d: Date) => d.getTime() / 1000;

export async function startFakePortal(options: FakePortalOptions) {
  const memberId = options.memberId ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const clientId = options.clientId ?? 'local.6f1c2d3e4b5a6.12345678';
  const clientSecret = options.clientSecret ?? 'Zx9SecretOfTheApp0123456789abcdefghij';
  const journal: JournalEntry[] = [];
  const oauthJournal: { body: Record<string, string>; query: Record<string, unknown>; status: number }[] = [];
  const access = new Map<string, { userId: number; expiresAt: number }>();
  const refresh = new Map<string, { userId: number; used: boolean }>();
  const handlers = new Map<string, Handler>();
  const faults: { method: string; status: number; text: string; times: number }[] = [];
  const bucket = { level: 0, at: options.clock().getTime() };
  const operating = new Map<string, { used: number; resetAt: number | null }>();
  let serial = 0;

  const issue = (userId: number) => {
    serial += 1;
    const pair = {
      access_token: `acc${serial}x${Math.random().toString(36).slice(2, 14)}`,
      refresh_token: `ref${serial}x${Math.random().toString(36).slice(2, 14)}`,
    };
    access.set(pair.access_token, { userId, expiresAt: options.clock().getTime() + 3600_000 });
    refresh.set(pair.refresh_token, { userId, used: false });
    return pair;
  };

  function timeFor(method: string, started: Date) {
    const o = operating.get(method);
    return {
      start: secs(started),
      finish: secs(options.clock()),
      duration: 0.01,
      processing: 0.005,
      date_start: started.toISOString(),
      date_finish: options.clock().toISOString(),
      operating: o?.used ?? 0,
      ...(o?.resetAt ? { operating_reset_at: o.resetAt } : {}),
    };
  }

  /** Runs one method (direct or inside batch) with the per-method operating budget. */
  function run(method: string, call: Call): ListPage | { list: false; result: unknown } {
    const name = method.toLowerCase();
    const handler = handlers.get(name);
    if (!handler) throw new FakeRestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
    if (options.operating) {
      const now = secs(options.clock());
      const o = operating.get(name) ?? { used: 0, resetAt: null };
      if (o.resetAt !== null && now >= o.resetAt) Object.assign(o, { used: 0, resetAt: null });
      if (o.used > options.operating.limitSeconds) {
        throw new FakeRestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.');
      }
      o.used += options.operating.cost[name] ?? 0.01;
      o.resetAt ??= Math.floor(now) + options.operating.windowSeconds;
      operating.set(name, o);
    }
    const out = handler(call);
    if (out && typeof out === 'object' && (out as ListPage).list === true) return out as ListPage;
    return { list: false, result: out };
  }

  function resolveRefs(value: any, results: Record<string, unknown>): any {
    if (typeof value === 'string') {
      const m = /^\$result\[([^\]]+)\]((?:\[[^\]]+\])*)$/.exec(value);
      if (!m) return value;
      // PHP walks the path and stops at the first missing key, keeping what it reached.
      let r: any = results[m[1]];
      for (const k of [...m[2].matchAll(/\[([^\]]+)\]/g)].map((x) => x[1])) {
        if (r !== null && typeof r === 'object' && k in r) r = r[k];
        else break;
      }
      return r;
    }
    if (Array.isArray(value)) return value.map((v) => resolveRefs(v, results));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, results)]));
    }
    return value;
  }

  const php = (section: Record<string, unknown>) => (Object.keys(section).length === 0 ? [] : section);

  handlers.set('batch', ({ params, userId }) => {
    const cmd = params.cmd ?? {};
    const halt = ['1', 'true', 1, true].includes(params.halt);
    const result: Record<string, unknown> = {};
    const errors: Record<string, unknown> = {};
    const total: Record<string, unknown> = {};
    const next: Record<string, unknown> = {};
    const time: Record<string, unknown> = {};
    let count = 0;
    for (const [key, text] of Object.entries<string>(cmd)) {
      if (++count > 50) {
        errors[key] = { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' };
        continue;
      }
      const q = text.indexOf('?');
      const method = q === -1 ? text : text.slice(0, q);
      const started = options.clock();
      try {
        if (method.toLowerCase() === 'batch') {
          throw new FakeRestError(405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage');
        }
        const sub = resolveRefs(q === -1 ? {} : parseBracketForm(text.slice(q + 1)), result);
        const out = run(method, { params: sub, userId });
        result[key] = out.result;
        if (out.list) {
          total[key] = out.total;
          if (out.next !== undefined) next[key] = out.next;
        }
        time[key] = timeFor(method.toLowerCase(), started);
      } catch (e) {
        if (!(e instanceof FakeRestError)) throw e;
        errors[key] = { error: e.code, error_description: e.description };
        if (halt) break;
      }
    }
    return {
      result: php(result),
      result_error: php(errors),
      result_total: php(total),
      result_next: php(next),
      result_time: php(time),
    };
  });

  const app = express();
  app.use(express.json({ limit: '5mb' }));
  app.use(express.urlencoded({ extended: false }));

  app.post('/oauth/token/', (req, res) => {
    const body = req.body as Record<string, string>;
    const reply = (status: number, payload: unknown) => {
      oauthJournal.push({ body, query: req.query, status });
      res.status(status).json(payload);
    };
    if (body.client_id !== clientId || body.client_secret !== clientSecret) {
      return reply(401, { error: 'invalid_client', error_description: 'Invalid client' });
    }
    const known = refresh.get(body.refresh_token);
    if (body.grant_type !== 'refresh_token' || !known || known.used) {
      return reply(400, { error: 'invalid_grant', error_description: 'The refresh token is invalid' });
    }
    known.used = true; // rotation: the old refresh token is dead from now on
    const pair = issue(known.userId);
    reply(200, {
      ...pair,
      expires: Math.floor(secs(options.clock())) + 3600,
      expires_in: 3600,
      scope: 'crm,task,user,bizproc',
      domain: 'oauth.bitrix.info',
      server_endpoint: 'https://oauth.bitrix.info/rest/',
      client_endpoint: `${url}/rest/`,
      member_id: memberId,
      status: 'L',
      user_id: known.userId,
    });
  });

  app.post('/rest/:method', (req, res) => {
    const method = String(req.params.method).replace(/\.json$/, '');
    const body = req.body as Record<string, any>;
    const started = options.clock();
    const send = (status: number, payload: unknown) => {
      journal.push({ path: req.path, method, body, status });
      if (typeof payload === 'string') res.status(status).type('text/html').send(payload);
      else res.status(status).json(payload);
    };
    const fail = (e: FakeRestError) => send(e.status, { error: e.code, error_description: e.description });

    if (options.bucket) {
      const now = options.clock().getTime();
      bucket.level = Math.max(0, bucket.level - ((now - bucket.at) / 1000) * options.bucket.drainPerSecond);
      bucket.at = now;
      if (bucket.level + 1 > options.bucket.burst) {
        return fail(new FakeRestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests'));
      }
      bucket.level += 1;
    }
    const token = access.get(body.auth ?? body.access_token);
    if (!body.auth && !body.access_token) return fail(new FakeRestError(401, 'NO_AUTH_FOUND', 'Wrong authorization data'));
    if (!token) return fail(new FakeRestError(401, 'invalid_token', 'Unable to get application by token'));
    if (token.expiresAt <= options.clock().getTime()) {
      return fail(new FakeRestError(401, 'expired_token', 'The access token provided has expired'));
    }
    const fault = faults.find((f) => f.method === method.toLowerCase() && f.times > 0);
    if (fault) {
      fault.times -= 1;
      return send(fault.status, fault.text.replace('{body}', JSON.stringify(body)));
    }
    const params = { ...body };
    delete params.auth;
    try {
      const out = run(method, { params, userId: token.userId });
      const envelope: Record<string, unknown> = { result: out.result };
      if (out.list) {
        envelope.total = out.total;
        if (out.next !== undefined) envelope.next = out.next;
      }
      envelope.time = timeFor(method.toLowerCase(), started);
      send(200, envelope);
    } catch (e) {
      if (e instanceof FakeRestError) return fail(e);
      throw e;
    }
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    memberId,
    clientEndpoint: `${url}/rest/`,
    clientId,
    clientSecret,
    journal,
    oauthJournal,
    issue,
    handle(method: string, handler: Handler) {
      handlers.set(method.toLowerCase(), handler);
    },
    /** The next `times` calls of `method` are answered with `status` and `text` (`{body}` echoes the request). */
    fault(method: string, status: number, text: string, times = 1) {
      faults.push({ method: method.toLowerCase(), status, text, times });
    },
    expireAccessTokens() {
      for (const t of access.values()) t.expiresAt = 0;
    },
    /** HTTP requests that reached `/rest/<method>`. */
    requests(method?: string) {
      return method ? journal.filter((j) => j.method.toLowerCase() === method.toLowerCase()) : journal;
    },
    refreshCount: () => oauthJournal.filter((o) => o.status === 200).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakePortal = Awaited<ReturnType<typeof startFakePortal>>;

/** crm.item.list over `count` items with ids 1..count: filter `>id`, order by id, start=-1 → no total, no next. */
export function crmItemList(count: number): Handler {
  const items = Array.from({ length: count }, (_, i) => ({ id: i + 1, title: `Deal #${i + 1}`, entityTypeId: 2 }));
  return ({ params }) => {
    const filter = params.filter ?? {};
    const after = filter['>id'] !== undefined ? num(filter['>id']) : -Infinity;
    if (Number.isNaN(after)) throw new FakeRestError(400, 'INVALID_ARG_VALUE', 'Invalid filter value for ">id"');
    const rows = items.filter((item) => item.id > after);
    const start = num(params.start ?? 0);
    if (start < 0) return { list: true, result: { items: rows.slice(0, 50) }, total: 0 } satisfies ListPage;
    const page = rows.slice(start, start + 50);
    const next = start + 50 < rows.length ? start + 50 : undefined;
    return { list: true, result: { items: page }, total: rows.length, ...(next ? { next } : {}) } satisfies ListPage;
  };
}

/** Legacy task.item.list: a negative start is ignored (page 1 again), rows are upper-case strings. */
export function legacyTaskList(count: number): Handler {
  const rows = Array.from({ length: count }, (_, i) => ({ ID: String(i + 1), TITLE: `Task ${i + 1}` }));
  return ({ params }) => {
    const start = Math.max(0, num(params.start ?? 0));
    const next = start + 50 < rows.length ? start + 50 : undefined;
    return { list: true, result: rows.slice(start, start + 50), total: rows.length, ...(next ? { next } : {}) };
  };
}
