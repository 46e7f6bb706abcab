/**
 * The demo of section A (seed 004, issue 5): a company workflow and the company-update subscription run the
 * onboarding robots on new clients; one client is incomplete, a manager fixes it, and its deal follows by itself.
 */
import { monthKey, monthOf } from '../../robots/onboarding/month';
import { onboardingDefaults } from '../../robots/onboarding/settings';
import { attachCompanyTemplate } from '../sandbox/bizproc';
import { renderOnboardingReport } from '../cli/report';
import { onboardingReport } from '../reports/onboarding';
import { parseReportRange } from '../reports/range';
import { standaloneRun } from '../store/standalone-run';
import { waitUntilIdle } from './idle';
import { describeCompanies, describeRest, type CompanyView } from './onboarding-summary';
import { startDemoStack, type DemoStack } from './stack';

export interface OnboardingDemoOptions {
  write(line: string): void;
  /** The package root (./data is there). */
  root: string;
  /** Leave the sandbox and the service running; the caller closes the returned stack. */
  keep?: boolean;
}

/** New clients as managers enter them; two are incomplete on purpose. */
function newClients(managers: number[]): Array<Record<string, unknown>> {
  const [first, second = first, third = first] = managers;
  return [
    { TITLE: 'ООО «Рога и копыта»', ASSIGNED_BY_ID: first, UF_CRM_TARIFF_TYPE: 'Базовый', UF_CRM_TARIFF_COST: 3000 },
    { TITLE: 'ИП Иванов', ASSIGNED_BY_ID: second, UF_CRM_TARIFF_TYPE: 'Индивидуальный', UF_CRM_TARIFF_COST: 8500 },
    { TITLE: 'ООО «Ромашка»', ASSIGNED_BY_ID: third },
    { TITLE: 'ООО «Вектор»', ASSIGNED_BY_ID: first, UF_CRM_TARIFF_TYPE: 'Премиум', UF_CRM_TARIFF_COST: 10000 },
    { TITLE: 'ООО «Север»', ASSIGNED_BY_ID: second, UF_CRM_TARIFF_TYPE: 'Стандарт' },
  ];
}

export async function runOnboardingDemo(options: OnboardingDemoOptions): Promise<DemoStack> {
  const { write } = options;
  const stack = await startDemoStack({ root: options.root, domain: 'buh.bitrix24.test' });
  const { sandbox, portal, app } = stack;
  try {
    const users = new Map(portal.users.map((user) => [user.id, `${user.name} ${user.lastName}`.trim()]));
    const managers = portal.users.filter((user) => user.position.startsWith('Менеджер') && user.active).map((user) => user.id);
    write('Section A demo (seed 004): onboarding of accounting-outsourcing clients');
    write(`  sandbox ${sandbox.url}, portal ${portal.domain} (${portal.timeZone}); service ${app.url}, store ${stack.databaseUrl}`);
    write('  The portal installed the app: activities registered, ONCRMCOMPANYADD / ONCRMCOMPANYUPDATE bound.');

    // Companies have no automation rules: a company workflow runs the action on every new company.
    attachCompanyTemplate(sandbox, portal, {
      name: 'Онбординг клиента',
      steps: [{ code: 'onboarding_create_deal_bp' }],
      onAdd: true,
      onUpdate: false,
    });
    write('  A company workflow «Онбординг клиента» starts «Онбординг: создать сделку по компании» on every new company.');
    portal.journal.clear();

    write('\n1. Managers add five new clients');
    const ids: number[] = [];
    for (const fields of newClients(managers)) ids.push(stack.saveCompany(fields));
    await waitUntilIdle(app, portal);
    const before = describeCompanies(stack, ids, users);
    for (const line of before.lines) write(line);

    const incomplete = before.views.find((view) => view.title === 'ООО «Ромашка»') as CompanyView;
    write(`\n2. A manager fills in the tariff of ${incomplete.title} (no admin action, no rerun by hand)`);
    stack.saveCompany({ UF_CRM_TARIFF_TYPE: 'Стандарт' }, incomplete.id);
    await waitUntilIdle(app, portal);

    const wrong = before.views.find((view) => view.title === 'ООО «Вектор»') as CompanyView;
    write(`3. An admin reruns the check of ${wrong.title} by hand (b24robots invoke onboarding_check_company): still one task`);
    await app.store.enqueueRun(
      standaloneRun({
        memberId: portal.memberId,
        robotCode: 'onboarding_check_company',
        source: 'manual',
        dedupeKey: `demo:check:${wrong.id}`,
        documentId: ['crm', 'CCrmDocumentCompany', `COMPANY_${wrong.id}`],
        documentType: ['crm', 'CCrmDocumentCompany', 'COMPANY'],
        firedAt: new Date(),
      }),
    );
    app.worker?.wake();
    await waitUntilIdle(app, portal);

    write('\nWhere things stand');
    const after = describeCompanies(stack, ids, users);
    for (const line of after.lines) write(line);
    const deals = after.views.filter((view) => view.deal).length;
    const open = after.views.filter((view) => view.task?.open).length;
    const closed = after.views.filter((view) => view.task && !view.task.open).length;
    write(`\n  ${ids.length} companies → ${deals} deals, ${open} open task(s), ${closed} closed; task title «${onboardingDefaults.taskTitle}».`);
    for (const line of await describeRest(stack)) write(line);

    // This month only: the seed's older companies are in the portal too.
    const month = monthKey(monthOf(new Date(), portal.timeZone));
    const report = await onboardingReport(app.client.forPortal(portal.memberId), {
      timeZone: portal.timeZone,
      range: parseReportRange({ from: month, to: month }, portal.timeZone, new Date()),
    });
    write(`\nReport (b24robots report onboarding --portal ${portal.domain} --from ${month} --to ${month}):`);
    for (const line of renderOnboardingReport(report, 'text').trimEnd().split('\n')) write(line ? `  ${line}` : '');

    write('\nLook further (sandbox API, JSON):');
    write(`  deals      ${sandbox.url}/sandbox/portals/${portal.domain}/crm/2`);
    write(`  companies  ${sandbox.url}/sandbox/portals/${portal.domain}/crm/4`);
    write(`  tasks      ${sandbox.url}/sandbox/portals/${portal.domain}/tasks`);
    write(`  workflows  ${sandbox.url}/sandbox/portals/${portal.memberId}/bizproc/workflows`);
    write(`  REST calls ${sandbox.url}/sandbox/portals/${portal.domain}/journal`);
    if (!options.keep) await stack.close();
    return stack;
  } catch (error) {
    await stack.close();
    throw error;
  }
}
