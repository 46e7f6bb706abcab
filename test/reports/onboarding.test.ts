import { onboardingDefaults } from '../../robots/onboarding/settings';
import { completionColumns, computeOnboardingReport, newClientsColumns, type OnboardingData } from '../../src/reports/onboarding';
import { toCsv, toTextTable } from '../../src/reports/format';
import { parseReportRange } from '../../src/reports/range';

const MSK = 'Europe/Moscow';
const settings = onboardingDefaults;
const title = settings.taskTitle;

/** crm.company.list rows: legacy strings (PROTOCOL §6.3, §5.6). */
const company = (id: number, created: string, assigned: string, tariff = '', cost = '') => ({
  ID: String(id),
  TITLE: `Компания ${id}`,
  DATE_CREATE: created,
  ASSIGNED_BY_ID: assigned,
  UF_CRM_TARIFF_TYPE: tariff,
  UF_CRM_TARIFF_COST: cost,
});

/** tasks.task.list rows as the report keeps them. */
const reminder = (id: number, companyId: number, status: number, created: string, closed: string | null) => ({
  id,
  title,
  status,
  responsibleId: 5,
  description: '',
  createdDate: created,
  closedDate: closed,
  companyIds: [companyId],
});

function data(overrides: Partial<OnboardingData>): OnboardingData {
  return { companies: [], deals: [], reminders: [], users: new Map(), notes: [], ...overrides };
}

const range = parseReportRange({ from: '2025-01', to: '2025-02' }, MSK, new Date('2025-03-01T00:00:00Z'));

describe('onboarding report: new clients per month', () => {
  it('a company created at 23:30 on 31 January in Moscow is a January client; 00:30 on 1 February is a February one', () => {
    const report = computeOnboardingReport(
      data({
        companies: [
          company(1, '2025-01-31T23:30:00+03:00', '5', 'Базовый'),
          company(2, '2025-02-01T00:30:00+03:00', '5', 'Базовый'),
        ],
      }),
      { settings, timeZone: MSK, range },
    );
    expect(report.newClients.map((row) => [row.monthLabel, row.tariff, row.companies])).toEqual([
      ['Январь 2025', 'Базовый', 1],
      ['Февраль 2025', 'Базовый', 1],
    ]);
  });

  it('splits by tariff, counts the clients that got their deal, and takes the tariff sold on the deal', () => {
    const report = computeOnboardingReport(
      data({
        companies: [
          company(1, '2025-01-10T10:00:00+03:00', '5', 'Базовый'),
          company(2, '2025-01-11T10:00:00+03:00', '5', 'базовый'),
          company(3, '2025-01-12T10:00:00+03:00', '6', 'Премиум'),
          company(4, '2025-01-13T10:00:00+03:00', '6', ''),
        ],
        // Company 3 was sold «Стандарт», then someone changed the card.
        deals: [
          { ID: '10', COMPANY_ID: '1', UF_CRM_TARIFF_TYPE: 'Базовый' },
          { ID: '11', COMPANY_ID: '3', UF_CRM_TARIFF_TYPE: 'Стандарт' },
        ],
      }),
      { settings, timeZone: MSK, range },
    );
    expect(report.newClients.map((row) => [row.tariff, row.companies, row.deals])).toEqual([
      ['Базовый', 2, 1],
      ['Стандарт', 1, 1],
      ['Не указан', 1, 0],
    ]);
  });

  it('leaves out companies created outside the period', () => {
    const report = computeOnboardingReport(
      data({ companies: [company(1, '2024-12-31T23:59:00+03:00', '5', 'Базовый'), company(2, '2025-03-01T00:00:00+03:00', '5', 'Базовый')] }),
      { settings, timeZone: MSK, range },
    );
    expect(report.newClients).toEqual([]);
  });
});

describe('onboarding report: time to complete data per responsible', () => {
  it('counts complete-at-once, completed-later (creation to task close) and still pending per responsible', () => {
    const report = computeOnboardingReport(
      data({
        companies: [
          company(1, '2025-01-10T10:00:00+03:00', '5', 'Базовый'),
          company(2, '2025-01-10T10:00:00+03:00', '5', ''),
          company(3, '2025-01-10T10:00:00+03:00', '5', ''),
          company(4, '2025-01-10T10:00:00+03:00', '7', 'Индивидуальный'),
          company(5, '2025-01-10T10:00:00+03:00', '', 'Базовый'),
        ],
        reminders: [
          reminder(100, 2, 5, '2025-01-10T10:01:00+03:00', '2025-01-11T16:00:00+03:00'),
          reminder(101, 3, 2, '2025-01-10T10:01:00+03:00', null),
          reminder(102, 4, 5, '2025-01-10T10:01:00+03:00', '2025-01-10T14:00:00+03:00'),
          reminder(103, 5, 3, '2025-01-10T10:01:00+03:00', null),
        ],
        users: new Map([[5, 'Анна Смирнова']]),
      }),
      { settings, timeZone: MSK, range },
    );
    expect(report.completion).toEqual([
      {
        responsibleId: 5,
        responsible: 'Анна Смирнова',
        companies: 3,
        completeAtOnce: 1,
        completedLater: 1,
        pending: 1,
        avgHours: 15,
        medianHours: 15,
        maxHours: 30,
      },
      { responsibleId: 7, responsible: '#7', companies: 1, completeAtOnce: 0, completedLater: 1, pending: 0, avgHours: 4, medianHours: 4, maxHours: 4 },
      { responsibleId: null, responsible: 'Не назначен', companies: 1, completeAtOnce: 0, completedLater: 0, pending: 1, avgHours: null, medianHours: null, maxHours: null },
    ]);
  });

  it('an incomplete company that was never checked is pending, not complete', () => {
    const report = computeOnboardingReport(data({ companies: [company(1, '2025-01-10T10:00:00+03:00', '5', '')] }), {
      settings,
      timeZone: MSK,
      range,
    });
    expect(report.completion[0]).toMatchObject({ companies: 1, completeAtOnce: 0, pending: 1 });
  });
});

describe('report output', () => {
  const report = computeOnboardingReport(
    data({ companies: [company(1, '2025-01-10T10:00:00+03:00', '5', 'ООО "Кавычки", и запятые')] }),
    { settings, timeZone: MSK, range },
  );

  it('CSV quotes cells with commas and quotes (RFC 4180) and uses machine headers', () => {
    const csv = toCsv(report.newClients, newClientsColumns);
    expect(csv).toBe('month,month_key,tariff,companies,deals\r\nЯнварь 2025,2025-01,"ООО ""Кавычки"", и запятые",1,0\r\n');
  });

  it('the text table has human headers and a dash for empty numbers', () => {
    const text = toTextTable(report.completion, completionColumns);
    expect(text.split('\n')[0]).toContain('Ответственный');
    expect(text).toContain('—');
  });
});

describe('report period', () => {
  it('--from/--to months are read in the portal zone, --to inclusive', () => {
    expect(range.from.toISOString()).toBe('2024-12-31T21:00:00.000Z');
    expect(range.to.toISOString()).toBe('2025-02-28T21:00:00.000Z');
  });

  it('days work too, and December rolls into the next year', () => {
    const days = parseReportRange({ from: '2024-12-15', to: '2024-12-31' }, 'UTC', new Date());
    expect([days.from.toISOString(), days.to.toISOString()]).toEqual(['2024-12-15T00:00:00.000Z', '2025-01-01T00:00:00.000Z']);
  });

  it('defaults to the last 12 months including this one', () => {
    const last = parseReportRange({}, MSK, new Date('2025-03-10T12:00:00Z'));
    expect([last.from.toISOString(), last.to.toISOString()]).toEqual(['2024-03-31T21:00:00.000Z', '2025-03-31T21:00:00.000Z']);
  });

  it('a bad month names the option and the expected form', () => {
    expect(() => parseReportRange({ from: '2025-13' }, MSK, new Date())).toThrow('--from "2025-13" is not a month or a day: write 2025-01');
  });
});
