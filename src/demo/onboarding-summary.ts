/** Readable lines about the demo's companies — problems, tasks, deals — read from the portal as a person sees them. */
import { onboardingDefaults } from '../../robots/onboarding/settings';
import { crmState } from '../sandbox/data/crm-state';
import { TASK_STATUS, tasksState } from '../sandbox/data/tasks-state';
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
const text = (value: unknown) => (value === null || value === undefined || value === '' ? '' : String(value));

export function describeCompanies(stack: DemoStack, ids: number[], users: Map<number, string>): { views: CompanyView[]; lines: string[] } {
  const { portal } = stack;
  const name = (id: unknown) => users.get(Number(id)) ?? `#${String(id)}`;
  const dealIds = Object.keys(crmState(portal).items['2'] ?? {}).map(Number);
  const views = ids.map((id): CompanyView => {
    // portal.documents: the legacy upper-case fields, as crm.company.get shows them.
    const company = portal.documents.get(4, id) ?? {};
    const task = Object.values(tasksState(portal).tasks)
      .filter((t) => t.title === onboardingDefaults.taskTitle && t.ufCrmTask.includes(`CO_${id}`))
      .sort((a, b) => b.id - a.id)[0];
    const deal = dealIds.map((dealId) => portal.documents.get(2, dealId)).find((fields) => Number(fields?.COMPANY_ID) === id);
    return {
      id,
      title: text(company.TITLE),
      tariff: text(company.UF_CRM_TARIFF_TYPE) || '—',
      cost: text(company.UF_CRM_TARIFF_COST) || '—',
      responsible: name(company.ASSIGNED_BY_ID),
      task: task
        ? {
            id: task.id,
            open: task.status !== TASK_STATUS.COMPLETED,
            responsible: name(task.responsibleId),
            problems: task.description
              .split('\n')
              .map((line) => PROBLEM_LINE.exec(line)?.[1])
              .filter((line): line is string => Boolean(line)),
          }
        : null,
      deal: deal ? { id: Number(deal.ID), title: text(deal.TITLE), cost: text(deal.UF_CRM_TARIFF_COST) } : null,
    };
  });
  const width = Math.max(...views.map((view) => view.title.length));
  const pad = ''.padEnd(width);
  const lines: string[] = [];
  for (const view of views) {
    lines.push(`  ${view.title.padEnd(width)}  тариф ${view.tariff}, стоимость ${view.cost}, ответственный ${view.responsible}`);
    if (view.deal) {
      const cost = view.deal.cost ? ` (стоимость ${view.deal.cost} скопирована: индивидуальный тариф)` : '';
      lines.push(`  ${pad}  → сделка #${view.deal.id} «${view.deal.title}»${cost}`);
    }
    if (view.task) {
      lines.push(`  ${pad}  → задача #${view.task.id} для ${view.task.responsible}, ${view.task.open ? 'открыта' : 'закрыта: данные заполнены'}`);
      if (view.task.open) for (const problem of view.task.problems) lines.push(`  ${pad}      • ${problem}`);
    }
  }
  return { views, lines };
}

/** REST spent by the service since the journal was cleared, and the runs behind it. */
export async function describeRest(stack: DemoStack): Promise<string[]> {
  const entries = stack.portal.journal.snapshot().entries.filter((entry) => entry.clientId === stack.clientId);
  const requests = entries.filter((entry) => !entry.batch);
  const batches = requests.filter((entry) => entry.method === 'batch').length;
  const inBatches = entries.filter((entry) => entry.batch).length;
  const runs = await stack.app.store.listRuns({ memberId: stack.portal.memberId });
  const bySource = new Map<string, number>();
  for (const run of runs) bySource.set(run.source, (bySource.get(run.source) ?? 0) + 1);
  const label: Record<string, string> = { robot: 'from the workflow', event: 'from company events', manual: 'by hand' };
  const sources = [...bySource.entries()].map(([source, count]) => `${count} ${label[source] ?? source}`);
  return [
    `  Runs: ${runs.length} (${sources.join(', ')}).`,
    `  REST from the service: ${requests.length} HTTP requests, of them ${batches} batch requests carrying ${inBatches} calls.`,
  ];
}
