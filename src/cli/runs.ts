/**
 * `b24robots runs [--portal P] [--state S] [--robot code]`: recent runs with state, attempts and last error;
 * `runs retry <id>`: re-queues a failed run. The step ledger is kept, so the side effects it recorded (a deal
 * created, a task set) are reused, not repeated; only the handler's remaining work and the answer happen again.
 */
import type { Command } from 'commander';
import type { PortalRecord, RunPatch, RunRecord, RunState } from '../store/types';
import type { CliContext } from './context';
import { CliError, UsageError } from './errors';
import { cliOwner, executeRun, leaseTo, renderExecution } from './run-once';
import { clip, formatWhen } from './output';

const STATES: RunState[] = ['queued', 'running', 'waiting', 'done', 'failed'];

/** A run as printed: never its event token (a secret, STYLE.md §6). */
export function publicRun(run: RunRecord, domain?: string): Record<string, unknown> {
  const { eventToken, leaseOwner: _owner, leaseUntil: _until, ...rest } = run;
  return { ...rest, domain: domain ?? null, hasEventToken: Boolean(eventToken) };
}

function stateCell(ctx: CliContext, state: RunState): string {
  const { green, red, yellow } = ctx.out.color;
  return state === 'done' ? green(state) : state === 'failed' ? red(state) : yellow(state);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit must be a whole number ≥ 1 (got "${value}")`);
  return n;
}

async function retry(ctx: CliContext, id: string, options: { now?: boolean; json?: boolean }): Promise<void> {
  const store = await ctx.store();
  const run = await store.getRun(id);
  if (!run) throw new CliError('RUN_NOT_FOUND', `no run ${id}: list the runs with \`b24robots runs --state failed\``);
  if (run.state !== 'failed') {
    throw new CliError('RUN_NOT_FAILED', `run ${id} is ${run.state}: only failed runs can be retried`);
  }
  const portal = await ctx.findPortal(run.memberId);
  const owner = cliOwner();
  // The handler's answer is cleared; the ledger of steps stays (their results are reused). With --now the run is
  // leased to this process in the same write, so a service worker cannot take it in between.
  const reset: RunPatch = { attempts: 0, returnValues: null, logMessage: null, lastError: null, eventSentAt: null, finishedAt: null };
  const queued = await store.updateRun(
    id,
    null,
    options.now ? { ...reset, ...leaseTo(owner, ctx.now()) } : { ...reset, state: 'queued', availableAt: ctx.now(), leaseOwner: null, leaseUntil: null },
  );
  if (!queued) throw new CliError('RUN_NOT_FOUND', `run ${id} disappeared while it was re-queued`);
  const answered = run.eventSentAt !== null;
  const note = answered ? ' (its workflow already received the earlier error, so it will not be answered again)' : '';
  if (!options.now) {
    if (options.json) ctx.out.json({ id, state: 'queued', workflowAnswered: answered });
    else ctx.out.print(`run ${id} of ${run.robotCode} on ${portal.domain} is queued again${note}: the service's worker picks it up`);
    return;
  }
  const execution = await executeRun(ctx, { portal, runId: id, owner, store, dryRun: false });
  if (options.json) ctx.out.json(execution);
  else ctx.out.print(renderExecution(ctx, execution));
  if (execution.run.state === 'failed') ctx.exitCode = 1;
}

export function registerRunsCommand(program: Command, context: () => CliContext): void {
  const runs = program
    .command('runs')
    .description('recent runs with their state, attempts and last error; `runs retry <id>` re-queues a failed one')
    .option('--portal <portal>', 'member_id or domain of one portal (default: all)')
    .option('--state <state>', `only runs in this state: ${STATES.join(', ')}`)
    .option('--robot <code>', 'only runs of this robot')
    .option('--limit <n>', 'how many (newest first)', positiveInt, 50)
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `
Examples:
  $ b24robots runs --state failed
  $ b24robots runs --portal acme.bitrix24.ru --robot onboarding_create_deal --json
  $ b24robots runs retry 6f1c2e3a-…          # the service's worker runs it again
  $ b24robots runs retry 6f1c2e3a-… --now    # run it here and print the outcome`,
    )
    .action(async (options: { portal?: string; state?: string; robot?: string; limit: number; json?: boolean }) => {
      const ctx = context();
      if (options.state && !STATES.includes(options.state as RunState)) {
        throw new UsageError(`--state must be one of ${STATES.join(', ')} (got "${options.state}")`);
      }
      const store = await ctx.store();
      const portal: PortalRecord | null = options.portal ? await ctx.findPortal(options.portal) : null;
      const found = await store.listRuns({
        memberId: portal?.memberId,
        state: options.state as RunState | undefined,
        robotCode: options.robot,
        limit: options.limit,
      });
      const domains = new Map((await store.listPortals({ includeUninstalled: true })).map((p) => [p.memberId, p.domain]));
      if (options.json) {
        ctx.out.json(found.map((run) => publicRun(run, domains.get(run.memberId))));
        return;
      }
      if (found.length === 0) {
        ctx.out.print('no runs match');
        return;
      }
      const rows = found.map((run) => [
        run.id,
        domains.get(run.memberId) ?? run.memberId,
        run.robotCode,
        run.source,
        stateCell(ctx, run.state),
        String(run.attempts),
        formatWhen(run.createdAt),
        clip(run.lastError ?? '', 70),
      ]);
      ctx.out.print(ctx.out.table(['ID', 'PORTAL', 'ROBOT', 'SOURCE', 'STATE', 'ATTEMPTS', 'CREATED', 'LAST ERROR'], rows));
    });

  runs
    .command('retry')
    .argument('<id>', 'run id (from `b24robots runs`)')
    .description('re-queue a failed run; its recorded steps are reused, not repeated')
    .option('--now', 'run it in this process at once and print the outcome')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `
Steps the run recorded (a deal created, a task set) are reused, not repeated. If its workflow already received the
earlier error, the retry does the work but cannot answer the workflow again.

Examples:
  $ b24robots runs retry 6f1c2e3a-5b7d-4c1e-9a0b-1d2e3f4a5b6c
  $ b24robots runs retry 6f1c2e3a-5b7d-4c1e-9a0b-1d2e3f4a5b6c --now`,
    )
    // optsWithGlobals: `--json` after `retry` is parsed by the parent `runs`, which has the same option.
    .action((id: string, _options: unknown, command: Command) => retry(context(), id, command.optsWithGlobals<{ now?: boolean; json?: boolean }>()));
}
