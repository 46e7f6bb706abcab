/**
 * `b24robots list [--portal P]`: every robot and activity, in the manifests and on each portal, and whether they
 * match, field by field against what we registered (the portal itself only tells which codes exist).
 */
import type { Command } from 'commander';
import type { PortalRecord } from '../store/types';
import type { CliContext } from './context';
import { readPortalStatus, STATE_TEXT, type PortalStatus, type StatusEntry } from './plan';

/** The status of one portal, with its admin's token and the CLI's manifests and public URL. */
export async function portalStatus(ctx: CliContext, portal: PortalRecord): Promise<PortalStatus> {
  const client = await ctx.client();
  return readPortalStatus({
    b24: client.forPortal(portal.memberId, { userId: portal.adminUserId }),
    store: await ctx.store(),
    portal,
    manifests: await ctx.manifests(),
    publicUrl: ctx.config().publicUrl,
    robots: ctx.robots(),
  });
}

function stateCell(ctx: CliContext, entry: StatusEntry): string {
  const { green, yellow, red, dim } = ctx.out.color;
  const text = STATE_TEXT[entry.state];
  if (entry.state === 'in-sync') return green(text);
  if (entry.state === 'unknown') return dim(text);
  if (entry.state === 'unavailable') return red(text);
  return yellow(text);
}

function noteOf(entry: StatusEntry): string {
  switch (entry.state) {
    case 'changed':
      return entry.differences.join(', ');
    case 'stale':
      return 'ours, removed from the manifests: `sync` deletes it';
    case 'unknown':
      return 'registered outside b24robots: left alone';
    case 'unavailable':
      return "the portal's plan has no such methods";
    case 'missing':
      return '`register` adds it';
    default:
      return '';
  }
}

export function summarize(status: PortalStatus): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of status.entries) counts[entry.state] = (counts[entry.state] ?? 0) + 1;
  return counts;
}

export function inSync(status: PortalStatus): boolean {
  return status.entries.every((entry) => entry.state === 'in-sync' || entry.state === 'unknown');
}

function render(ctx: CliContext, status: PortalStatus): string {
  const rows = status.entries.map((entry) => [
    entry.code,
    entry.kind,
    entry.inManifests ? 'yes' : 'no',
    entry.onPortal ? 'yes' : 'no',
    stateCell(ctx, entry),
    noteOf(entry),
  ]);
  const counts = Object.entries(summarize(status))
    .map(([state, n]) => `${n} ${STATE_TEXT[state as StatusEntry['state']]}`)
    .join(', ');
  const verdict = inSync(status)
    ? ctx.out.color.green('matches the manifests')
    : ctx.out.color.yellow(`differs from the manifests: run \`b24robots sync --portal ${status.domain}\``);
  return [
    ctx.out.color.bold(`${status.domain} (${status.memberId})`),
    ctx.out.table(['CODE', 'KIND', 'MANIFESTS', 'PORTAL', 'STATE', 'DIFFERENCES'], rows),
    `${counts || 'nothing registered'}: ${verdict}`,
  ].join('\n');
}

export function jsonStatus(status: PortalStatus): Record<string, unknown> {
  return {
    memberId: status.memberId,
    domain: status.domain,
    inSync: inSync(status),
    unavailable: status.unavailable,
    entries: status.entries.map((entry) => ({
      code: entry.code,
      kind: entry.kind,
      robot: entry.robot,
      inManifests: entry.inManifests,
      onPortal: entry.onPortal,
      recorded: entry.recorded,
      state: entry.state,
      differences: entry.differences,
    })),
  };
}

export function registerListCommand(program: Command, context: () => CliContext): void {
  program
    .command('list')
    .description('robots and activities in the manifests and on each portal, and whether they match')
    .option('--portal <portal>', 'member_id or domain of one installed portal (default: every portal)')
    .option('--json', 'JSON output')
    .option('--check', 'exit 1 when a portal differs from the manifests (for CI and monitoring)')
    .addHelpText(
      'after',
      `
States: in sync | changed (the differing fields are named) | missing on portal | not in manifests (ours,
removed from the manifests; sync deletes it) | unknown to us (registered outside b24robots; never touched).
Bitrix24 lists codes only, so fields are compared with what b24robots (or the install) registered.

Examples:
  $ b24robots list
  $ b24robots list --portal acme.bitrix24.ru --json
  $ b24robots list --check || b24robots sync --all`,
    )
    .action(async (options: { portal?: string; json?: boolean; check?: boolean }) => {
      const ctx = context();
      const portals = await ctx.selectPortals({ portal: options.portal }, { defaultAll: true });
      const progress = ctx.out.progress(portals.length, 'reading portals');
      const results: Array<{ portal: PortalRecord; status?: PortalStatus; error?: string }> = [];
      for (const portal of portals) {
        // One portal failing (a dead token) does not hide the others; the run exits 1.
        try {
          results.push({ portal, status: await portalStatus(ctx, portal) });
        } catch (error) {
          if (portals.length === 1) throw error;
          results.push({ portal, error: (error as Error).message });
          ctx.exitCode = 1;
        }
        progress.tick(portal.domain);
      }
      progress.done();
      if (options.check && !results.every((r) => r.status && inSync(r.status))) ctx.exitCode = 1;
      if (options.json) {
        ctx.out.json(
          results.map((r) => (r.status ? jsonStatus(r.status) : { memberId: r.portal.memberId, domain: r.portal.domain, error: r.error })),
        );
        return;
      }
      ctx.out.print(
        results
          .map((r) => (r.status ? render(ctx, r.status) : `${ctx.out.color.bold(r.portal.domain)}\n${ctx.out.color.red(`error: ${r.error}`)}`))
          .join('\n\n'),
      );
    });
}
