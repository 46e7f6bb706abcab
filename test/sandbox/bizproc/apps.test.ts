/**
 * Installing, updating and uninstalling an app: the ONAPPINSTALL / ONAPPUPDATE / ONAPPUNINSTALL forms the app's
 * install URL receives (PROTOCOL §4.3), and what the portal does with the app's robots and actions.
 */
import { installApp, placeRobot, uninstallApp, updateApp, whenDelivered, workflowLog } from '../../../src/sandbox/bizproc';
import { bizprocState } from '../../../src/sandbox/bizproc/state';
import { addDocument, CLIENT_ID, pairs, startBed, updateDocument, type Bed } from './helpers';

let bed: Bed;
beforeEach(async () => {
  bed = await startBed({ install: false });
});
afterEach(() => bed.close());

const robot = (bed: Bed) => ({
  CODE: 'notify_manager',
  HANDLER: `${bed.receiver.url}/robots/notify_manager`,
  AUTH_USER_ID: 1,
  USE_SUBSCRIPTION: 'N',
  NAME: 'Notify',
});

describe('ONAPPINSTALL', () => {
  it('POSTs the installing admin\'s tokens and a new application_token as a bracket form', async () => {
    const notice = await installApp(bed.sandbox, bed.portal, CLIENT_ID);
    const [install] = bed.receiver.on('/install');
    expect(install.contentType).toBe('application/x-www-form-urlencoded');
    const body = pairs(install.raw);
    expect(body.map(([k]) => k)).toEqual([
      'event',
      'data[VERSION]',
      'data[ACTIVE]',
      'data[INSTALLED]',
      'data[LANGUAGE_ID]',
      'ts',
      'auth[access_token]',
      'auth[expires]',
      'auth[expires_in]',
      'auth[scope]',
      'auth[domain]',
      'auth[server_endpoint]',
      'auth[status]',
      'auth[client_endpoint]',
      'auth[member_id]',
      'auth[user_id]',
      'auth[refresh_token]',
      'auth[application_token]',
    ]);
    const form = Object.fromEntries(body);
    expect(form).toMatchObject({
      event: 'ONAPPINSTALL',
      'data[VERSION]': '1',
      'data[ACTIVE]': 'Y',
      'data[INSTALLED]': 'Y',
      'data[LANGUAGE_ID]': 'ru',
      ts: String(Date.UTC(2024, 11, 31, 15) / 1000),
      'auth[expires_in]': '3600',
      'auth[scope]': 'crm,bizproc,task,user',
      'auth[domain]': 'acme.bitrix24.test',
      'auth[status]': 'L',
      'auth[client_endpoint]': bed.portal.clientEndpoint,
      'auth[member_id]': bed.portal.memberId,
      'auth[user_id]': '1',
      'auth[application_token]': notice.applicationToken,
    });
    expect(notice.applicationToken).toMatch(/^[0-9a-f]{32}$/);
    expect(bed.sandbox.applicationToken(bed.portal, CLIENT_ID)).toBe(notice.applicationToken);

    // the tokens work: the admin's access token registers robots, the refresh token renews it
    expect(await bed.call('bizproc.robot.add', robot(bed), form['auth[access_token]'])).toMatchObject({ status: 200, body: { result: true } });
    const app = bed.sandbox.apps.get(CLIENT_ID)!;
    const refresh = await fetch(
      `${bed.sandbox.url}/oauth/token/?grant_type=refresh_token&client_id=${CLIENT_ID}&client_secret=${app.clientSecret}&refresh_token=${form['auth[refresh_token]']}`,
    );
    expect(refresh.status).toBe(200);
  });

  it('refuses a second install and unknown apps', async () => {
    await installApp(bed.sandbox, bed.portal, CLIENT_ID);
    await expect(installApp(bed.sandbox, bed.portal, CLIENT_ID)).rejects.toThrow(/already installed/);
    await expect(installApp(bed.sandbox, bed.portal, 'local.nope.1')).rejects.toThrow(/no app "local.nope.1"/);
  });
});

describe('ONAPPUPDATE', () => {
  it('deletes every robot and action of the app, blocks placed robots, then notifies with both versions', async () => {
    const { applicationToken } = await installApp(bed.sandbox, bed.portal, CLIENT_ID);
    await bed.call('bizproc.robot.add', robot(bed));
    await bed.call('bizproc.activity.add', { ...robot(bed), CODE: 'notify_action' });
    placeRobot(bed.sandbox, bed.portal, { entityTypeId: 2, stageId: 'NEW', code: 'notify_manager' });

    const notice = await updateApp(bed.sandbox, bed.portal, CLIENT_ID);
    expect(notice.deletedRegistrations).toBe(2);
    expect((await bed.call('bizproc.robot.list')).body.result).toEqual([]);
    expect((await bed.call('bizproc.activity.list')).body.result).toEqual([]);

    const body = pairs(bed.receiver.on('/install')[1].raw);
    expect(body.slice(0, 5)).toEqual([
      ['event', 'ONAPPUPDATE'],
      ['data[VERSION]', '2'],
      ['data[PREVIOUS_VERSION]', '1'],
      ['data[LANGUAGE_ID]', 'ru'],
      ['ts', String(Date.UTC(2024, 11, 31, 15) / 1000)],
    ]);
    const form = Object.fromEntries(body);
    expect(form['auth[refresh_token]']).toMatch(/^[a-z0-9]{32}$/);
    expect(form['auth[application_token]']).toBe(applicationToken);

    // the placed robot is blocked until the app registers it again
    const blocked = addDocument(bed.portal, 2, { TITLE: 'Blocked', STAGE_ID: 'NEW', CATEGORY_ID: '0' });
    await whenDelivered(bed.portal);
    expect(bed.receiver.on('/robots/notify_manager')).toHaveLength(0);
    const [summary] = Object.values(bizprocState(bed.portal).workflows);
    expect(summary).toMatchObject({ entityId: blocked, status: 'error' });
    expect(workflowLog(bed.portal, summary.id).at(-1)).toMatchObject({ kind: 'error', message: 'Действие «notify_manager» не установлено' });

    await bed.call('bizproc.robot.add', robot(bed));
    updateDocument(bed.portal, 2, blocked, { STAGE_ID: 'PREPARATION' });
    updateDocument(bed.portal, 2, blocked, { STAGE_ID: 'NEW' });
    await whenDelivered(bed.portal);
    expect(bed.receiver.on('/robots/notify_manager')).toHaveLength(1);
  });
});

describe('ONAPPUNINSTALL', () => {
  it('carries no tokens, only the portal identity and the application_token; the app loses everything', async () => {
    const { applicationToken } = await installApp(bed.sandbox, bed.portal, CLIENT_ID);
    await bed.call('bizproc.robot.add', robot(bed));
    expect(await bed.call('event.bind', { event: 'ONAPPUNINSTALL', handler: `${bed.receiver.url}/events/uninstall` })).toMatchObject({
      status: 200,
    });

    await uninstallApp(bed.sandbox, bed.portal, CLIENT_ID, { clean: true });
    for (const path of ['/install', '/events/uninstall']) {
      const received = bed.receiver.on(path).at(-1)!;
      expect(pairs(received.raw)).toEqual([
        ['event', 'ONAPPUNINSTALL'],
        ['data[LANGUAGE_ID]', 'ru'],
        ['data[CLEAN]', '1'],
        ['ts', String(Date.UTC(2024, 11, 31, 15) / 1000)],
        ['auth[domain]', 'acme.bitrix24.test'],
        ['auth[server_endpoint]', `${bed.sandbox.url}/rest/`],
        ['auth[client_endpoint]', bed.portal.clientEndpoint],
        ['auth[member_id]', bed.portal.memberId],
        ['auth[application_token]', applicationToken],
      ]);
    }
    expect(bed.sandbox.applicationToken(bed.portal, CLIENT_ID)).toBeNull();
    expect(bizprocState(bed.portal).registrations).toEqual([]);
    expect(bizprocState(bed.portal).bindings).toEqual([]);
    // the app's tokens are revoked with the installation
    expect((await bed.call('bizproc.robot.list')).status).toBe(401);
  });

  it('installs again through the sandbox API with a new application_token', async () => {
    const first = await installApp(bed.sandbox, bed.portal, CLIENT_ID);
    const api = `${bed.sandbox.url}/sandbox/portals/${bed.portal.memberId}/apps/${CLIENT_ID}`;
    const post = (action: string, body: object = {}) =>
      fetch(`${api}/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('uninstall')).status).toBe(200);
    const again = await post('install');
    expect(again.status).toBe(201);
    const { applicationToken } = (await again.json()) as { applicationToken: string };
    expect(applicationToken).not.toBe(first.applicationToken);
    expect((await post('update', { version: 5 })).status).toBe(200);
    expect(Object.fromEntries(pairs(bed.receiver.on('/install').at(-1)!.raw))).toMatchObject({
      event: 'ONAPPUPDATE',
      'data[VERSION]': '5',
      'data[PREVIOUS_VERSION]': '1',
    });
    const unknown = await fetch(`${bed.sandbox.url}/sandbox/portals/nope/apps/${CLIENT_ID}/install`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });
});
