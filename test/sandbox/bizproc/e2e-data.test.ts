/**
 * End to end with the real data part, over HTTP only: the app is installed, registers a robot with its install
 * token, a deal is moved into the robot's stage with crm.deal.update, the handler receives the §2.2 form, reads the
 * deal with the token it was given and answers with bizproc.event.send.
 */
import { startSandbox, type Sandbox } from '../../../src/sandbox';
import { installApp, placeRobot, whenDelivered, whenIdle, workflowLog } from '../../../src/sandbox/bizproc';
import { bizprocState } from '../../../src/sandbox/bizproc/state';
import { CLIENT_ID, pairs, Receiver, testClock } from './helpers';

let sandbox: Sandbox;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await new Receiver().start();
  sandbox = await startSandbox({
    clock: testClock(),
    logger: { error: () => undefined },
    apps: [{ clientId: CLIENT_ID, installUrl: `${receiver.url}/install`, scope: ['crm', 'bizproc', 'user'] }],
    portals: [{ domain: 'acme.bitrix24.test', culture: 'ru', timeZone: 'Europe/Moscow', seed: false }],
  });
});
afterAll(async () => {
  await sandbox?.close();
  await receiver?.close();
});

async function rest(endpoint: string, method: string, params: Record<string, unknown>, token: string) {
  const res = await fetch(`${endpoint}${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...params, auth: token }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

it('a deal moved into a stage with crm.deal.update calls the robot and waits for event.send', async () => {
  const portal = sandbox.defaultPortal;
  await installApp(sandbox, portal, CLIENT_ID);
  const install = receiver.on('/install')[0].form.auth as Record<string, string>;
  const endpoint = install.client_endpoint;

  const registered = await rest(
    endpoint,
    'bizproc.robot.add',
    {
      CODE: 'deal_notify',
      HANDLER: `${receiver.url}/robots/deal_notify`,
      AUTH_USER_ID: 1,
      USE_SUBSCRIPTION: 'Y',
      NAME: { ru: 'Уведомить', en: 'Notify' },
      PROPERTIES: {
        title: { Name: 'Title', Type: 'string', Default: '{=Document:TITLE}' },
        due: { Name: 'Due', Type: 'date' },
        to: { Name: 'To', Type: 'user', Multiple: 'Y' },
      },
      RETURN_PROPERTIES: { Result: { Name: 'Result', Type: 'string' } },
    },
    install.access_token,
  );
  expect(registered).toMatchObject({ status: 200, body: { result: true } });
  placeRobot(sandbox, portal, { entityTypeId: 2, stageId: 'PREPARATION', code: 'deal_notify', properties: { due: '{=Document:CLOSEDATE}', to: '{=Document:ASSIGNED_BY_ID}' } });

  const added = await rest(
    endpoint,
    'crm.deal.add',
    { fields: { TITLE: 'Поставка «Ромашка»', STAGE_ID: 'NEW', ASSIGNED_BY_ID: 1, CLOSEDATE: '2024-12-31' } },
    install.access_token,
  );
  expect(added.status).toBe(200);
  const dealId = Number(added.body.result);
  expect((await rest(endpoint, 'crm.deal.update', { id: dealId, fields: { STAGE_ID: 'PREPARATION' } }, install.access_token)).status).toBe(200);
  await whenDelivered(portal);

  const [call] = receiver.on('/robots/deal_notify');
  const body = pairs(call.raw);
  expect(body.slice(0, 9).map(([k]) => k)).toEqual([
    'workflow_id',
    'code',
    'document_id[0]',
    'document_id[1]',
    'document_id[2]',
    'document_type[0]',
    'document_type[1]',
    'document_type[2]',
    'event_token',
  ]);
  expect(call.form).toMatchObject({
    code: 'deal_notify',
    document_id: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
    document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
    properties: { title: 'Поставка «Ромашка»', due: '31.12.2024', to: ['user_1'] },
    use_subscription: 'Y',
    auth: { domain: 'acme.bitrix24.test', member_id: portal.memberId, user_id: '1', application_token: install.application_token },
  });
  expect(body.at(-1)![0]).toBe('auth[application_token]');

  // the handler works with the token it was given, then answers
  const auth = call.form.auth as Record<string, string>;
  const deal = await rest(auth.client_endpoint, 'crm.deal.get', { id: dealId }, auth.access_token);
  expect(deal.body.result).toMatchObject({ ID: String(dealId), STAGE_ID: 'PREPARATION' });
  const workflowId = call.form.workflow_id as string;
  expect(bizprocState(portal).instances[workflowId]).toMatchObject({ status: 'waiting' });
  const sent = await rest(
    auth.client_endpoint,
    'bizproc.event.send',
    { event_token: call.form.event_token, return_values: { result: 'ok' }, log_message: 'Уведомление отправлено' },
    auth.access_token,
  );
  expect(sent).toMatchObject({ status: 200, body: { result: true } });
  await whenIdle(portal);
  expect(bizprocState(portal).workflows[workflowId]).toMatchObject({ status: 'completed' });
  expect(workflowLog(portal, workflowId).map((l) => l.message)).toContain('Уведомление отправлено');

  // crm.item.update moves it on and back: the stage's robots run again, with a new workflow
  const item = await rest(endpoint, 'crm.item.update', { entityTypeId: 2, id: dealId, fields: { stageId: 'NEW' } }, install.access_token);
  expect(item.status).toBe(200);
  await rest(endpoint, 'crm.item.update', { entityTypeId: 2, id: dealId, fields: { stageId: 'PREPARATION' } }, install.access_token);
  await whenDelivered(portal);
  const calls = receiver.on('/robots/deal_notify');
  expect(calls).toHaveLength(2);
  expect(calls[1].form.workflow_id).not.toBe(workflowId);
});

it('delivers ONCRMCOMPANYADD for a company added over REST', async () => {
  const portal = sandbox.defaultPortal;
  const token = sandbox.issueTokens(portal, CLIENT_ID, 1, { withRefresh: false }).access_token;
  expect((await rest(portal.clientEndpoint, 'event.bind', { event: 'ONCRMCOMPANYADD', handler: `${receiver.url}/events` }, token)).status).toBe(200);
  const added = await rest(portal.clientEndpoint, 'crm.company.add', { fields: { TITLE: 'ООО «Вектор»' } }, token);
  await whenDelivered(portal);
  const [event] = receiver.on('/events');
  expect(event.form).toMatchObject({ event: 'ONCRMCOMPANYADD', data: { FIELDS: { ID: String(added.body.result) } } });
  expect((event.form.auth as Record<string, string>).refresh_token).toBeUndefined();
});
