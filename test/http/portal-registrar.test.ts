import { createPortalRegistrar, planOfLicense, REGISTRATION_STATE_KEY } from '../../src/http/portal-registrar';
import { createRegistry } from '../../src/activities/registry';
import type { Store } from '../../src/store/types';
import { capturingLogger, dealNotify, fakePortalClient, memoryStore, MEMBER_ID, portalRecord, registry, testRobots } from './helpers';

const NOW = new Date('2025-01-10T12:00:00Z');

describe('recorded registrations', () => {
  let store: Store;

  beforeEach(async () => {
    store = await memoryStore();
  });
  afterEach(async () => {
    await store.close();
  });

  function registrar(client = fakePortalClient().client, robots = registry) {
    return createPortalRegistrar({ store, client, registry: robots, publicUrl: 'https://robots.example.com', logger: capturingLogger().logger, clock: () => NOW });
  }

  it('start-up finishes a registration a crash left pending, and leaves finished ones alone', async () => {
    await store.upsertPortal(portalRecord());
    await store.upsertPortal(portalRecord({ memberId: 'b'.repeat(32), domain: 'beta.bitrix24.ru' }));
    const portal = fakePortalClient();
    const first = registrar(portal.client);
    await first.register(portalRecord({ memberId: 'b'.repeat(32), domain: 'beta.bitrix24.ru' }));
    await store.setState(MEMBER_ID, REGISTRATION_STATE_KEY, { status: 'pending', fingerprint: 'x', at: NOW.toISOString() });
    portal.calls.length = 0;

    expect(await registrar(portal.client).resumePending()).toBe(1);
    expect(new Set(portal.calls.map((c) => c.memberId))).toEqual(new Set([MEMBER_ID]));
    expect(await store.getState(MEMBER_ID, REGISTRATION_STATE_KEY)).toMatchObject({ status: 'done' });
  });

  it('a deploy that adds a robot registers it on every installed portal at start-up', async () => {
    await store.upsertPortal(portalRecord());
    const portal = fakePortalClient();
    await registrar(portal.client, createRegistry([dealNotify])).register(portalRecord());
    expect(portal.registered.has('comms_stamp')).toBe(false);
    expect(await registrar(portal.client, createRegistry(testRobots)).resumePending()).toBe(1);
    expect(portal.registered.has('comms_stamp')).toBe(true);
  });

  it('uninstalled portals are not registered', async () => {
    await store.upsertPortal(portalRecord({ uninstalledAt: NOW }));
    const portal = fakePortalClient();
    expect(await registrar(portal.client).resumePending()).toBe(0);
    expect(portal.calls).toEqual([]);
  });

  it('reads the plan from the license', () => {
    expect(planOfLicense({ LICENSE: 'de_ent250', LICENSE_FAMILY: 'ent' })).toBe('enterprise');
    expect(planOfLicense({ LICENSE: 'ru_ent10000' })).toBe('enterprise');
    expect(planOfLicense({ LICENSE: 'ru_pro100', LICENSE_FAMILY: 'pro' })).toBe('standard');
    expect(planOfLicense({})).toBeNull();
  });
});
