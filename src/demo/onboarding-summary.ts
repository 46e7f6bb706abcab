/** Readable lines about the demo's companies — problems, tasks, deals — read back through REST as a person sees them. */
import { onboardingDefaults } from '../../robots/onboarding/settings';
import type { DemoStack } from './stack';

export interface CompanyView {
  id: number;
  title: string;
  tariff: string;
  cost: string;
  responsible: string;
  task: { id: number; open: boolean; responsible: string; problems: string[] } | null;
  deal: { id: number; title: string; cost: string } | null;
}

const PROBLEM_LINE = /^— (.+)$/;

export async function describeCompanies(
  stack: DemoStack,
  ids: number[],
  users: Map<number, string>,
): Promise<{ views: CompanyView[]; lines: string[] }> {
  const name = (id: unknown) => users.get(Number(id)) ?? `#${String(id)}`;
  const views: CompanyView[] = [];
  for (const id of ids) {
    const company = await stack.rest<Record<string, string>>('crm.company.get', { id });
    const { tasks } = await stack.rest<{ tasks: Array<Record<string, string>> }>('tasks.task.list', {
      filter: { UF_CRM_TASK: `CO_${id}`, TITLE: onboardingDefaults.taskTitle },
      select: ['ID', 'TITLE', 'STATUS', 'RESPONSIBLE_ID', 'DESCRIPTION'],
      order: { ID: 'desc' },
    });
    const deals = await stack.rest<Array<Record<string, string>>>('crm.deal.list', {
      filter: { COMPANY_ID: id },
      select: ['ID', 'TITLE', 'UF_CRM_TARIFF_COST'],
    });
    const task = tasks[0];
    views.push({
      id,
      title: company.TITLE,
      tariff: company.UF_CRM_TARIFF_TYPE || '—',
      cost: company.UF_CRM_TARIFF_COST || '—',
      responsible: name(company.ASSIGNED_BY_ID),
      task: task
        ? {
            id: Number(task.id),
            open: task.status !== '5',
            responsible: name(task.responsibleId),
            problems: String(task.description ?? '')
              .split('\n')
              .map((line) => PROBLEM_LINE.exec(line)?.[1])
              .filter((line): line is string => Boolean(line)),
          }
        : null,
      deal: deals[0] ? { id: Number(deals[0].ID), title: deals[0].TITLE, cost: deals[0].UF_CRM_TARIFF_COST || '' } : null,
    });
  }
  const width = Math.max(...views.map((view) => view.title.length));
  const lines: string[] = [];
  for (const view of views) {
    lines.push(`  ${view.title.padEnd(width)}  тариф ${view.tariff}, стоимость ${view.cost}, ответственный ${view.responsible}`);
    if (view.deal) {
      const cost = view.deal.cost ? ` (стоимость ${view.deal.cost} скопирована: индивидуальный тариф)` : '';
      lines.push(`  ${''.padEnd(width)}  → сделка #${view.deal.id} «${view.deal.title}»${cost}`);
    }
    if (view.task) {
      const state = view.task.open ? 'открыта' : 'закрыта: данные заполнены';
      lines.push(`  ${''.padEnd(width)}  → задача #${view.task.id} для ${view.task.responsible}, ${state}`);
      if (view.task.open) for (const problem of view.task.problems) lines.push(`  ${''.padEnd(width)}      • ${problem}`);
    }
  }
  return { views, lines };
}

/** REST spent by the service (not by the demo's own webhook) since the journal was cleared. */
export async function describeRest(stack: DemoStack): Promise<string[]> {
  const entries = stack.portal.journal.snapshot().entries.filter((entry) => entry.clientId === stack.clientId);
  const requests = entries.filter((entry) => !entry.batch);
  const batches = requests.filter((entry) => entry.method === 'batch').length;
  const inBatches = entries.filter((entry) => entry.batch).length;
  const runs = await stack.app.store.listRuns({ memberId: stack.portal.memberId });
  const bySource = new Map<string, number>();
  for (const run of runs) bySource.set(run.source, (bySource.get(run.source) ?? 0) + 1);
  const sources = [...bySource.entries()].map(([source, count]) => `${count} ${source === 'robot' ? 'from workflows' : source === 'event' ? 'from events' : 'by hand'}`);
  return [
    `  Runs: ${runs.length} (${sources.join(', ')}); REST from the service: ${requests.length} HTTP requests,`,
    `  of them ${batches} batch requests carrying ${inBatches} calls.`,
  ];
}
