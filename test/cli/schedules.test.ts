/**
 * `b24robots schedules`: per portal, each job the service runs on its own with its cron, last and next run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { createCliContext, type CliContext } from '../../src/cli/context';
import { registerSchedulesCommand, type ScheduleRow } from '../../src/cli/schedules';
import { createScheduler, jobsFromRobots } from '../../src/scheduler';
import { createStore } from '../../src/store';
import type { PortalRecord } from '../../src/store/types';
import { robots } from '../../robots';
import { portalRecord } from '../fixtures/portal';

function portal(memberId: string, domain: string, timeZone: string): PortalRecord {
  const at = new Date('2025-01-01T00:00:00Z');
  return portalRecord({
    memberId, domain, clientEndpoint: `https://${domain}/rest/`, applicationToken: 'f'.repeat(32), scope: 'crm,task', timeZone,
    installedAt: at, updatedAt: at,
  });
}

describe('b24robots schedules', () => {
  let dir: string;
  let database: string;
  let stdout: string;
  const now = new Date('2025-03-12T08:00:00Z'); // Wednesday 11:00 in Moscow

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'b24-schedules-'));
    database = `sqlite:${path.join(dir, 'service.sqlite')}`;
    const store = await createStore(database);
    await store.upsertPortal(portal('a'.repeat(32), 'klerk.bitrix24.ru', 'Europe/Moscow'));
    await store.upsertPortal(portal('b'.repeat(32), 'vlad.bitrix24.ru', 'Asia/Vladivostok'));
    await store.saveSettings('b'.repeat(32), { schedules: { comms_sweep: 'off', calls_distribute: '0 10 * * 2' } });
    // The Moscow portal's distribution ran on Monday 10 March at 09:00.
    let clock = new Date('2025-03-09T12:00:00Z');
    const scheduler = createScheduler({ store, jobs: jobsFromRobots(robots), clock: () => clock });
    await scheduler.sync();
    clock = new Date('2025-03-10T06:00:30Z');
    await scheduler.tick();
    await store.close();
    stdout = '';
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[]): Promise<void> {
    const program = new Command().exitOverride();
    let ctx: CliContext | null = null;
    const context = () =>
      (ctx ??= createCliContext(
        { database },
        { env: {}, now: () => now, streams: { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } } },
      ));
    registerSchedulesCommand(program, context);
    try {
      await program.parseAsync(['node', 'b24robots', ...args]);
    } finally {
      await (ctx as CliContext | null)?.close();
    }
  }

  it('lists each portal’s jobs with the last and next run in its own time zone', async () => {
    await run(['schedules', '--json']);
    const rows = JSON.parse(stdout) as ScheduleRow[];
    const row = (domain: string, job: string) => rows.find((r) => r.domain === domain && r.job === job)!;

    expect(row('klerk.bitrix24.ru', 'calls_distribute')).toMatchObject({
      cron: '0 9 * * 1',
      timeZone: 'Europe/Moscow',
      lastRunAt: '2025-03-10T06:00:00.000Z',
      nextRunAt: '2025-03-17T06:00:00.000Z',
    });
    expect(row('klerk.bitrix24.ru', 'comms_sweep')).toMatchObject({ cron: '0 6 * * *', enabled: true });
    expect(row('klerk.bitrix24.ru', 'calls_distribute').overdue).toBe(false);
    // Overridden in the portal's settings: Tuesdays 10:00 Vladivostok time — Tuesday the 11th passed while the service
    // was down, so it is overdue (fired once on the next heartbeat) — and the sweep switched off.
    expect(row('vlad.bitrix24.ru', 'calls_distribute')).toMatchObject({
      cron: '0 10 * * 2',
      overridden: true,
      nextRunAt: '2025-03-11T00:00:00.000Z',
      overdue: true,
    });
    expect(row('vlad.bitrix24.ru', 'comms_sweep')).toMatchObject({ enabled: false, cron: 'off', nextRunAt: null });
  });

  it('prints a table for one portal', async () => {
    await run(['schedules', '--portal', 'klerk.bitrix24.ru']);
    expect(stdout).toContain('calls_distribute');
    expect(stdout).toContain('2025-03-10 06:00 UTC');
    expect(stdout).not.toContain('vlad.bitrix24.ru');
  });
});
