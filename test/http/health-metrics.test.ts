import request from 'supertest';
import type { Express } from 'express';
import { createHttpApp } from '../../src/http/app';
import type { ClientMetrics } from '../../src/bitrix/types';
import type { Store } from '../../src/store/types';
import { capturingLogger, CLIENT_ID, CLIENT_SECRET, fakePortalClient, form, memoryStore, portalRecord, registry, robotCall } from './helpers';

const started = new Date('2025-01-10T12:00:00Z');

/** Parses the Prometheus text format: every sample line is `name{labels} value`, every family has HELP and TYPE. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.trimEnd().split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$/.exec(line);
    if (type) {
      typed.add(type[1]);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+]+|NaN|[+-]Inf)$/.exec(line);
    if (!sample) throw new Error(`not a Prometheus line: ${line}`);
    if (!typed.has(sample[1])) throw new Error(`sample before its TYPE: ${line}`);
    samples.set(`${sample[1]}${sample[2] ?? ''}`, Number(sample[3]));
  }
  return samples;
}

describe('health and metrics', () => {
  let store: Store;
  let app: Express;
  let now: Date;
  let closing: boolean;

  beforeEach(async () => {
    store = await memoryStore();
    await store.upsertPortal(portalRecord());
    now = started;
    closing = false;
    const clientMetrics: ClientMetrics = {
      requests: new Map([
        ['crm.item.get|200', 12],
        ['batch|200', 3],
        ['crm.deal.add|503', 1],
      ]),
      rateLimitWaitMs: 1500,
      refreshes: 2,
    };
    const oauth = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, server: 'https://oauth.bitrix.info' };
    app = createHttpApp({
      store,
      registry,
      client: { ...fakePortalClient().client, metrics: clientMetrics },
      logger: capturingLogger().logger,
      config: { publicUrl: 'https://robots.example.com/b24', oauth, bodyLimitBytes: 256 * 1024 },
      clock: () => now,
      isClosing: () => closing,
    });
  });

  afterEach(async () => {
    await store.close();
  });

  it('/healthz answers while the process serves', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/readyz is ready while the store answers, and not while closing or when the store is gone', async () => {
    expect((await request(app).get('/readyz')).body).toEqual({ status: 'ready', store: 'sqlite' });
    closing = true;
    expect((await request(app).get('/readyz')).status).toBe(503);
    closing = false;
    await store.close();
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('unavailable');
    store = await memoryStore(); // for afterEach
  });

  it('/metrics is valid Prometheus text with runs by state, REST requests, rate-limit wait and answers', async () => {
    // routes live under the path of PUBLIC_URL
    const call = await request(app).post('/b24/robots/deal_notify').type('form').send(form(robotCall()));
    expect(call.status).toBe(200);
    await request(app).post('/b24/robots/deal_notify').type('form').send(form(robotCall({}, { application_token: 'wrong' })));
    now = new Date(started.getTime() + 90_000);

    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseExposition(res.text);
    expect(samples.get('b24robots_runs{state="queued"}')).toBe(1);
    expect(samples.get('b24robots_runs{state="failed"}')).toBe(0);
    expect(samples.get('b24robots_rest_requests_total{method="crm.item.get",status="200"}')).toBe(12);
    expect(samples.get('b24robots_rest_requests_total{method="crm.deal.add",status="503"}')).toBe(1);
    expect(samples.get('b24robots_rate_limit_wait_seconds_total')).toBe(1.5);
    expect(samples.get('b24robots_token_refreshes_total')).toBe(2);
    expect(samples.get('b24robots_http_responses_total{route="/robots/:code",status="200"}')).toBe(1);
    expect(samples.get('b24robots_http_responses_total{route="/robots/:code",status="401"}')).toBe(1);
    expect(samples.get('b24robots_inbound_rejected_total{reason="APPLICATION_TOKEN_MISMATCH"}')).toBe(1);
    expect(samples.get('process_uptime_seconds')).toBe(90);
  });

  it('an unknown path is a JSON 404', async () => {
    const res = await request(app).get('/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('NOT_FOUND');
  });
});
