/**
 * Processes one run in the CLI process with the worker's own code (`processRun`), through a recording client, and
 * collects what happened: the REST calls, the return values, the log lines and the final state.
 *
 * The run must already be leased to `owner` (state `running`): a service worker polling the same database then
 * leaves it alone, and `processRun` only writes while the lease is ours.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RobotLogger } from '../activities/types';
import { redact } from '../logger';
import type { PortalRecord, RunPatch, RunRecord, Store } from '../store/types';
import { exponentialBackoff, processRun } from '../worker';
import type { CliContext } from './context';
import { CliError } from './errors';
import { clip } from './output';
import { recordingClient, type RecordedCall } from './recording-client';

export const LEASE_MS = 60_000;

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  meta: Record<string, unknown>;
}

export interface Execution {
  dryRun: boolean;
  portal: { memberId: string; domain: string };
  run: Pick<RunRecord, 'id' | 'robotCode' | 'state' | 'attempts' | 'returnValues' | 'logMessage' | 'lastError' | 'documentId'> & {
    eventSent: boolean;
  };
  calls: RecordedCall[];
  log: LogLine[];
}

export function cliOwner(): string {
  return `b24robots-cli:${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** The patch that hands a run to `owner` right now. */
export function leaseTo(owner: string, now: Date): RunPatch {
  return { state: 'running', leaseOwner: owner, leaseUntil: new Date(now.getTime() + LEASE_MS), availableAt: now };
}

function capturingLogger(lines: LogLine[], forward: RobotLogger): RobotLogger {
  const line =
    (level: LogLine['level']) =>
    (message: string, meta: Record<string, unknown> = {}): void => {
      lines.push({ level, message, meta: redact(meta) });
      forward[level](message, meta);
    };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

export async function executeRun(
  ctx: CliContext,
  options: { portal: PortalRecord; runId: string; owner: string; store: Store; dryRun: boolean; maxAttempts?: number },
): Promise<Execution> {
  const { store } = options;
  const recording = recordingClient(await ctx.client(), { dryRun: options.dryRun });
  const log: LogLine[] = [];
  const claimed = await store.getRun(options.runId);
  if (!claimed || claimed.leaseOwner !== options.owner) {
    throw new CliError('RUN_TAKEN', `run ${options.runId} was taken by another worker before this command could run it`);
  }
  await processRun(
    {
      store,
      client: recording.client,
      registry: ctx.registry(),
      logger: capturingLogger(log, ctx.logger()),
      now: ctx.now,
      owner: options.owner,
      leaseMs: LEASE_MS,
      renewEveryMs: LEASE_MS / 3,
      // A manual run reports its first failure at once; `runs retry` runs it again.
      maxAttempts: options.maxAttempts ?? 1,
      backoff: exponentialBackoff(),
    },
    claimed,
  );
  const run = (await store.getRun(options.runId)) ?? claimed;
  return {
    dryRun: options.dryRun,
    portal: { memberId: options.portal.memberId, domain: options.portal.domain },
    run: {
      id: run.id,
      robotCode: run.robotCode,
      state: run.state,
      attempts: run.attempts,
      returnValues: run.returnValues,
      logMessage: run.logMessage,
      lastError: run.lastError,
      documentId: run.documentId,
      eventSent: run.eventSentAt !== null && !options.dryRun,
    },
    calls: recording.calls,
    log,
  };
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? 'undefined';
}

export function renderExecution(ctx: CliContext, execution: Execution): string {
  const { bold, green, red, yellow, dim } = ctx.out.color;
  const { run } = execution;
  const document = run.documentId ? run.documentId.join(' / ') : 'no document';
  const lines = [
    bold(`${run.robotCode} on ${execution.portal.domain}, ${document}`) +
      dim(`  (run ${run.id}${execution.dryRun ? ', dry run: nothing was written' : ''})`),
    '',
    bold(`REST calls (${execution.calls.length}):`),
  ];
  execution.calls.forEach((call, i) => {
    const outcome = !call.sent
      ? `${yellow('not sent (dry run)')} ${dim(`answered ${clip(json(call.result), 60)}`)}`
      : call.ok
        ? `${green('ok')} ${dim(clip(json(call.result), 70))}`
        : red(`error ${clip(call.error ?? '', 90)}`);
    const via = call.via === 'call' ? '' : dim(` [${call.via}]`);
    lines.push(`  ${String(i + 1).padStart(2)}  ${call.method}${via} ${dim(clip(json(call.params), 70))}`, `      → ${outcome}`);
  });
  if (execution.calls.length === 0) lines.push('  (none)');
  lines.push('', bold('Return values:'));
  const values = Object.entries(run.returnValues ?? {});
  if (values.length === 0) lines.push('  (none)');
  const width = Math.max(0, ...values.map(([key]) => key.length));
  for (const [key, value] of values) lines.push(`  ${key.padEnd(width)}  ${clip(typeof value === 'string' ? value : json(value), 100)}`);
  if (run.logMessage) lines.push('', `${bold('Log message:')} ${run.logMessage}`);
  // The worker's own bookkeeping line says nothing the summary does not.
  const robotLines = execution.log.filter((line) => line.level !== 'debug' && line.message !== 'run started');
  if (robotLines.length) {
    lines.push('', bold('Log:'));
    for (const line of robotLines) lines.push(`  ${line.level.padEnd(5)} ${line.message}`);
  }
  const state = run.state === 'done' ? green(run.state) : run.state === 'failed' ? red(run.state) : yellow(run.state);
  const answered = run.eventSent ? ', answered the workflow (bizproc.event.send)' : '';
  lines.push('', `${bold('State:')} ${state} after ${run.attempts} attempt(s)${answered}`);
  if (run.lastError) lines.push(red(`${bold('Error:')} ${run.lastError}`));
  return lines.join('\n');
}
