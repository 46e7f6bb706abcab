/**
 * `npm run demo` (section A): the whole onboarding story on a fresh sandbox and service, as printed for a person.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDemoArgs } from '../../src/demo';
import { runOnboardingDemo } from '../../src/demo/onboarding';

describe('npm run demo: onboarding', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'b24-demo-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('adds five clients, fixes the incomplete one by an update, and prints deals, tasks and where to look', async () => {
    const lines: string[] = [];
    await runOnboardingDemo({ write: (line) => lines.push(line), root });
    const out = lines.join('\n');
    const summary = out.slice(out.indexOf('Where things stand'));

    expect(summary).toMatch(/ООО «Рога и копыта» \/ Базовый \/ [А-Я][а-я]+ \d{4}»/);
    expect(summary).toMatch(/ИП Иванов \/ Индивидуальный \/ [А-Я][а-я]+ \d{4}» \(стоимость 8500 скопирована/);
    // The incomplete company got its deal after the manager's update, and its task closed.
    expect(summary).toMatch(/ООО «Ромашка» \/ Стандарт \/ [А-Я][а-я]+ \d{4}»/);
    expect(summary).toMatch(/задача #\d+ для [^,]+, закрыта: данные заполнены/);
    expect(summary).toContain('• Стоимость 10000 не совпадает с тарифом Премиум (12000)');
    expect(summary).toContain('5 companies → 4 deals, 1 open task(s), 1 closed');
    expect(out).toMatch(/REST from the service: \d+ HTTP requests/);
    expect(out).toMatch(/deals {6}http:\/\/127\.0\.0\.1:\d+\/sandbox\/portals\/buh\.bitrix24\.test\/crm\/2/);
    // The SQLite file of the run is removed when the demo ends.
    expect(readdirSync(path.join(root, 'data'))).toEqual([]);
  });

  it('reads --keep and --only', () => {
    expect(parseDemoArgs([])).toEqual({ keep: false, only: ['onboarding', 'comms'] });
    expect(parseDemoArgs(['--keep', '--only', 'onboarding'])).toEqual({ keep: true, only: ['onboarding'] });
    expect(() => parseDemoArgs(['--only', 'sales'])).toThrow('choose one of onboarding, comms');
  });
});
