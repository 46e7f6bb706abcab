/**
 * A Bitrix24 client that records every REST call a robot makes (method, params, result or error), for `invoke` to
 * print. With `dryRun`, reads are sent and writes are not: a write is recorded and answered locally in the shape the
 * portal would use, so the handler goes on and the output shows everything it would have changed. Ids of kept-back
 * adds start at 2000000001: positive (robots rightly refuse an id ≤ 0) but far above any real portal's ids, so a
 * later read of one fails visibly instead of finding some other record.
 */
import { commandMethod, isReadMethod } from '../bitrix/retry';
import type { B24, BatchCommand, BatchResult, BitrixClient, RestParams } from '../bitrix/types';

/** First id handed out for a kept-back add (int32 columns end at 2147483647). */
export const DRY_RUN_FIRST_ID = 2_000_000_001;

export interface RecordedCall {
  method: string;
  params: unknown;
  /** false: a dry run kept it back. */
  sent: boolean;
  ok: boolean;
  result?: unknown;
  error?: string;
  /** How it travelled: alone, as a command of a `batch`, or as a list enumeration. */
  via: 'call' | 'batch' | 'list';
}

export interface RecordingClient {
  client: BitrixClient;
  calls: RecordedCall[];
}

/**
 * What a kept-back write answers, shaped like the real answer (PROTOCOL §6): `crm.item.add` → `{item: {id, …}}`,
 * `tasks.task.add|update` → `{task: {id}}` (a string there), other `*.add` → the id, anything else → `true`.
 */
export function dryRunAnswer(method: string, params: unknown, nextId: () => number): unknown {
  const lower = commandMethod(method).toLowerCase();
  const fields = ((params as { fields?: Record<string, unknown> } | undefined)?.fields ?? {}) as Record<string, unknown>;
  if (lower === 'crm.item.add') return { item: { ...fields, id: nextId() } };
  // tasks.* take UPPERCASE input and answer in camelCase (PROTOCOL §6.7): only the id is echoed.
  if (lower === 'tasks.task.add') return { task: { id: String(nextId()) } };
  if (lower === 'tasks.task.update') return { task: { id: String((params as { taskId?: unknown }).taskId ?? '') } };
  if (/\.add$/.test(lower)) return nextId();
  return true;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function entriesOf(commands: Record<string, BatchCommand> | BatchCommand[]): Array<[string, BatchCommand]> {
  return Array.isArray(commands) ? commands.map((command, i) => [String(i), command]) : Object.entries(commands);
}

/** Rows of a list: the count and the first few, so the output stays readable for long lists. */
function listSummary(rows: unknown[]): unknown {
  return { rows: rows.length, first: rows.slice(0, 3) };
}

function recordingB24(inner: B24, calls: RecordedCall[], dryRun: boolean, nextId: () => number): B24 {
  const keepBack = (method: string): boolean => dryRun && !isReadMethod(commandMethod(method));
  const keptBack = (method: string, params: unknown, via: RecordedCall['via']): unknown => {
    const result = dryRunAnswer(method, params, nextId);
    calls.push({ method, params, sent: false, ok: true, result, via });
    return result;
  };

  async function traced<T>(method: string, params: unknown, send: () => Promise<T>, summary: (value: T) => unknown = (v) => v): Promise<T> {
    try {
      const value = await send();
      calls.push({ method, params, sent: true, ok: true, result: summary(value), via: 'call' });
      return value;
    } catch (error) {
      calls.push({ method, params, sent: true, ok: false, error: errorText(error), via: 'call' });
      throw error;
    }
  }

  return {
    memberId: inner.memberId,
    async call(method: string, params?: RestParams) {
      if (keepBack(method)) return keptBack(method, params, 'call') as any;
      return traced(method, params, () => inner.call(method, params));
    },
    async callRaw(method: string, params?: RestParams) {
      if (keepBack(method)) return { result: keptBack(method, params, 'call') as any };
      return traced(method, params, () => inner.callRaw(method, params), (envelope) => envelope.result);
    },
    async batch(commands, options) {
      const entries = entriesOf(commands);
      const sendable = entries.filter(([, [method]]) => !keepBack(method));
      const answer: BatchResult =
        sendable.length > 0 ? await inner.batch(Object.fromEntries(sendable), options) : { result: {}, errors: {}, total: {}, next: {} };
      for (const [key, [method, params]] of entries) {
        if (keepBack(method)) {
          answer.result[key] = keptBack(method, params, 'batch');
        } else if (answer.errors[key]) {
          const { error, error_description } = answer.errors[key];
          calls.push({ method, params, sent: true, ok: false, error: [error, error_description].filter(Boolean).join(': '), via: 'batch' });
        } else {
          calls.push({ method, params, sent: true, ok: true, result: answer.result[key], via: 'batch' });
        }
      }
      return answer;
    },
    async listAll(method, params, options) {
      try {
        const rows = await inner.listAll(method, params, options);
        calls.push({ method, params, sent: true, ok: true, result: listSummary(rows), via: 'list' });
        return rows;
      } catch (error) {
        calls.push({ method, params, sent: true, ok: false, error: errorText(error), via: 'list' });
        throw error;
      }
    },
    listPages(method, params, options) {
      const pages = inner.listPages(method, params, options);
      return {
        async *[Symbol.asyncIterator]() {
          const rows: unknown[] = [];
          try {
            for await (const page of pages) {
              rows.push(...page);
              yield page;
            }
            calls.push({ method, params, sent: true, ok: true, result: listSummary(rows), via: 'list' });
          } catch (error) {
            calls.push({ method, params, sent: true, ok: false, error: errorText(error), via: 'list' });
            throw error;
          }
        },
      };
    },
  };
}

export function recordingClient(inner: BitrixClient, options: { dryRun: boolean }): RecordingClient {
  const calls: RecordedCall[] = [];
  let lastId = DRY_RUN_FIRST_ID - 1;
  const nextId = (): number => ++lastId;
  return {
    calls,
    client: {
      forPortal: (memberId, scope) => recordingB24(inner.forPortal(memberId, scope), calls, options.dryRun, nextId),
      metrics: inner.metrics,
      close: async () => undefined,
    },
  };
}
