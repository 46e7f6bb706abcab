/**
 * `batch` (b24-docs/settings/how-to-call-rest-api/batch.md, PROTOCOL §5.4): up to 50 `method?query` commands run in
 * order with the outer auth; `$result[key][field]…` refers to earlier results; `halt` stops at the first error;
 * commands past the 50th fail with ERROR_BATCH_LENGTH_EXCEEDED; a nested batch fails with
 * ERROR_BATCH_METHOD_NOT_ALLOWED. Sections are keyed like `cmd`, and an empty section is `[]` as PHP prints it.
 * The outer call costs no operating time; each command counts against its own method.
 */
import { RestError } from './contract';
import { callerOf, executeCall, type DispatchHost } from './dispatch';
import { errorBody, phpSection } from './envelope';
import type { SandboxPortal } from './portal';
import { FormParseError, parseBracketForm } from '../util/bracket-form';

/** batch: max 50 commands. */
export const MAX_BATCH_COMMANDS = 50;

interface Command {
  method: string;
  params: Record<string, any>;
}

export function isTruthyFlag(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return ['1', 'true', 'y', 'yes'].includes(value.trim().toLowerCase());
  return false;
}

function commandEntries(cmd: unknown): Array<[string, unknown]> {
  if (Array.isArray(cmd)) return cmd.map((value, i) => [String(i), value]);
  if (cmd && typeof cmd === 'object') return Object.entries(cmd);
  return [];
}

function parseCommand(text: unknown): Command | RestError {
  if (typeof text !== 'string' || text.trim() === '') {
    return new RestError(400, 'ERROR_ARGUMENT', 'A batch command must be a "method?query" string');
  }
  const q = text.indexOf('?');
  const method = (q === -1 ? text : text.slice(0, q)).trim().replace(/\.json$/i, '');
  try {
    const params = parseBracketForm(q === -1 ? '' : text.slice(q + 1)) as Record<string, any>;
    // the outer auth is used for every command (PROTOCOL §5.4)
    delete params.auth;
    delete params.access_token;
    return { method, params };
  } catch (err) {
    if (err instanceof FormParseError) return new RestError(400, 'INVALID_REQUEST', `Malformed command query: ${err.message}`);
    throw err;
  }
}

const WHOLE_REF = /^\$result\[([^\]]+)\]((?:\[[^\]]*\])*)$/;
const ANY_REF = /\$result\[([^\]]+)\]((?:\[[^\]]*\])*)/g;

function resolve(results: Map<string, unknown>, key: string, path: string): { found: boolean; value?: unknown } {
  if (!results.has(key)) return { found: false };
  let value = results.get(key);
  for (const match of path.matchAll(/\[([^\]]*)\]/g)) {
    if (value === null || typeof value !== 'object') return { found: false };
    const segment = match[1];
    if (!Object.prototype.hasOwnProperty.call(value, segment)) return { found: false };
    value = (value as Record<string, unknown>)[segment];
  }
  return { found: true, value };
}

/**
 * Replaces `$result[key][field]…` in parameter values. A value that is a whole reference becomes the referenced
 * value (it may be an array or object); a reference inside a longer string is printed into it. A reference to a
 * command that failed or does not exist is left as written (real behaviour unconfirmed).
 */
function substitute(value: unknown, results: Map<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_REF.exec(value);
    if (whole) {
      const ref = resolve(results, whole[1], whole[2]);
      return ref.found ? ref.value : value;
    }
    return value.replace(ANY_REF, (text, key: string, path: string) => {
      const ref = resolve(results, key, path);
      if (!ref.found || ref.value === null || ref.value === undefined) return ref.found ? '' : text;
      return typeof ref.value === 'object' ? JSON.stringify(ref.value) : String(ref.value);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, results));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, results);
    return out;
  }
  return value;
}

export function registerBatch(host: DispatchHost): void {
  host.methods.register(
    'batch',
    async (ctx) => {
      const caller = callerOf(ctx.auth);
      const portal = ctx.portal as SandboxPortal;
      const halt = isTruthyFlag(ctx.params.halt ?? ctx.params.HALT);
      const results = new Map<string, unknown>();
      const result: Array<[string, unknown]> = [];
      const errors: Array<[string, unknown]> = [];
      const totals: Array<[string, unknown]> = [];
      const nexts: Array<[string, unknown]> = [];
      const times: Array<[string, unknown]> = [];
      const entries = commandEntries(ctx.params.cmd ?? ctx.params.CMD);
      for (let i = 0; i < entries.length; i++) {
        const [key, text] = entries[i];
        if (i >= MAX_BATCH_COMMANDS) {
          errors.push([key, errorBody(new RestError(400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded'))]);
          if (halt) break;
          continue;
        }
        const command = parseCommand(text);
        if (command instanceof RestError) {
          errors.push([key, errorBody(command)]);
          if (halt) break;
          continue;
        }
        const params = substitute(command.params, results) as Record<string, any>;
        const outcome = await executeCall(host, { portal, caller, method: command.method, params, inBatch: true });
        if (!outcome.ok) {
          errors.push([key, errorBody(outcome.error)]);
          if (halt) break;
          continue;
        }
        results.set(key, outcome.result);
        result.push([key, outcome.result]);
        if (outcome.total !== undefined) totals.push([key, outcome.total]);
        if (outcome.next !== undefined) nexts.push([key, outcome.next]);
        times.push([key, outcome.time]);
      }
      return {
        result: phpSection(result),
        result_error: phpSection(errors),
        result_total: phpSection(totals),
        result_next: phpSection(nexts),
        result_time: phpSection(times),
      };
    },
    { cost: 0 },
  );
}
