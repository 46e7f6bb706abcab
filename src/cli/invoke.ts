/**
 * `b24robots invoke <code> --portal P --document DEAL_12 [--prop k=v…] [--from-file call.txt] [--dry-run]`: runs a
 * robot once as if Bitrix24 had called it — or replays a saved raw call body (the PHP bracket form of PROTOCOL §2.2)
 * — through the worker's own code, and prints the REST calls it made and its return values. The run is stored with
 * source `manual` (not with `--dry-run`, which writes nothing: neither to the portal nor to our database).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DOCUMENT_KINDS } from '../activities/document';
import type { RobotDefinition } from '../activities/types';
import type { NewRun, PortalRecord } from '../store/types';
import { FormParseError, parseBracketForm, type FormObject, type FormValue } from '../util/bracket-form';
import type { CliContext } from './context';
import { dryRunStore } from './dry-run-store';
import { CliError, UsageError } from './errors';
import { cliOwner, executeRun, leaseTo, renderExecution } from './run-once';

interface InvokeOptions {
  portal?: string;
  document?: string;
  prop?: string[];
  fromFile?: string;
  user?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** A saved call: what the receiver reads from the form (PROTOCOL §2.2). */
interface SavedCall {
  code?: string;
  memberId?: string;
  userId?: number;
  documentId?: string[];
  documentType?: string[];
  properties: Record<string, FormValue>;
  workflowId?: string;
  eventToken?: string;
  useSubscription: boolean;
}

const DOCUMENT_HELP = 'DEAL_12, LEAD_3, COMPANY_5, CONTACT_7, QUOTE_2, SMART_INVOICE_4, DYNAMIC_128_9, or crm:CCrmDocumentDeal:DEAL_12';

/** `DEAL_12` → document_id and document_type triples as Bitrix24 sends them (PROTOCOL §2.3). */
export function parseDocumentArg(text: string): { documentId: string[]; documentType: string[] | null } {
  const parts = text.split(/[:,/]/).map((part) => part.trim());
  if (parts.length === 3 && parts.every(Boolean)) return { documentId: parts, documentType: null };
  const dynamic = /^DYNAMIC_(\d+)_(\d+)$/i.exec(text.trim());
  if (dynamic) {
    const { module, className } = DOCUMENT_KINDS.dynamic;
    return { documentId: [module, className, `DYNAMIC_${dynamic[1]}_${dynamic[2]}`], documentType: [module, className, `DYNAMIC_${dynamic[1]}`] };
  }
  for (const kind of Object.values(DOCUMENT_KINDS)) {
    if (!kind.type) continue;
    const match = new RegExp(`^${kind.type}_(\\d+)$`, 'i').exec(text.trim());
    if (match) return { documentId: [kind.module, kind.className, `${kind.type}_${match[1]}`], documentType: [kind.module, kind.className, kind.type] };
  }
  throw new UsageError(`--document "${text}" is not a document: use ${DOCUMENT_HELP}`);
}

function text(value: FormValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function triple(value: FormValue | undefined): string[] | undefined {
  return Array.isArray(value) && value.length === 3 && value.every((part) => typeof part === 'string') ? (value as string[]) : undefined;
}

/** Reads a saved call body: the form Bitrix24 POSTed (bracket keys) or the same fields as a JSON object. */
export function parseSavedCall(body: string, file: string): SavedCall {
  const trimmed = body.trim();
  let form: FormObject;
  try {
    form = trimmed.startsWith('{') ? (JSON.parse(trimmed) as FormObject) : parseBracketForm(trimmed);
  } catch (error) {
    const why = error instanceof FormParseError || error instanceof SyntaxError ? error.message : String(error);
    throw new CliError('CALL_FILE_INVALID', `${file} is not a robot call body (${why}): save the raw POST body, e.g. code=…&document_id[0]=crm&…`);
  }
  const auth = (typeof form.auth === 'object' && !Array.isArray(form.auth) ? form.auth : {}) as FormObject;
  const properties = form.properties;
  const userId = Number(text(auth.user_id));
  return {
    code: text(form.code),
    memberId: text(auth.member_id),
    userId: Number.isInteger(userId) && userId > 0 ? userId : undefined,
    documentId: triple(form.document_id),
    documentType: triple(form.document_type),
    properties: typeof properties === 'object' && properties !== null && !Array.isArray(properties) ? (properties as Record<string, FormValue>) : {},
    workflowId: text(form.workflow_id),
    eventToken: text(form.event_token),
    useSubscription: text(form.use_subscription) === 'Y',
  };
}

/** `--prop k=v` pairs on top of the saved ones; a multiple property gathers its values into an array. */
function applyProps(robot: RobotDefinition, base: Record<string, FormValue>, pairs: string[]): Record<string, FormValue> {
  const properties: Record<string, FormValue> = { ...base };
  const given = new Map<string, string[]>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--prop "${pair}" is not key=value (e.g. --prop text=Hello --prop to=user_1)`);
    const key = pair.slice(0, eq);
    if (!(key in robot.properties)) {
      const known = Object.keys(robot.properties).join(', ') || 'none';
      throw new UsageError(`robot ${robot.code} has no property "${key}" (its properties: ${known})`);
    }
    given.set(key, [...(given.get(key) ?? []), pair.slice(eq + 1)]);
  }
  for (const [key, values] of given) properties[key] = robot.properties[key].multiple ? values : values[values.length - 1];
  return properties;
}

async function choosePortal(ctx: CliContext, options: InvokeOptions, saved: SavedCall | null): Promise<PortalRecord> {
  if (options.portal) {
    const portal = await ctx.findPortal(options.portal);
    if (saved?.memberId && saved.memberId !== portal.memberId) {
      throw new UsageError(`the saved call is from portal ${saved.memberId}, not ${portal.domain}: drop --portal or pick the matching one`);
    }
    return portal;
  }
  if (saved?.memberId) return ctx.findPortal(saved.memberId);
  const [portal] = await ctx.selectPortals({});
  return portal;
}

async function invoke(ctx: CliContext, code: string | undefined, options: InvokeOptions): Promise<void> {
  const saved = options.fromFile ? parseSavedCall(await readFile(options.fromFile, 'utf8'), options.fromFile) : null;
  const wanted = code ?? saved?.code;
  if (!wanted) throw new UsageError('which robot? give its code, or --from-file with a saved call');
  const registry = ctx.registry();
  const robot = registry.resolve(wanted);
  if (!robot) throw new UsageError(`no robot "${wanted}": the robots are ${registry.list().map((r) => r.code).join(', ')}`);
  if (code && saved?.code && registry.resolve(saved.code) !== robot) {
    throw new UsageError(`the saved call is for ${saved.code}, not ${code}: drop the code or pick the matching one`);
  }
  const document = options.document ? parseDocumentArg(options.document) : null;
  const user = options.user !== undefined ? Number(options.user) : undefined;
  if (user !== undefined && !(Number.isInteger(user) && user > 0)) throw new UsageError(`--user must be a user id such as 1 (got "${options.user}")`);
  const properties = applyProps(robot, saved?.properties ?? {}, options.prop ?? []);

  const portal = await choosePortal(ctx, options, saved);
  ctx.config(); // the app keys are needed for REST: fail before storing anything
  const realStore = await ctx.store();
  const store = options.dryRun ? dryRunStore(realStore, ctx.now) : realStore;
  const now = ctx.now();
  const run: NewRun = {
    memberId: portal.memberId,
    robotCode: robot.code,
    source: 'manual',
    dedupeKey: `manual:${randomUUID()}`,
    workflowId: saved?.workflowId ?? null,
    // A replayed call keeps its event token: the robot answers that workflow step, as the original would have.
    eventToken: saved?.eventToken ?? null,
    documentId: document?.documentId ?? saved?.documentId ?? null,
    documentType: document?.documentType ?? saved?.documentType ?? null,
    properties,
    userId: user ?? saved?.userId ?? portal.adminUserId,
    useSubscription: saved?.useSubscription ?? false,
    firedAt: now,
    // Not runnable by a service worker until this command has leased it (just below).
    availableAt: new Date(now.getTime() + 86_400_000),
  };
  const { run: stored } = await store.enqueueRun(run);
  const owner = cliOwner();
  await store.updateRun(stored.id, null, leaseTo(owner, ctx.now()));
  const execution = await executeRun(ctx, { portal, runId: stored.id, owner, store, dryRun: Boolean(options.dryRun) });
  if (options.json) ctx.out.json(execution);
  else ctx.out.print(renderExecution(ctx, execution));
  if (execution.run.state === 'failed') ctx.exitCode = 1;
}

export function registerInvokeCommand(program: Command, context: () => CliContext): void {
  program
    .command('invoke')
    .argument('[code]', 'robot code (or its activity code); optional with --from-file')
    .description('run a robot once as if Bitrix24 had called it, or replay a saved call; prints its REST calls and return values')
    .option('--portal <portal>', 'member_id or domain (default: the saved call\'s portal, or the only installed one)')
    .option('--document <document>', `the document: ${DOCUMENT_HELP}`)
    .option('--prop <key=value...>', 'property values as Bitrix24 sends them (user_1, Y/N, 31.12.2024); repeat for multiple values')
    .option('--from-file <file>', 'replay a saved raw call body (form-encoded as Bitrix24 POSTs it, or JSON)')
    .option('--user <id>', 'act as this user (default: the call\'s user, or the installing admin)')
    .option('--dry-run', 'send reads only: writes are recorded, not sent, and nothing is stored')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `
The run is processed here by the worker's code (source "manual"); it fails at its first error (retry it with
\`b24robots runs retry <id>\`). A replayed call keeps its event_token, so it answers that workflow step.
With --dry-run a write is answered locally, shaped like the portal's answer (new ids from 2000000001), so
the robot can go on.

Examples:
  $ b24robots invoke onboarding_create_deal --portal acme.bitrix24.ru --document COMPANY_12 --dry-run
  $ b24robots invoke deal_notify --document DEAL_12 --prop text=Hello --prop to=user_1 --prop to=user_5
  $ b24robots invoke --from-file saved-call.txt --json`,
    )
    .action((code: string | undefined, options: InvokeOptions) => invoke(context(), code, options));
}
