/**
 * `GET /metrics` in the Prometheus text exposition format (version 0.0.4): runs by state (from the store, so every
 * instance reports the shared queue), REST requests by method and status, time spent waiting on the rate limit and
 * token refreshes (from this process's Bitrix24 client), inbound HTTP answers and uptime.
 */
import type { Request, Response } from 'express';
import type { ClientMetrics } from '../bitrix/types';
import type { RunState, Store } from '../store/types';

const RUN_STATES: RunState[] = ['queued', 'running', 'waiting', 'done', 'failed'];

/** Counters of the HTTP edge itself. */
export interface HttpMetrics {
  /** Answers by `${route}|${status}`. */
  responses: Map<string, number>;
  /** Refused inbound calls by error code (wrong token, unknown portal, …). */
  rejections: Map<string, number>;
}

export function createHttpMetrics(): HttpMetrics {
  return { responses: new Map(), rejections: new Map() };
}

export function increment(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(values: Record<string, string>): string {
  const parts = Object.entries(values).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

class Exposition {
  private readonly lines: string[] = [];

  metric(name: string, type: 'counter' | 'gauge', help: string, samples: Array<[Record<string, string>, number]>): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labelValues, value] of samples) this.lines.push(`${name}${labels(labelValues)} ${formatValue(value)}`);
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

function splitKey(key: string): [string, string] {
  const bar = key.lastIndexOf('|');
  return bar === -1 ? [key, ''] : [key.slice(0, bar), key.slice(bar + 1)];
}

export interface MetricsSources {
  store: Store;
  client: { metrics: ClientMetrics } | null;
  http: HttpMetrics;
  startedAt: Date;
  now: () => Date;
}

export async function renderMetrics(sources: MetricsSources): Promise<string> {
  const out = new Exposition();
  const counts = await sources.store.countRunsByState();
  out.metric(
    'b24robots_runs',
    'gauge',
    'Runs in the store by state.',
    RUN_STATES.map((state) => [{ state }, counts[state] ?? 0]),
  );
  const client = sources.client?.metrics;
  const rest = [...(client?.requests ?? new Map<string, number>()).entries()].sort(([a], [b]) => a.localeCompare(b));
  out.metric(
    'b24robots_rest_requests_total',
    'counter',
    'REST requests sent to portals by this process, by method and HTTP status (0 for a network failure).',
    rest.map(([key, value]) => {
      const [method, status] = splitKey(key);
      return [{ method, status }, value];
    }),
  );
  out.metric('b24robots_rate_limit_wait_seconds_total', 'counter', 'Time REST calls waited on the per-portal rate limit.', [
    [{}, (client?.rateLimitWaitMs ?? 0) / 1000],
  ]);
  out.metric('b24robots_token_refreshes_total', 'counter', 'OAuth token refreshes done by this process.', [[{}, client?.refreshes ?? 0]]);
  const responses = [...sources.http.responses.entries()].sort(([a], [b]) => a.localeCompare(b));
  out.metric(
    'b24robots_http_responses_total',
    'counter',
    'Answers to inbound HTTP requests by route and status.',
    responses.map(([key, value]) => {
      const [route, status] = splitKey(key);
      return [{ route, status }, value];
    }),
  );
  const rejections = [...sources.http.rejections.entries()].sort(([a], [b]) => a.localeCompare(b));
  out.metric(
    'b24robots_inbound_rejected_total',
    'counter',
    'Inbound calls refused, by error code (e.g. APPLICATION_TOKEN_MISMATCH).',
    rejections.map(([reason, value]) => [{ reason }, value]),
  );
  const uptime = (sources.now().getTime() - sources.startedAt.getTime()) / 1000;
  out.metric('process_uptime_seconds', 'gauge', 'Seconds since this process started serving.', [[{}, Math.max(0, uptime)]]);
  return out.text();
}

export function metricsHandler(sources: MetricsSources) {
  return async (_req: Request, res: Response): Promise<void> => {
    const text = await renderMetrics(sources);
    res.status(200).type('text/plain; version=0.0.4; charset=utf-8').send(text);
  };
}
