import { planRegistration, registerApp } from '../../src/activities/registration';
import type { B24, BatchCommand, BatchResult } from '../../src/bitrix/types';
import { commsStamp, companyOnboard, dealNotify, fakePortalClient, MEMBER_ID, testRobots } from '../http/helpers';

describe('planning the registration', () => {
  const plan = planRegistration(testRobots, { publicUrl: 'https://robots.example.com/', authUserId: 7 });

  it('registers a robot only where there is automation, and every rule as an activity <code>_bp', () => {
    expect(plan.entries.map((e) => `${e.kind}:${e.code}`)).toEqual([
      'robot:deal_notify',
      'activity:deal_notify_bp',
      'activity:company_onboard_bp',
      'robot:comms_stamp',
      'activity:comms_stamp_bp',
    ]);
  });

  it('points every handler at the robot URL and runs it as the installing admin', () => {
    for (const entry of plan.entries) {
      const robotCode = entry.code.replace(/_bp$/, '');
      expect(entry.payload.HANDLER).toBe(`https://robots.example.com/robots/${robotCode}`);
      expect(entry.payload.AUTH_USER_ID).toBe(7);
    }
  });

  it('binds every event a robot subscribes to, once, to /events', () => {
    expect(plan.events).toEqual([
      { event: 'ONCRMACTIVITYADD', handler: 'https://robots.example.com/events' },
      { event: 'ONCRMCOMPANYADD', handler: 'https://robots.example.com/events' },
      { event: 'ONCRMCOMPANYUPDATE', handler: 'https://robots.example.com/events' },
    ]);
  });

  it('has a fingerprint that changes with what would be registered', () => {
    const same = planRegistration(testRobots, { publicUrl: 'https://robots.example.com/', authUserId: 7 });
    const moved = planRegistration(testRobots, { publicUrl: 'https://other.example.com', authUserId: 7 });
    const fewer = planRegistration([dealNotify, companyOnboard], { publicUrl: 'https://robots.example.com/', authUserId: 7 });
    expect(same.fingerprint).toBe(plan.fingerprint);
    expect(moved.fingerprint).not.toBe(plan.fingerprint);
    expect(fewer.fingerprint).not.toBe(plan.fingerprint);
  });
});

/** Counts batch requests, as the portal's rate limit does (a batch counts as one request, PROTOCOL §5.2). */
function countingBatches(inner: B24): { b24: B24; batches: Array<Array<string>> } {
  const batches: Array<Array<string>> = [];
  const b24: B24 = {
    ...inner,
    async batch(commands: Record<string, BatchCommand> | BatchCommand[]): Promise<BatchResult> {
      batches.push(Object.values(commands).map(([method]) => method));
      return inner.batch(commands);
    },
  };
  return { b24, batches };
}

describe('registering on a portal', () => {
  const plan = planRegistration(testRobots, { publicUrl: 'https://robots.example.com', authUserId: 1 });

  it('a first registration is one batch of adds and binds', async () => {
    const portal = fakePortalClient();
    const { b24, batches } = countingBatches(portal.client.forPortal(MEMBER_ID, { userId: 1 }));
    const report = await registerApp(b24, plan);
    expect(batches).toHaveLength(1);
    expect(batches[0].filter((m) => m === 'event.bind')).toHaveLength(3);
    expect(report).toEqual({
      added: ['deal_notify', 'deal_notify_bp', 'company_onboard_bp', 'comms_stamp', 'comms_stamp_bp'],
      updated: [],
      bound: ['ONCRMACTIVITYADD', 'ONCRMCOMPANYADD', 'ONCRMCOMPANYUPDATE'],
      failed: [],
      ok: true,
    });
  });

  it('a second registration updates what is installed in one more batch and tolerates bound handlers', async () => {
    const portal = fakePortalClient();
    await registerApp(portal.client.forPortal(MEMBER_ID, { userId: 1 }), plan);
    const { b24, batches } = countingBatches(portal.client.forPortal(MEMBER_ID, { userId: 1 }));
    const report = await registerApp(b24, plan);
    expect(batches).toHaveLength(2);
    expect(batches[1]).toEqual(['bizproc.robot.update', 'bizproc.activity.update', 'bizproc.activity.update', 'bizproc.robot.update', 'bizproc.activity.update']);
    expect(report.updated).toHaveLength(5);
    expect(report.bound).toHaveLength(3);
    expect(report.ok).toBe(true);
  });

  it('update sends FIELDS without CODE, as bizproc.*.update wants (PROTOCOL §1.4)', async () => {
    const portal = fakePortalClient();
    await registerApp(portal.client.forPortal(MEMBER_ID, { userId: 1 }), planRegistration([commsStamp], { publicUrl: 'https://r.example.com', authUserId: 1 }));
    portal.calls.length = 0;
    await registerApp(portal.client.forPortal(MEMBER_ID, { userId: 1 }), planRegistration([commsStamp], { publicUrl: 'https://r.example.com', authUserId: 1 }));
    const update = portal.calls.find((c) => c.method === 'bizproc.robot.update')?.params as Record<string, any>;
    expect(update.CODE).toBe('comms_stamp');
    expect(update.FIELDS.CODE).toBeUndefined();
    expect(update.FIELDS).toMatchObject({ HANDLER: 'https://r.example.com/robots/comms_stamp', USE_SUBSCRIPTION: 'Y' });
  });
});
