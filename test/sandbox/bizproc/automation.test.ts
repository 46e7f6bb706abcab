/**
 * A deal moved into a stage runs that stage's robots: the handler receives the form POST of PROTOCOL §2.2 and the
 * step waits for bizproc.event.send (PROTOCOL §3), or for its timeout.
 */
import { outboundCalls, placeRobot, runDueTimeouts, whenDelivered, workflowLog } from '../../../src/sandbox/bizproc';
import { bizprocState } from '../../../src/sandbox/bizproc/state';
import { addDocument, CLIENT_ID, pairs, startBed, updateDocument, type Bed } from './helpers';

const DEAL = 2;

function sendMessageRobot(bed: Bed) {
  return {
    CODE: 'send_message',
    HANDLER: `${bed.receiver.url}/robots/send_message`,
    AUTH_USER_ID: 1,
    USE_SUBSCRIPTION: 'Y',
    NAME: { ru: 'Отправить сообщение', en: 'Send message' },
    PROPERTIES: {
      text: { Name: 'Text', Type: 'text' },
      when: { Name: 'When', Type: 'datetime' },
      day: { Name: 'Day', Type: 'date' },
      to: { Name: 'To', Type: 'user', Multiple: 'Y' },
      responsible: { Name: 'Responsible', Type: 'user', Default: 'Author;' },
      notify: { Name: 'Notify', Type: 'bool' },
      format: { Name: 'Format', Type: 'select', Options: { pdf: 'PDF', docx: 'DOCX' } },
      amount: { Name: 'Amount', Type: 'double' },
      tags: { Name: 'Tags', Type: 'string', Multiple: 'Y' },
      comment: { Name: 'Comment', Type: 'string' },
    },
    RETURN_PROPERTIES: {
      Status: { Name: 'Status', Type: 'string' },
      ContactIds: { Name: 'Contacts', Type: 'int', Multiple: 'Y' },
    },
  };
}

function checkStatusRobot(bed: Bed) {
  return {
    CODE: 'check_status',
    HANDLER: `${bed.receiver.url}/robots/check_status`,
    AUTH_USER_ID: 7,
    USE_SUBSCRIPTION: 'Y',
    NAME: 'Check status',
    PROPERTIES: { previous: { Name: 'Previous status', Type: 'string' } },
  };
}

const newDeal = (bed: Bed, stage = 'C1:NEW') =>
  addDocument(bed.portal, DEAL, {
    TITLE: 'Поставка «Ромашка»',
    STAGE_ID: stage,
    CATEGORY_ID: '1',
    ASSIGNED_BY_ID: '5',
    OPPORTUNITY: '1500.50',
    CLOSEDATE: '2024-12-31T18:00:00+03:00',
  });

function placeSendMessage(bed: Bed) {
  return placeRobot(bed.sandbox, bed.portal, {
    entityTypeId: DEAL,
    stageId: 'C1:PREPARATION',
    code: 'send_message',
    properties: {
      text: 'Сделка {=Document:TITLE} ждёт ответа',
      when: '{=Document:CLOSEDATE}',
      day: '2024-12-31',
      to: ['user_1', '{=Document:ASSIGNED_BY_ID}'],
      notify: true,
      format: 'pdf',
      amount: '{=Document:OPPORTUNITY}',
      tags: [],
    },
  });
}

describe('a deal moved into a stage with robots (ru portal, Europe/Moscow)', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed({ culture: 'ru', timeZone: 'Europe/Moscow' });
    expect((await bed.call('bizproc.robot.add', sendMessageRobot(bed))).status).toBe(200);
    expect((await bed.call('bizproc.robot.add', checkStatusRobot(bed))).status).toBe(200);
    const first = placeSendMessage(bed);
    placeRobot(bed.sandbox, bed.portal, {
      entityTypeId: DEAL,
      stageId: 'C1:PREPARATION',
      code: 'check_status',
      timeoutSeconds: 60,
      // the first robot's return value, by its activity name, as the designer refers to it
      properties: { previous: `{=${first.name}:Status}` },
    });
  });
  afterAll(() => bed.close());

  it('POSTs the documented form to the handler, waits, and goes on after event.send', async () => {
    const dealId = newDeal(bed);
    await whenDelivered(bed.portal);
    expect(bed.receiver.on('/robots/send_message')).toHaveLength(0); // no robots on C1:NEW

    updateDocument(bed.portal, DEAL, dealId, { STAGE_ID: 'C1:PREPARATION' });
    await whenDelivered(bed.portal);
    const [call] = bed.receiver.on('/robots/send_message');
    expect(call.contentType).toBe('application/x-www-form-urlencoded');

    const body = pairs(call.raw);
    const value = (key: string) => body.find(([k]) => k === key)?.[1];
    const workflowId = value('workflow_id')!;
    const token = value('event_token')!;
    expect(workflowId).toMatch(/^[0-9a-f]{14}\.\d{8}$/);
    expect(token).toMatch(new RegExp(`^${workflowId.replace('.', '\\.')}\\|A\\d{5}_\\d{5}_\\d{5}_\\d{5}\\|[A-Za-z0-9]{32}\\.[0-9a-f]{64}$`));
    const installToken = bed.sandbox.applicationToken(bed.portal, CLIENT_ID);
    const ts = String(Date.UTC(2024, 11, 31, 15, 0, 0) / 1000);
    expect(body.map(([k]) => k)).toEqual([
      'workflow_id',
      'code',
      'document_id[0]',
      'document_id[1]',
      'document_id[2]',
      'document_type[0]',
      'document_type[1]',
      'document_type[2]',
      'event_token',
      'properties[text]',
      'properties[when]',
      'properties[day]',
      'properties[to][0]',
      'properties[to][1]',
      'properties[responsible]',
      'properties[notify]',
      'properties[format]',
      'properties[amount]',
      // properties[tags]: an empty multiple value disappears from the form
      'properties[comment]',
      'use_subscription',
      'timeout_duration',
      'ts',
      'auth[access_token]',
      'auth[expires]',
      'auth[expires_in]',
      'auth[scope]',
      'auth[domain]',
      'auth[server_endpoint]',
      'auth[client_endpoint]',
      'auth[member_id]',
      'auth[status]',
      'auth[user_id]',
      'auth[refresh_token]',
      'auth[application_token]',
    ]);
    expect(Object.fromEntries(body)).toMatchObject({
      code: 'send_message',
      'document_id[0]': 'crm',
      'document_id[1]': 'CCrmDocumentDeal',
      'document_id[2]': `DEAL_${dealId}`,
      'document_type[0]': 'crm',
      'document_type[1]': 'CCrmDocumentDeal',
      'document_type[2]': 'DEAL',
      'properties[text]': 'Сделка Поставка «Ромашка» ждёт ответа',
      'properties[when]': '31.12.2024 18:00:00',
      'properties[day]': '31.12.2024',
      'properties[to][0]': 'user_1',
      'properties[to][1]': 'user_5',
      'properties[responsible]': 'user_5', // the default `Author;`: the deal's responsible
      'properties[notify]': 'Y',
      'properties[format]': 'pdf',
      'properties[amount]': '1500.50',
      'properties[comment]': '',
      use_subscription: 'Y',
      timeout_duration: '0',
      ts,
      'auth[expires]': String(Number(ts) + 3600),
      'auth[expires_in]': '3600',
      'auth[scope]': 'crm,bizproc,task,user',
      'auth[domain]': 'acme.bitrix24.test',
      'auth[server_endpoint]': `${bed.sandbox.url}/rest/`,
      'auth[client_endpoint]': bed.portal.clientEndpoint,
      'auth[member_id]': 'a223c6b3710f85df22e9377d6c4f7553',
      'auth[status]': 'L',
      'auth[user_id]': '1',
      'auth[application_token]': installToken,
    });
    expect(value('auth[access_token]')).toMatch(/^[a-z0-9]{32}$/);
    expect(value('auth[refresh_token]')).toMatch(/^[a-z0-9]{32}$/);
    expect(call.raw).toContain('properties%5Btext%5D=%D0%A1%D0%B4%D0%B5%D0%BB%D0%BA%D0%B0+'); // spaces as '+'

    // the step waits: the next robot has not been called
    expect(bizprocState(bed.portal).instances[workflowId]).toMatchObject({ status: 'waiting', current: 0 });
    expect(bed.receiver.on('/robots/check_status')).toHaveLength(0);

    // the handler answers with its own token, in lower case as the PHP SDK sends it
    const answer = await bed.call(
      'bizproc.event.send',
      { event_token: token, return_values: { status: 'sent', CONTACTIDS: ['3', '4'], unknown: 'dropped' }, log_message: 'Отправлено 2 получателям' },
      value('auth[access_token]'),
    );
    expect(answer).toMatchObject({ status: 200, body: { result: true } });
    await whenDelivered(bed.portal);

    const step = bizprocState(bed.portal).instances[workflowId].steps[0].name;
    expect(bizprocState(bed.portal).instances[workflowId].results[step]).toEqual({ Status: 'sent', ContactIds: ['3', '4'] });
    expect(workflowLog(bed.portal, workflowId).map((l) => [l.kind, l.message])).toEqual(
      expect.arrayContaining([
        ['message', 'Отправлено 2 получателям'],
        ['return', 'Получены значения: Status=sent; ContactIds=3, 4'],
      ]),
    );

    // the next robot runs, as user 7, with the first robot's return value
    const [second] = bed.receiver.on('/robots/check_status');
    const secondBody = Object.fromEntries(pairs(second.raw));
    expect(secondBody).toMatchObject({ code: 'check_status', 'properties[previous]': 'sent', 'auth[user_id]': '7', timeout_duration: '60' });

    // a second event.send with the same token: silently true, nothing changes
    const linesBefore = workflowLog(bed.portal, workflowId).length;
    expect(await bed.call('bizproc.event.send', { EVENT_TOKEN: token, RETURN_VALUES: { Status: 'again' } })).toMatchObject({
      status: 200,
      body: { result: true },
    });
    expect(workflowLog(bed.portal, workflowId)).toHaveLength(linesBefore);
    expect(bizprocState(bed.portal).instances[workflowId].results[step].Status).toBe('sent');

    // a forged token: 403
    const forged = token.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect(await bed.call('bizproc.event.send', { EVENT_TOKEN: forged })).toEqual({
      status: 403,
      body: { error: 'ACCESS_DENIED', error_description: 'Access denied!' },
    });
    expect(await bed.call('bizproc.event.send', {})).toMatchObject({ status: 403, body: { error: 'ACCESS_DENIED' } });

    // bizproc.activity.log writes a line and keeps the step waiting
    const secondToken = secondBody.event_token;
    expect(await bed.call('bizproc.activity.log', { EVENT_TOKEN: secondToken, LOG_MESSAGE: 'Проверяю статус…' })).toMatchObject({
      status: 200,
      body: { result: true },
    });
    expect(await bed.call('bizproc.activity.log', { EVENT_TOKEN: secondToken, LOG_MESSAGE: '' })).toEqual({
      status: 400,
      body: { error: 'ERROR_EMPTY_LOG_MESSAGE', error_description: 'Empty log message!' },
    });
    expect(bizprocState(bed.portal).instances[workflowId]).toMatchObject({ status: 'waiting', current: 1 });
    expect(workflowLog(bed.portal, workflowId).at(-1)).toMatchObject({ kind: 'message', message: 'Проверяю статус…' });

    // the second robot's timeout (60 s) closes the step with IsTimeout = 1 and the workflow completes
    bed.clock.advance(59);
    expect(runDueTimeouts(bed.portal)).toBe(0);
    bed.clock.advance(2);
    expect(runDueTimeouts(bed.portal)).toBe(1);
    const summary = bizprocState(bed.portal).workflows[workflowId];
    expect(summary.status).toBe('completed');
    expect(summary.results[bizprocState(bed.portal).automation[0].steps[1].name]).toEqual({ IsTimeout: 1 });
    expect(bizprocState(bed.portal).instances[workflowId]).toBeUndefined();

    // after the workflow ended: HTTP 400 with the numeric code 404
    expect(await bed.call('bizproc.event.send', { EVENT_TOKEN: secondToken })).toEqual({
      status: 400,
      body: { error: 404, error_description: 'Бизнес-процесс не найден' },
    });
    // handler calls were made once each, never retried
    expect(outboundCalls(bed.portal).filter((c) => c.kind === 'robot' && c.workflowId === workflowId)).toHaveLength(2);
  });

  it('stops the previous stage\'s robots when the deal moves on', async () => {
    const dealId = newDeal(bed, 'C1:PREPARATION');
    await whenDelivered(bed.portal);
    const call = bed.receiver.on('/robots/send_message').at(-1)!;
    expect(call.form.document_id).toEqual(['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`]);
    updateDocument(bed.portal, DEAL, dealId, { STAGE_ID: 'C1:WON' });
    expect(await bed.call('bizproc.event.send', { EVENT_TOKEN: call.form.event_token })).toMatchObject({ status: 400, body: { error: 404 } });
    expect(bizprocState(bed.portal).workflows[call.form.workflow_id as string].status).toBe('terminated');
  });

  it('does not retry a handler that fails, and drops calls when the fault says so', async () => {
    bed.receiver.status = 500;
    const before = bed.receiver.on('/robots/send_message').length;
    const dealId = newDeal(bed);
    updateDocument(bed.portal, DEAL, dealId, { STAGE_ID: 'C1:PREPARATION' });
    await whenDelivered(bed.portal);
    bed.receiver.status = 200;
    expect(bed.receiver.on('/robots/send_message')).toHaveLength(before + 1);
    expect(outboundCalls(bed.portal).at(-1)).toMatchObject({ kind: 'robot', status: 500, dropped: false });

    bed.sandbox.setFaults(bed.portal.memberId, { dropHandlerCalls: 1 });
    const other = newDeal(bed);
    updateDocument(bed.portal, DEAL, other, { STAGE_ID: 'C1:PREPARATION' });
    await whenDelivered(bed.portal);
    bed.sandbox.setFaults(bed.portal.memberId, { dropHandlerCalls: 0 });
    expect(bed.receiver.on('/robots/send_message')).toHaveLength(before + 1);
    expect(outboundCalls(bed.portal).at(-1)).toMatchObject({ kind: 'robot', dropped: true, status: null });
  });
});

describe('robots that do not wait (en portal)', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed({ culture: 'en', timeZone: 'Europe/Moscow' });
  });
  afterAll(() => bed.close());

  it('runs every robot of the stage at once, in order, with en culture dates', async () => {
    for (const code of ['first', 'second']) {
      const res = await bed.call('bizproc.robot.add', {
        CODE: code,
        HANDLER: `${bed.receiver.url}/robots/${code}`,
        USE_SUBSCRIPTION: 'N',
        AUTH_USER_ID: 1,
        NAME: code,
        PROPERTIES: { when: { Name: 'When', Type: 'datetime' }, done: { Name: 'Done', Type: 'bool' } },
      });
      expect(res.status).toBe(200);
      placeRobot(bed.sandbox, bed.portal, {
        entityTypeId: DEAL,
        stageId: 'PREPARATION',
        code,
        properties: { when: '{=Document:CLOSEDATE}', done: false },
      });
    }
    const id = addDocument(bed.portal, DEAL, { TITLE: 'Deal', STAGE_ID: 'NEW', CATEGORY_ID: '0', CLOSEDATE: '2024-12-31T18:00:00+03:00' });
    updateDocument(bed.portal, DEAL, id, { STAGE_ID: 'PREPARATION' });
    await whenDelivered(bed.portal);
    expect(bed.receiver.requests.filter((r) => r.path.startsWith('/robots/')).map((r) => r.path)).toEqual(['/robots/first', '/robots/second']);
    const first = bed.receiver.on('/robots/first')[0].form;
    expect(first).toMatchObject({ use_subscription: 'N', properties: { when: '12/31/2024 06:00:00 pm', done: 'N' } });
    const summary = bizprocState(bed.portal).workflows[first.workflow_id as string];
    expect(summary.status).toBe('completed');
  });

  it('runs robots of leads (STATUS_ID), smart processes and smart invoices with their document ids', async () => {
    const res = await bed.call('bizproc.robot.add', {
      CODE: 'ping',
      HANDLER: `${bed.receiver.url}/robots/ping`,
      USE_SUBSCRIPTION: 'N',
      AUTH_USER_ID: 1,
      NAME: 'Ping',
    });
    expect(res.status).toBe(200);
    const DOC = 'Bitrix\\Crm\\Integration\\BizProc\\Document\\';
    const cases: Array<[number, string, Record<string, unknown>, string, string, string]> = [
      [1, 'IN_PROCESS', { STATUS_ID: 'IN_PROCESS' }, 'CCrmDocumentLead', 'LEAD', 'LEAD'],
      [128, 'DT128_3:NEW', { STAGE_ID: 'DT128_3:NEW', CATEGORY_ID: '3' }, `${DOC}Dynamic`, 'DYNAMIC_128', 'DYNAMIC_128'],
      [31, 'DT31_2:N', { STAGE_ID: 'DT31_2:N', CATEGORY_ID: '2' }, `${DOC}SmartInvoice`, 'SMART_INVOICE', 'SMART_INVOICE'],
    ];
    for (const [entityTypeId, stageId, fields, className, idPrefix, type] of cases) {
      placeRobot(bed.sandbox, bed.portal, { entityTypeId, stageId, code: 'ping' });
      const id = addDocument(bed.portal, entityTypeId, { TITLE: 'x', ...fields });
      await whenDelivered(bed.portal);
      expect(bed.receiver.on('/robots/ping').at(-1)!.form).toMatchObject({
        document_id: ['crm', className, `${idPrefix}_${id}`],
        document_type: ['crm', className, type],
      });
    }
    expect(bed.receiver.on('/robots/ping')).toHaveLength(3);
  });
});
