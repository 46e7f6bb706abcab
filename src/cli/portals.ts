/**
 * `b24robots portals`: the installed portals with their plan and limits, installed app version, robots registered,
 * last activity and token health. One `batch` per portal (both list methods) checks the admin token for real.
 */
import type { Command } from 'commander';
import { defaultLimits } from '../bitrix/rate-limiter';
import { isB24Error } from '../bitrix/errors';
import type { PortalRecord } from '../store/types';
import type { CliContext } from './context';
import { formatWhen } from './output';
import { readRecords } from './registered';

/** Refresh tokens live 180 days; a refresh (on `expired_token`) renews them (PROTOCOL §4.6). */
const REFRESH_TOKEN_DAYS = 180;
const DAY_MS = 86_400_000;

export interface PortalRow {
  domain: string;
  memberId: string;
  plan: string;
  limits: { burst: number; drainPerSecond: number; operatingLimitSeconds: number };
  appVersion: number;
  installedAt: string;
  lastActivityAt: string | null;
  /** Codes on the portal (null when not checked or the check failed). */
  robots: number | null;
  activities: number | null;
  /** Codes in our records. */
  recorded: number;
  token: { health: 'ok' | 'refreshed' | 'dead' | 'missing' | 'error' | 'unchecked'; detail: string; refreshTokenDaysLeft: number | null };
}

function refreshDaysLeft(updatedAt: Date | undefined, now: Date): number | null {
  if (!updatedAt) return null;
  return Math.max(0, Math.floor(REFRESH_TOKEN_DAYS - (now.getTime() - updatedAt.getTime()) / DAY_MS));
}

async function inspect(ctx: CliContext, portal: PortalRecord, offline: boolean): Promise<PortalRow> {
  const store = await ctx.store();
  const token = await store.getToken(portal.memberId, portal.adminUserId);
  const records = await readRecords(store, portal.memberId);
  const row: PortalRow = {
    domain: portal.domain,
    memberId: portal.memberId,
    plan: portal.plan,
    limits: defaultLimits(portal.plan),
    appVersion: portal.appVersion,
    installedAt: portal.installedAt.toISOString(),
    lastActivityAt: portal.lastActivityAt?.toISOString() ?? null,
    robots: null,
    activities: null,
    recorded: Object.keys(records.entries).length,
    token: token
      ? { health: 'unchecked', detail: `not checked; access token expires ${formatWhen(token.expiresAt)}`, refreshTokenDaysLeft: refreshDaysLeft(token.updatedAt, ctx.now()) }
      : { health: 'missing', detail: 'no admin token stored: reinstall the app', refreshTokenDaysLeft: null },
  };
  if (offline || !token) return row;

  const client = await ctx.client();
  const refreshesBefore = client.metrics.refreshes;
  try {
    const answer = await client
      .forPortal(portal.memberId, { userId: portal.adminUserId })
      .batch({ robot: ['bizproc.robot.list', {}], activity: ['bizproc.activity.list', {}] });
    row.robots = Array.isArray(answer.result.robot) ? answer.result.robot.length : null;
    row.activities = Array.isArray(answer.result.activity) ? answer.result.activity.length : null;
    const refreshed = client.metrics.refreshes > refreshesBefore;
    const fresh = await store.getToken(portal.memberId, portal.adminUserId);
    row.token = {
      health: refreshed ? 'refreshed' : 'ok',
      detail: refreshed ? 'ok (access token was refreshed)' : 'ok',
      refreshTokenDaysLeft: refreshDaysLeft(fresh?.updatedAt, ctx.now()),
    };
    const failure = answer.errors.robot ?? answer.errors.activity;
    if (failure && failure.error !== 'ERROR_METHOD_NOT_FOUND') {
      row.token = { ...row.token, health: 'error', detail: `${failure.error}: ${failure.error_description}` };
    }
  } catch (error) {
    const code = isB24Error(error) ? error.code : '';
    const detail = isB24Error(error) ? error.description : (error as Error).message;
    if (code === 'invalid_grant') row.token = { health: 'dead', detail: `refresh token is dead: reinstall the app on ${portal.domain}`, refreshTokenDaysLeft: 0 };
    else if (code === 'NO_TOKEN') row.token = { health: 'missing', detail, refreshTokenDaysLeft: null };
    else row.token = { ...row.token, health: 'error', detail: `${code || 'error'}: ${detail}` };
  }
  return row;
}

function tokenCell(ctx: CliContext, row: PortalRow): string {
  const { green, yellow, red } = ctx.out.color;
  const days = row.token.refreshTokenDaysLeft;
  const suffix = days !== null && (row.token.health === 'ok' || row.token.health === 'refreshed') ? `, refresh token ${days} days left` : '';
  const text = `${row.token.detail}${suffix}`;
  if (row.token.health === 'ok' || row.token.health === 'refreshed') return days !== null && days < 30 ? yellow(text) : green(text);
  if (row.token.health === 'unchecked') return text;
  return red(text);
}

export function registerPortalsCommand(program: Command, context: () => CliContext): void {
  program
    .command('portals')
    .description('installed portals: domain, member id, plan and limits, app version, robots registered, last activity, token health')
    .option('--offline', 'do not call the portals: show only what the database knows')
    .option('--include-uninstalled', 'also list portals that uninstalled the app')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `
Each portal is checked with one batch request (bizproc.robot.list + bizproc.activity.list) made with the
installing admin's stored token, which also tells whether the token still works.

Examples:
  $ b24robots portals
  $ b24robots portals --offline --json
  $ DATABASE_URL=postgres://app@db:5432/robots b24robots portals`,
    )
    .action(async (options: { offline?: boolean; includeUninstalled?: boolean; json?: boolean }) => {
      const ctx = context();
      const store = await ctx.store();
      const portals = await store.listPortals({ includeUninstalled: options.includeUninstalled });
      const progress = ctx.out.progress(portals.length, 'checking portals');
      const rows: Array<PortalRow & { uninstalledAt: string | null }> = [];
      for (const portal of portals) {
        const offline = Boolean(options.offline) || portal.uninstalledAt !== null;
        rows.push({ ...(await inspect(ctx, portal, offline)), uninstalledAt: portal.uninstalledAt?.toISOString() ?? null });
        progress.tick(portal.domain);
      }
      progress.done();
      if (rows.some((row) => ['dead', 'missing', 'error'].includes(row.token.health))) ctx.exitCode = 1;
      if (options.json) {
        ctx.out.json(rows);
        return;
      }
      if (rows.length === 0) {
        ctx.out.print('no portal has the app installed yet: install the app in Bitrix24 (or try `b24robots sandbox`)');
        return;
      }
      const table = rows.map((row) => [
        row.uninstalledAt ? `${row.domain} (uninstalled)` : row.domain,
        row.memberId,
        row.plan,
        `${row.limits.burst} burst, ${row.limits.drainPerSecond}/s`,
        String(row.appVersion),
        row.robots === null ? `${row.recorded} recorded` : `${row.robots} robots, ${row.activities ?? '-'} activities`,
        formatWhen(row.lastActivityAt ? new Date(row.lastActivityAt) : null),
        tokenCell(ctx, row),
      ]);
      ctx.out.print(ctx.out.table(['DOMAIN', 'MEMBER ID', 'PLAN', 'LIMITS', 'VERSION', 'REGISTERED', 'LAST ACTIVITY', 'TOKEN'], table));
    });
}
