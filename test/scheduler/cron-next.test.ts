import { nextRunAfter, assertCron } from '../../src/scheduler/cron-next';

describe('next run of a cron expression in the portal time zone', () => {
  it('Monday 09:00 in Moscow is 06:00 UTC', () => {
    // Wednesday 2025-01-15 12:00 UTC → next Monday 2025-01-20 09:00 MSK
    const next = nextRunAfter('0 9 * * 1', 'Europe/Moscow', new Date('2025-01-15T12:00:00Z'));
    expect(next?.toISOString()).toBe('2025-01-20T06:00:00.000Z');
  });

  it('the same cron fires at a different instant in Vladivostok', () => {
    const next = nextRunAfter('0 9 * * 1', 'Asia/Vladivostok', new Date('2025-01-15T12:00:00Z'));
    expect(next?.toISOString()).toBe('2025-01-19T23:00:00.000Z');
  });

  it('a run exactly at the tick is not "next": the following one is', () => {
    const next = nextRunAfter('0 9 * * 1', 'Europe/Moscow', new Date('2025-01-20T06:00:00Z'));
    expect(next?.toISOString()).toBe('2025-01-27T06:00:00.000Z');
  });

  it('daily and monthly schedules', () => {
    expect(nextRunAfter('30 6 * * *', 'UTC', new Date('2025-03-01T07:00:00Z'))?.toISOString()).toBe('2025-03-02T06:30:00.000Z');
    expect(nextRunAfter('0 7 1 * *', 'UTC', new Date('2025-01-31T08:00:00Z'))?.toISOString()).toBe('2025-02-01T07:00:00.000Z');
  });

  it('a wall time skipped by a DST jump is skipped, not shifted', () => {
    // Europe/Berlin jumps from 02:00 to 03:00 on 2025-03-30.
    const next = nextRunAfter('30 2 * * *', 'Europe/Berlin', new Date('2025-03-29T12:00:00Z'));
    expect(next?.toISOString()).toBe('2025-03-31T00:30:00.000Z');
  });

  it('an invalid expression is refused with a message naming the fix', () => {
    expect(() => assertCron('every monday')).toThrow(/invalid cron expression "every monday": use five fields/);
  });
});
