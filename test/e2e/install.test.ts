/**
 * End to end against the sandbox portal: the portal installs the app into our running service (ONAPPINSTALL to
 * /install), the service verifies the install with the OAuth server and registers its robots on the portal; a deal
 * entering a stage with our robot then calls the handler, the worker runs it and answers with event.send.
 */
import { createApp, type App } from '../../src/app';
import { freePort } from '../../src/dev/local-service';
import { createSilentLogger } from '../../src/logger';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { installApp, placeRobot, uninstallApp, updateApp, whenIdle } from '../../src/sandbox/bizproc';
import { bizprocState } from '../../src/sandbox/bizproc/state';
import { testRobots } from '../http/helpers';
import { CLIENT_ID, CLIENT_SECRET, serviceConfig, until } from './helpers';

describe('the sandbox portal installs the app into the service', () => {
  let sandbox: Sandbox;
  let app: App;
  let memberId: string;

  beforeAll(async () => {
    const port = await freePort();
    sandbox = await startSandbox({
      apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, installUrl: `http://127.0.0.1:${port}/install` }],
      portals: [{ domain: 'acme.bitrix24.test', culture: 'ru', timeZone: 'Europe/Moscow', seed: false }],
      logger: { error: () => undefined },
    });
    memberId = sandbox.defaultPortal.memberId;
    const config = serviceConfig({ port, databaseUrl: 'sqlite::memory:', oauthServer: sandbox.url, workerConcurrency: 2 });
    app = await createApp({ config, robots: testRobots, logger: createSilentLogger(), worker: { pollMs: 20 }, scheduler: false });
  });

  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it('registers every robot and activity on the portal with the installing admin', async () => {
    const notice = await installApp(sandbox, sandbox.defaultPortal, CLIENT_ID);
    expect(notice.deliveries[0]).toMatchObject({ status: 200 });

    const portal = await app.store.getPortal(memberId);
    expect(portal).toMatchObject({ domain: 'acme.bitrix24.test', clientEndpoint: sandbox.defaultPortal.clientEndpoint, adminUserId: 1 });
    const registrations = bizprocState(sandbox.defaultPortal).registrations.filter((r) => r.clientId === CLIENT_ID);
    expect(registrations.map((r) => `${r.isRobot ? 'robot' : 'activity'}:${r.code}`).sort()).toEqual(
      ['robot:deal_notify', 'robot:comms_stamp', 'activity:deal_notify_bp', 'activity:company_onboard_bp', 'activity:comms_stamp_bp'].sort(),
    );
    expect(registrations.every((r) => r.authUserId === 1)).toBe(true);
    expect(registrations.find((r) => r.code === 'deal_notify')?.handler).toBe(`${app.url}/robots/deal_notify`);
  });

  it('a deal entering a stage with our robot is answered through event.send', async () => {
    const portal = sandbox.defaultPortal;
    placeRobot(sandbox, portal, { entityTypeId: 2, stageId: 'NEW', code: 'deal_notify', properties: { text: 'Привет', to: ['user_1'] } });
    const b24 = app.client.forPortal(memberId);
    const added = await b24.call('crm.item.add', { entityTypeId: 2, fields: { title: 'ООО «Рога и копыта»', stageId: 'NEW', categoryId: 0 } });
    const dealId = Number(added.item.id);
    await whenIdle(portal);

    const run = await until('the run to finish', async () => {
      const [found] = await app.store.listRuns({ robotCode: 'deal_notify' });
      return found && (found.state === 'done' || found.state === 'failed') ? found : null;
    }, 10_000);
    expect(run).toMatchObject({ state: 'done', documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`] });
    expect(run.eventSentAt).not.toBeNull();
    const workflow = await until(
      'the workflow to complete',
      async () => Object.values(bizprocState(portal).workflows).find((w) => w.status === 'completed'),
      10_000,
    );
    expect(workflow).toBeDefined();
  });

  it('a company added on the portal reaches the subscribed robot through event.bind', async () => {
    const portal = sandbox.defaultPortal;
    const b24 = app.client.forPortal(memberId);
    const added = await b24.call('crm.item.add', { entityTypeId: 4, fields: { title: 'ООО «Ромашка»' } });
    await whenIdle(portal);
    const run = await until('the event run', async () => {
      const [found] = await app.store.listRuns({ robotCode: 'company_onboard' });
      return found;
    }, 10_000);
    expect(run).toMatchObject({ source: 'event', documentId: ['crm', 'CCrmDocumentCompany', `COMPANY_${Number(added.item.id)}`] });
  });

  it('ONAPPUPDATE re-registers what the portal deleted, and ONAPPUNINSTALL stops the portal', async () => {
    const portal = sandbox.defaultPortal;
    const update = await updateApp(sandbox, portal, CLIENT_ID);
    expect(update.deletedRegistrations).toBe(5);
    expect(bizprocState(portal).registrations.filter((r) => r.clientId === CLIENT_ID)).toHaveLength(5);

    await uninstallApp(sandbox, portal, CLIENT_ID);
    expect((await app.store.getPortal(memberId))?.uninstalledAt).not.toBeNull();
  });
});
