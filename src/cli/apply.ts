/**
 * Carries out a plan on one portal with the installing admin's token, in `batch` requests (the client splits them at
 * 50 commands, PROTOCOL §5.4), and keeps our records in step with what the portal accepted.
 *
 * The portal can differ from what the plan saw (another instance, the app page, an app update in between):
 *  - add → `ERROR_ACTIVITY_ALREADY_INSTALLED`: the CODE exists, so it is sent again as an update (issue 4);
 *  - update → `ERROR_ACTIVITY_NOT_FOUND`: it is gone, so it is added;
 *  - delete → `ERROR_ACTIVITY_NOT_FOUND`: already gone, which is what was wanted.
 */
import type { RegistrationPayload } from '../activities/manifest';
import type { B24, BatchCommand } from '../bitrix/types';
import type { Store } from '../store/types';
import type { PlannedAction, PortalStatus, Verb } from './plan';
import { payloadHash, writeRecords, type RegisteredRecords } from './registered';

const ALREADY_INSTALLED = 'ERROR_ACTIVITY_ALREADY_INSTALLED';
const NOT_FOUND = 'ERROR_ACTIVITY_NOT_FOUND';

export interface ApplyFailure {
  verb: Verb;
  kind: PlannedAction['kind'];
  code: string;
  error: string;
  description: string;
}

export interface ApplyResult {
  added: string[];
  updated: string[];
  removed: string[];
  failed: ApplyFailure[];
}

function command(action: PlannedAction, verb: Verb): BatchCommand {
  const method = `bizproc.${action.kind}.${verb}`;
  if (verb === 'delete') return [method, { CODE: action.code }];
  const payload = action.payload as RegistrationPayload;
  if (verb === 'add') return [method, { ...payload }];
  // update: CODE plus FIELDS; PROPERTIES are replaced as a whole, never merged (PROTOCOL §1.4).
  const { CODE, ...fields } = payload;
  return [method, { CODE, FIELDS: fields }];
}

/** The verb to try when the first one found the portal in another state; null when the failure is final. */
function fallback(verb: Verb, error: string): Verb | 'done' | null {
  if (verb === 'add' && error === ALREADY_INSTALLED) return 'update';
  if (verb === 'update' && error === NOT_FOUND) return 'add';
  if (verb === 'delete' && error === NOT_FOUND) return 'done';
  return null;
}

/**
 * A batch command travels as a query string, where an empty array or object vanishes (http_build_query, PROTOCOL
 * §5.4): an update that empties PROPERTIES would silently keep the old ones. Such commands go alone, as JSON.
 */
export function needsJsonBody(params: unknown): boolean {
  const fields = ((params as { FIELDS?: unknown }).FIELDS ?? params) as Record<string, unknown>;
  return Object.values(fields).some(
    (value) => typeof value === 'object' && value !== null && Object.keys(value).length === 0,
  );
}

type Failure = { error: string; error_description: string };

async function runRound(
  b24: B24,
  round: Array<{ action: PlannedAction; verb: Verb }>,
): Promise<Array<{ action: PlannedAction; verb: Verb; failure?: Failure }>> {
  if (round.length === 0) return [];
  const commands: Record<string, BatchCommand> = {};
  const failures = new Map<string, Failure>();
  for (const [i, item] of round.entries()) {
    const [method, params] = command(item.action, item.verb);
    if (item.verb !== 'update' || !needsJsonBody(params)) {
      commands[`c${i}`] = [method, params];
      continue;
    }
    try {
      await b24.callRaw(method, params); // callRaw: never coalesced into a batch
    } catch (error) {
      const { code, description } = error as { code?: string; description?: string };
      if (!code) throw error;
      failures.set(`c${i}`, { error: code, error_description: description ?? '' });
    }
  }
  const answer = Object.keys(commands).length ? await b24.batch(commands) : { errors: {} as Record<string, Failure> };
  return round.map((item, i) => ({ ...item, failure: answer.errors[`c${i}`] ?? failures.get(`c${i}`) }));
}

/**
 * Sends the plan and records the outcome. Never throws for one refused command (it is listed in `failed`); a failed
 * request (auth, network) throws after the records of nothing-yet-sent are left as they were.
 */
export async function applyActions(options: {
  b24: B24;
  store: Pick<Store, 'setState'>;
  status: PortalStatus;
  actions: PlannedAction[];
  now: () => Date;
}): Promise<ApplyResult> {
  const { b24, status, actions } = options;
  const result: ApplyResult = { added: [], updated: [], removed: [], failed: [] };
  const records: RegisteredRecords = { version: 1, entries: { ...status.records.entries } };
  const at = options.now().toISOString();

  const succeed = (action: PlannedAction, verb: Verb): void => {
    if (verb === 'delete') {
      delete records.entries[action.code];
      result.removed.push(action.code);
      return;
    }
    const payload = action.payload as RegistrationPayload;
    records.entries[action.code] = { kind: action.kind, code: action.code, hash: payloadHash(payload), payload, at, by: 'cli' };
    (verb === 'add' ? result.added : result.updated).push(action.code);
  };

  const retries: Array<{ action: PlannedAction; verb: Verb }> = [];
  const first = await runRound(b24, actions.map((action) => ({ action, verb: action.verb })));
  for (const outcome of first) {
    if (!outcome.failure) {
      succeed(outcome.action, outcome.verb);
      continue;
    }
    const next = fallback(outcome.verb, outcome.failure.error);
    if (next === 'done') succeed(outcome.action, 'delete');
    else if (next) retries.push({ action: outcome.action, verb: next });
    else result.failed.push({ verb: outcome.verb, kind: outcome.action.kind, code: outcome.action.code, error: outcome.failure.error, description: outcome.failure.error_description });
  }
  for (const outcome of await runRound(b24, retries)) {
    if (outcome.failure) {
      result.failed.push({ verb: outcome.verb, kind: outcome.action.kind, code: outcome.action.code, error: outcome.failure.error, description: outcome.failure.error_description });
    } else {
      succeed(outcome.action, outcome.verb);
    }
  }

  // Records of codes that are neither on the portal nor wanted any more describe nothing: drop them.
  for (const code of Object.keys(records.entries)) {
    const entry = status.entries.find((e) => e.code === code && e.kind === records.entries[code].kind);
    const touched = actions.some((action) => action.code === code);
    if (!entry && !touched && !status.unavailable.includes(records.entries[code].kind)) delete records.entries[code];
  }
  if (JSON.stringify(records.entries) !== JSON.stringify(status.records.entries)) {
    await writeRecords(options.store, status.memberId, records);
  }
  return result;
}
