/**
 * `register`, `unregister` and `sync`: one plan → apply engine (plan.ts, apply.ts). The plan of each portal is printed
 * before anything is sent; `--dry-run` prints only. Idempotent: a second run finds everything in sync and says so.
 * Only our own codes are ever changed: other apps' robots are invisible to our token, and codes of our app that are
 * neither in the manifests nor in our records ("unknown to us") are never deleted.
 */
import type { Command } from 'commander';
import type { PortalRecord } from '../store/types';
import { applyActions, type ApplyResult } from './apply';
import type { CliContext } from './context';
import { UsageError } from './errors';
import { portalStatus } from './list';
import { desiredEntries, entryMatches, planActions, type Mode, type PlannedAction, type PortalStatus, type StatusEntry } from './plan';

interface RegisterOptions {
  portal?: string;
  all?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

interface PortalOutcome {
  memberId: string;
  domain: string;
  plan: Array<{ action: PlannedAction['verb']; kind: string; code: string; differences: string[] }>;
  inSync: number;
  leftAlone: string[];
  notes: string[];
  dryRun: boolean;
  result: ApplyResult | null;
  error?: string;
}

const VERB_TEXT = { add: '+ add', update: '~ update', delete: '- remove' } as const;

/** A registration lock per portal, shared with the service's install flow (src/http/portal-registrar.ts). */
const lockName = (memberId: string): string => `register:${memberId}`;

function selection(mode: Mode, codes: string[], status: PortalStatus, notes: string[], refused: string[]): ((e: StatusEntry) => boolean) | undefined {
  if (codes.length === 0) return undefined;
  for (const code of codes) {
    const matched = status.entries.filter((entry) => entryMatches(entry, code));
    if (mode === 'unregister' && matched.length === 0) notes.push(`${code}: not on the portal, nothing to remove`);
    for (const entry of matched) {
      if (mode === 'unregister' && entry.state === 'unknown') {
        refused.push(`${entry.code}: registered outside b24robots (not in the manifests or our records), not removed`);
      }
    }
  }
  return (entry) => codes.some((code) => entryMatches(entry, code));
}

async function runOnPortal(ctx: CliContext, mode: Mode, codes: string[], portal: PortalRecord, options: RegisterOptions): Promise<PortalOutcome> {
  const store = await ctx.store();
  const client = await ctx.client();
  // One registration per portal at a time, across this CLI and the service's instances.
  return store.withLock(
    lockName(portal.memberId),
    async () => {
      const status = await portalStatus(ctx, portal);
      const notes: string[] = [];
      const refused: string[] = [];
      const actions = planActions(status, mode, selection(mode, codes, status, notes, refused));
      const outcome: PortalOutcome = {
        memberId: portal.memberId,
        domain: portal.domain,
        plan: actions.map((a) => ({ action: a.verb, kind: a.kind, code: a.code, differences: a.differences })),
        inSync: status.entries.filter((e) => e.state === 'in-sync').length,
        leftAlone: status.entries.filter((e) => e.state === 'unknown').map((e) => e.code),
        notes: [...notes, ...status.unavailable.map((kind) => `bizproc.${kind}.* is not available on this portal's plan: its ${kind} entries are skipped`)],
        dryRun: Boolean(options.dryRun),
        result: null,
      };
      if (mode !== 'unregister') {
        const stale = status.entries.filter((e) => e.state === 'stale').map((e) => e.code);
        if (mode === 'register' && stale.length) outcome.notes.push(`not in the manifests any more: ${stale.join(', ')} (\`sync\` removes them)`);
      }
      if (refused.length) {
        outcome.error = refused.join('; ');
        ctx.exitCode = 1;
      }
      if (!options.json) ctx.out.print(renderPlan(ctx, outcome));
      if (actions.length > 0 && !options.dryRun) {
        outcome.result = await applyActions({
          b24: client.forPortal(portal.memberId, { userId: portal.adminUserId }),
          store,
          status,
          actions,
          now: ctx.now,
        });
        if (outcome.result.failed.length) ctx.exitCode = 1;
        if (!options.json) ctx.out.print(renderResult(ctx, outcome.result));
      }
      return outcome;
    },
    { timeoutMs: 60_000 },
  );
}

function renderPlan(ctx: CliContext, outcome: PortalOutcome): string {
  const { bold, green, yellow, red, dim } = ctx.out.color;
  const head = bold(`${outcome.domain} (${outcome.memberId})`);
  const lines: string[] = [];
  if (outcome.plan.length === 0) {
    lines.push(`${head}: ${green('nothing to do')}, ${outcome.inSync} in sync`);
  } else {
    const counts = (['add', 'update', 'delete'] as const).map((verb) => outcome.plan.filter((a) => a.action === verb).length);
    lines.push(`${head}: plan: ${counts[0]} to add, ${counts[1]} to update, ${counts[2]} to remove; ${outcome.inSync} in sync`);
    const rows = outcome.plan.map((a) => {
      const verb = VERB_TEXT[a.action];
      const colour = a.action === 'add' ? green : a.action === 'update' ? yellow : red;
      return [`  ${colour(verb)}`, a.kind, a.code, a.differences.join(', ')];
    });
    lines.push(ctx.out.table(['', 'KIND', 'CODE', 'CHANGED FIELDS'], rows).split('\n').slice(1).join('\n'));
  }
  if (outcome.leftAlone.length) lines.push(dim(`  left alone (registered outside b24robots): ${outcome.leftAlone.join(', ')}`));
  for (const note of outcome.notes) lines.push(dim(`  note: ${note}`));
  if (outcome.error) lines.push(red(`  refused: ${outcome.error}`));
  if (outcome.plan.length > 0 && outcome.dryRun) lines.push(yellow('  dry run: nothing was sent'));
  return lines.join('\n');
}

function renderResult(ctx: CliContext, result: ApplyResult): string {
  const { green, red } = ctx.out.color;
  const lines = [green(`  done: ${result.added.length} added, ${result.updated.length} updated, ${result.removed.length} removed`)];
  for (const f of result.failed) lines.push(red(`  failed: ${f.verb} ${f.kind} ${f.code}: ${f.error} ${f.description}`));
  return lines.join('\n');
}

async function run(ctx: CliContext, mode: Mode, codes: string[], options: RegisterOptions): Promise<void> {
  if (mode === 'register' && codes.length) {
    // Codes to add must exist in the manifests (a robot code, or its robot/activity CODE).
    const known = desiredEntries(await ctx.manifests(), { publicUrl: 'https://example.invalid', authUserId: 1 });
    const unknown = codes.filter((code) => !known.some((entry) => entryMatches(entry, code)));
    if (unknown.length) {
      const names = [...new Set(known.map((entry) => entry.robot))].join(', ') || '(none)';
      throw new UsageError(`not in the manifests: ${unknown.join(', ')} (the manifests have: ${names})`);
    }
  }
  const portals = await ctx.selectPortals(options);
  ctx.config(); // fail on a bad configuration before any portal is touched
  const progress = ctx.out.progress(portals.length, `${mode}: portals`);
  const outcomes: PortalOutcome[] = [];
  for (const portal of portals) {
    try {
      outcomes.push(await runOnPortal(ctx, mode, codes, portal, options));
    } catch (error) {
      if (portals.length === 1) throw error;
      // One portal failing (a dead token) does not stop the others; the run exits 1.
      ctx.exitCode = 1;
      const message = (error as Error).message;
      outcomes.push({ memberId: portal.memberId, domain: portal.domain, plan: [], inSync: 0, leftAlone: [], notes: [], dryRun: Boolean(options.dryRun), result: null, error: message });
      if (!options.json) ctx.out.print(ctx.out.color.red(`${portal.domain}: error: ${message}`));
    }
    progress.tick(portal.domain);
  }
  progress.done();
  if (options.json) {
    ctx.out.json({ mode, dryRun: Boolean(options.dryRun), portals: outcomes });
    return;
  }
  if (portals.length > 1) {
    const changed = outcomes.filter((o) => o.plan.length > 0).length;
    const failed = outcomes.filter((o) => o.error || o.result?.failed.length).length;
    ctx.out.print(`\n${portals.length} portals: ${changed} ${options.dryRun ? 'would change' : 'changed'}, ${portals.length - changed - failed} already in sync${failed ? `, ${failed} failed` : ''}`);
  }
}

const TARGET_HELP = `
Portals: --portal <member_id|domain> for one, --all for every installed portal; without either the only
installed portal is used. Registration uses the installing admin's stored token (an app token of an admin:
webhooks get ACCESS_DENIED). Payloads come from the manifests (--manifests <dir>, default ./manifests).`;

export function registerRegistrationCommands(program: Command, context: () => CliContext): void {
  const common = (command: Command): Command =>
    command
      .option('--portal <portal>', 'member_id or domain of one installed portal')
      .option('--all', 'every installed portal')
      .option('--dry-run', 'print the plan, send nothing')
      .option('--json', 'JSON output (plan and result per portal)');

  common(
    program
      .command('register')
      .argument('[codes...]', 'robot codes from the manifests (default: all)')
      .description('add missing robots/activities and update changed ones (plan printed first)'),
  )
    .addHelpText(
      'after',
      `${TARGET_HELP}
An add answered ERROR_ACTIVITY_ALREADY_INSTALLED is sent again as bizproc.*.update.

Examples:
  $ b24robots register --portal acme.bitrix24.ru --dry-run
  $ b24robots register onboarding_create_deal --all
  $ b24robots register --all --json`,
    )
    .action((codes: string[], options: RegisterOptions) => run(context(), 'register', codes, options));

  common(
    program
      .command('unregister')
      .argument('[codes...]', 'codes to remove (default: all of ours)')
      .description('remove our robots/activities from a portal (never other apps\' or ones registered outside b24robots)'),
  )
    .addHelpText(
      'after',
      `${TARGET_HELP}

Examples:
  $ b24robots unregister onboarding_check_company --portal acme.bitrix24.ru
  $ b24robots unregister --all --dry-run`,
    )
    .action((codes: string[], options: RegisterOptions) => run(context(), 'unregister', codes, options));

  common(
    program
      .command('sync')
      .description('make the portal match the manifests exactly: add, update, and remove ours that left the manifests'),
  )
    .addHelpText(
      'after',
      `${TARGET_HELP}
Codes of our app that are neither in the manifests nor in our records are reported and left alone.

Examples:
  $ b24robots sync --portal acme.bitrix24.ru --dry-run
  $ b24robots sync --all`,
    )
    .action((options: RegisterOptions) => run(context(), 'sync', [], options));
}
