/**
 * The one place that POSTs to app URLs: robot/action handler calls, bound events and app install notifications.
 * Like the Bitrix24 queue: `application/x-www-form-urlencoded` bodies, fire-and-forget, a short timeout, the
 * answer's body ignored and **never retried** on a timeout or a non-2xx status (PROTOCOL §2.1, events/index.md).
 * Every call is recorded in `state.outbound` for tests and the sandbox API.
 */
import http from 'node:http';
import https from 'node:https';
import type { PortalCore } from '../contract';
import { notifyChange, runtimeOf } from './runtime';
import { bizprocState, OUTBOUND_KEEP } from './state';
import type { OutboundRecord } from './state';

/** The queue's request timeout is undocumented (PROTOCOL §2.1: "answer within about 1 s"); 5 s here. */
export const OUTBOUND_TIMEOUT_MS = 5000;
const USER_AGENT = 'Bitrix24 Webhook Engine';

export interface OutboundCall {
  kind: OutboundRecord['kind'];
  url: string;
  body: string;
  workflowId?: string;
  event?: string;
}

function post(url: string, body: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      {
        method: 'POST',
        // No keep-alive: every delivery is its own connection, so nothing lingers after the answer.
        agent: false,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          'User-Agent': USER_AGENT,
          Connection: 'close',
        },
        timeout: timeoutMs,
      },
      (response) => {
        response.resume(); // the body is ignored
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

function random(portal: PortalCore): number {
  // The platform's portal carries a seeded RNG for repeatable faults; fall back to Math.random.
  const seeded = (portal as { random?: () => number }).random;
  return typeof seeded === 'function' ? seeded() : Math.random();
}

export interface Delivery {
  /** Filled in when the answer comes: status or error. */
  record: OutboundRecord;
  /** Settles when the POST has been answered, failed or was dropped; never rejects. */
  done: Promise<void>;
}

/** Records the call and starts the POST in the background. */
export function postForm(portal: PortalCore, call: OutboundCall): Delivery {
  const state = bizprocState(portal);
  const runtime = runtimeOf(portal);
  const record: OutboundRecord = {
    id: ++state.seq.outbound,
    at: runtime.sandbox.now().toISOString(),
    kind: call.kind,
    url: call.url,
    body: call.body,
    workflowId: call.workflowId ?? null,
    event: call.event ?? null,
    status: null,
    error: null,
    dropped: false,
  };
  state.outbound.push(record);
  if (state.outbound.length > OUTBOUND_KEEP) state.outbound.splice(0, state.outbound.length - OUTBOUND_KEEP);

  const share = portal.faults.dropHandlerCalls;
  if (call.kind === 'robot' && share > 0 && random(portal) < share) {
    record.dropped = true; // silently lost in the queue: the step waits until its timeout, if any
    return { record, done: Promise.resolve() };
  }
  const delivery = post(call.url, call.body, OUTBOUND_TIMEOUT_MS)
    .then((status) => {
      record.status = status;
    })
    .catch((error: unknown) => {
      record.error = error instanceof Error ? error.message : String(error);
    })
    .finally(() => {
      runtime.pending.delete(delivery);
      notifyChange(portal);
    });
  runtime.pending.add(delivery);
  return { record, done: delivery };
}

export function outboundCalls(portal: PortalCore): OutboundRecord[] {
  return bizprocState(portal).outbound;
}
