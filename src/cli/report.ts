/**
 * `b24robots report onboarding --portal P [--from 2025-01] [--to 2025-03] [--json|--csv] [--part clients|completion]`:
 * new clients per month by tariff, and time to complete data per responsible (RULES.md §A reports).
 */
import type { Command } from 'commander';
import { onboardingSettings } from '../../robots/onboarding/settings';
import { loadSettings } from '../activities/settings';
import type { BitrixClient } from '../bitrix/types';
import { completionColumns, newClientsColumns, onboardingReport, type OnboardingReport } from '../reports/onboarding';
import { toCsv, toJsonRows, toTextTable } from '../reports/format';
import { parseReportRange } from '../reports/range';
import type { PortalRecord, Store } from '../store/types';

export interface ReportCommandDeps {
  /** Opens the store and the REST client for one command; `close` releases both. */
  open(): Promise<{ store: Store; client: BitrixClient; close(): Promise<void> }>;
  write(text: string): void;
  now?: () => Date;
}

export class ReportCommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReportCommandError';
  }
}

interface OnboardingOptions {
  portal: string;
  from?: string;
  to?: string;
  json?: boolean;
  csv?: boolean;
  part?: string;
}

async function findPortal(store: Store, portal: string): Promise<PortalRecord> {
  const found = (await store.getPortal(portal)) ?? (await store.getPortalByDomain(portal));
  if (!found || found.uninstalledAt) {
    throw new ReportCommandError('PORTAL_NOT_INSTALLED', `portal ${portal} is not installed: run \`b24robots portals\` to see member ids and domains`);
  }
  return found;
}

export function renderOnboardingReport(report: OnboardingReport, format: 'text' | 'json' | 'csv', part?: string): string {
  const parts = part ? [part] : ['clients', 'completion'];
  for (const name of parts) {
    if (name !== 'clients' && name !== 'completion') {
      throw new ReportCommandError('BAD_OPTION', `--part "${name}" is unknown: use clients or completion`);
    }
  }
  const wants = (name: string) => parts.includes(name);
  if (format === 'json') {
    return `${JSON.stringify(
      {
        timeZone: report.timeZone,
        from: report.from,
        to: report.to,
        ...(wants('clients') ? { newClients: toJsonRows(report.newClients, newClientsColumns) } : {}),
        ...(wants('completion') ? { completion: toJsonRows(report.completion, completionColumns) } : {}),
        notes: report.notes,
      },
      null,
      2,
    )}\n`;
  }
  if (format === 'csv') {
    const tables = [];
    if (wants('clients')) tables.push(toCsv(report.newClients, newClientsColumns));
    if (wants('completion')) tables.push(toCsv(report.completion, completionColumns));
    return tables.join('\r\n');
  }
  const out = [`Онбординг: ${report.from} — ${report.to} (${report.timeZone})`];
  if (wants('clients')) out.push('', 'Новые клиенты по месяцам и тарифам', toTextTable(report.newClients, newClientsColumns));
  if (wants('completion')) out.push('', 'Заполнение данных ответственными', toTextTable(report.completion, completionColumns));
  for (const note of report.notes) out.push('', `! ${note}`);
  return `${out.join('\n')}\n`;
}

export function registerReportCommand(program: Command, deps: ReportCommandDeps): Command {
  // Other rules add their reports (`report timing`, …) under the same parent.
  const report =
    program.commands.find((command) => command.name() === 'report') ?? program.command('report').description('business reports from a portal\'s data');
  report
    .command('onboarding')
    .description('new clients per month by tariff; time to complete data per responsible')
    .requiredOption('--portal <portal>', 'member_id or domain of an installed portal')
    .option('--from <month>', 'first month or day, e.g. 2025-01 (portal time zone)')
    .option('--to <month>', 'last month or day, inclusive')
    .option('--json', 'JSON output')
    .option('--csv', 'CSV output (RFC 4180)')
    .option('--part <part>', 'only one table: clients or completion')
    .action(async (options: OnboardingOptions) => {
      if (options.json && options.csv) throw new ReportCommandError('BAD_OPTION', 'choose one of --json and --csv');
      const { store, client, close } = await deps.open();
      try {
        const portal = await findPortal(store, options.portal);
        const range = parseReportRange(options, portal.timeZone, (deps.now ?? (() => new Date()))());
        const settings = await loadSettings(store, portal.memberId, onboardingSettings);
        const result = await onboardingReport(client.forPortal(portal.memberId), { settings, timeZone: portal.timeZone, range });
        deps.write(renderOnboardingReport(result, options.json ? 'json' : options.csv ? 'csv' : 'text', options.part));
      } finally {
        await close();
      }
    });
  return report;
}
