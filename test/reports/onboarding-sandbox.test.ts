/**
 * The onboarding report and its CLI command on what the robots really did on the sandbox portal.
 */
import { Command } from 'commander';
import { registerReportCommand } from '../../src/cli/report';
import { onboardingReport } from '../../src/reports/onboarding';
import { parseReportRange } from '../../src/reports/range';
import { startWorld, type World } from '../robots/onboarding/world';

let world: World;

beforeAll(async () => {
  world = await startWorld();
  // January 2025 in Moscow: a complete fixed tariff, a company with no tariff, a complete individual one; February: one more.
  const fixed = world.plantCompany({ TITLE: 'ООО «Альфа»', ASSIGNED_BY_ID: 2, UF_CRM_TARIFF_TYPE: 'Базовый' }, '2025-01-10T07:00:00Z');
  const late = world.plantCompany({ TITLE: 'ООО «Бета»', ASSIGNED_BY_ID: 2 }, '2025-01-20T07:00:00Z');
  const individual = world.plantCompany(
    { TITLE: 'ИП Гамма', ASSIGNED_BY_ID: 3, UF_CRM_TARIFF_TYPE: 'Индивидуальный', UF_CRM_TARIFF_COST: 7000 },
    '2025-01-31T20:30:00Z',
  );
  const february = world.plantCompany({ TITLE: 'ООО «Дельта»', ASSIGNED_BY_ID: 3, UF_CRM_TARIFF_TYPE: 'Стандарт' }, '2025-01-31T21:30:00Z');
  for (const id of [fixed, late, individual, february]) await world.invoke('onboarding_create_deal', id);
  await world.settle();
  // The manager fills in the missing tariff; the next run makes the deal and closes the reminder.
  world.patchCompany(late, { UF_CRM_TARIFF_TYPE: 'Премиум' });
  await world.invoke('onboarding_create_deal', late);
  await world.settle();
});

afterAll(async () => world?.close());

const range = () => parseReportRange({ from: '2025-01', to: '2025-02' }, 'Europe/Moscow', new Date());

describe('onboarding report on the sandbox', () => {
  it('counts new clients per month (portal time zone) and tariff, with their deals', async () => {
    const report = await onboardingReport(world.b24, { timeZone: 'Europe/Moscow', range: range() });
    expect(report.newClients.map((row) => [row.monthLabel, row.tariff, row.companies, row.deals])).toEqual([
      ['Январь 2025', 'Базовый', 1, 1],
      ['Январь 2025', 'Премиум', 1, 1],
      ['Январь 2025', 'Индивидуальный', 1, 1],
      ['Февраль 2025', 'Стандарт', 1, 1],
    ]);
    expect(report.notes).toEqual([]);
  });

  it('tells per responsible who was complete at once and who completed the data later', async () => {
    const report = await onboardingReport(world.b24, { timeZone: 'Europe/Moscow', range: range() });
    const names = new Map(world.portal.users.map((user) => [user.id, `${user.name} ${user.lastName}`]));
    expect(report.completion.map((row) => [row.responsible, row.companies, row.completeAtOnce, row.completedLater, row.pending])).toEqual([
      [names.get(2), 2, 1, 1, 0],
      [names.get(3), 2, 2, 0, 0],
    ]);
    expect(report.completion[0].maxHours).toBeGreaterThan(0);
    expect(report.completion[1].maxHours).toBe(0);
  });

  it('b24robots report onboarding prints CSV for the period', async () => {
    const out: string[] = [];
    const program = new Command().exitOverride();
    registerReportCommand(program, {
      open: async () => ({ store: world.app.store, client: world.app.client, close: async () => undefined }),
      write: (text) => out.push(text),
    });
    await program.parseAsync(['report', 'onboarding', '--portal', world.portal.domain, '--from', '2025-01', '--to', '2025-02', '--csv', '--part', 'clients'], {
      from: 'user',
    });
    expect(out.join('')).toBe(
      'month,month_key,tariff,companies,deals\r\n' +
        'Январь 2025,2025-01,Базовый,1,1\r\n' +
        'Январь 2025,2025-01,Премиум,1,1\r\n' +
        'Январь 2025,2025-01,Индивидуальный,1,1\r\n' +
        'Февраль 2025,2025-02,Стандарт,1,1\r\n',
    );
  });

  it('names the fix when the portal is not installed', async () => {
    const program = new Command().exitOverride();
    registerReportCommand(program, {
      open: async () => ({ store: world.app.store, client: world.app.client, close: async () => undefined }),
      write: () => undefined,
    });
    await expect(program.parseAsync(['report', 'onboarding', '--portal', 'nowhere.bitrix24.test'], { from: 'user' })).rejects.toThrow(
      'b24robots portals',
    );
  });
});
