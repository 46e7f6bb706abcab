/**
 * bizproc.robot.* / bizproc.activity.* on the sandbox portal, over HTTP, with the docs' example payloads
 * (PROTOCOL §1.1–1.6). The docs' example handler `https://your_domain/robot.php` has no dot in its host and would be
 * rejected by a real portal too, so the examples here use example.com.
 */
import { bizprocState } from '../../../src/sandbox/bizproc/state';
import { startBed, type Bed } from './helpers';

// b24-docs bizproc-robot-add.md, cURL example
const robotExample = {
  CODE: 'test_robot',
  HANDLER: 'https://example.com/robot.php',
  AUTH_USER_ID: 1,
  USE_SUBSCRIPTION: 'Y',
  NAME: 'Send Message',
  PROPERTIES: {
    datetime: { Name: 'When', Type: 'datetime' },
    text: { Name: 'Text', Type: 'text' },
    user: { Name: 'To', Type: 'user', Default: 'Author;' },
  },
  FILTER: { INCLUDE: [['crm', 'CCrmDocumentDeal'], ['crm', 'CCrmDocumentLead']] },
};

// b24-docs bizproc-activity-add.md, cURL example
const activityExample = {
  CODE: 'md5_action',
  HANDLER: 'https://example.com/ping.php',
  AUTH_USER_ID: 1,
  USE_SUBSCRIPTION: 'Y',
  NAME: { de: 'MD5 Generator', en: 'MD5 generator' },
  DESCRIPTION: { de: 'Die Aktion gibt den MD5-Hash des Eingabeparameters zurück', en: 'Activity returns MD5 hash of input parameter' },
  PROPERTIES: {
    inputString: {
      Name: { de: 'Eingabestring', en: 'Input string' },
      Type: 'string',
      Required: 'Y',
      Multiple: 'N',
      Default: '{=Document:NAME}',
    },
  },
  RETURN_PROPERTIES: { outputString: { Name: { de: 'MD5', en: 'MD5' }, Type: 'string', Multiple: 'N', Default: null } },
  DOCUMENT_TYPE: ['lists', 'BizprocDocument', 'iblock_164'],
  FILTER: { INCLUDE: [['lists']] },
};

let bed: Bed;
beforeAll(async () => {
  bed = await startBed();
});
afterAll(() => bed.close());
beforeEach(() => {
  bizprocState(bed.portal).registrations = [];
});

const ok = { status: 200 };
const validation = (description: string) => ({
  status: 400,
  body: { error: 'ERROR_ACTIVITY_VALIDATION_FAILURE', error_description: description },
});

describe('registering robots and actions', () => {
  it('adds the docs example robot and lists codes only', async () => {
    expect(await bed.call('bizproc.robot.add', robotExample)).toMatchObject({ ...ok, body: { result: true } });
    await bed.call('bizproc.robot.add', { ...robotExample, CODE: 'sms_robot' });
    const list = await bed.call('bizproc.robot.list');
    expect(list.body.result).toEqual(['test_robot', 'sms_robot']);
    expect(list.body.total).toBeUndefined();
  });

  it('adds the docs example action; actions and robots are listed apart', async () => {
    expect(await bed.call('bizproc.activity.add', activityExample)).toMatchObject({ ...ok, body: { result: true } });
    await bed.call('bizproc.robot.add', robotExample);
    expect((await bed.call('bizproc.activity.list')).body.result).toEqual(['md5_action']);
    expect((await bed.call('bizproc.robot.list')).body.result).toEqual(['test_robot']);
  });

  it('accepts keys in any case; property codes and option keys keep theirs', async () => {
    const res = await bed.call('bizproc.robot.add', {
      code: 'lower_robot',
      handler: 'http://127.0.0.1:3000/robots/lower_robot',
      name: { ru: 'Робот', en: 'Robot' },
      use_subscription: 'N',
      properties: {
        docType: { name: 'Document type', type: 'select', options: { pdf: 'PDF', docX: 'DOCX' }, default: 'pdf' },
        Users: { Name: 'Users', Type: 'user', Multiple: 'Y' },
      },
      return_properties: { OutputString: { NAME: 'Out' } },
    });
    expect(res).toMatchObject({ ...ok, body: { result: true } });
    const [saved] = bizprocState(bed.portal).registrations;
    expect(saved.code).toBe('lower_robot');
    expect(saved.name).toEqual({ RU: 'Робот', EN: 'Robot' }); // localized name keys are upper-cased too
    expect(saved.useSubscription).toBe('N');
    expect(Object.keys(saved.properties)).toEqual(['docType', 'Users']);
    expect(saved.properties.docType).toMatchObject({ Name: { '*': 'Document type' }, Type: 'select', Default: 'pdf', Options: { pdf: 'PDF', docX: 'DOCX' } });
    expect(saved.properties.Users).toMatchObject({ Type: 'user', Multiple: 'Y', Required: 'N' });
    expect(Object.keys(saved.returnProperties)).toEqual(['OutputString']);
  });

  it('validates in the documented order with the documented errors', async () => {
    const base = { CODE: 'r1', HANDLER: 'https://example.com/r1', NAME: 'R1' };
    const cases: Array<[Record<string, unknown>, object]> = [
      [{}, validation('Empty data!')],
      [{ ...base, CODE: '' }, validation('Empty activity code!')],
      [{ ...base, CODE: 'bad code!' }, validation('Wrong activity code!')],
      [{ ...base, CODE: ['r1'] }, validation('Wrong activity code!')],
      [{ ...base, HANDLER: '' }, { status: 400, body: { error: 'ERROR_WRONG_HANDLER_URL', error_description: 'Wrong handler URL' } }],
      [{ ...base, HANDLER: 'http://localhost/robot' }, { status: 400, body: { error: 'ERROR_WRONG_HANDLER_URL' } }],
      [{ ...base, HANDLER: 'http://.example.com/robot' }, { status: 400, body: { error: 'ERROR_WRONG_HANDLER_URL' } }],
      [
        { ...base, HANDLER: 'ftp://example.com/robot' },
        { status: 400, body: { error: 'ERROR_UNSUPPORTED_PROTOCOL', error_description: 'Unsupported handler protocol' } },
      ],
      [{ ...base, NAME: '' }, validation('Empty activity NAME!')],
      [{ ...base, PROPERTIES: 'text' }, validation('Wrong properties array!')],
      [{ ...base, RETURN_PROPERTIES: 5 }, validation('Wrong properties array!')],
      [{ ...base, PROPERTIES: { '1st': { Name: 'x' } } }, validation('Wrong property key (1st)!')],
      [{ ...base, PROPERTIES: { good: { Type: 'string' } } }, validation('Empty property NAME (good)!')],
      [{ ...base, FILTER: 'b24' }, validation('Wrong activity FILTER!')],
      [{ ...base, CODE: 'x'.repeat(129) }, { status: 400, body: { error: 'ERROR_ACTIVITY_ADD_FAILURE', error_description: 'Activity save error!' } }],
    ];
    for (const [params, expected] of cases) {
      expect(await bed.call('bizproc.robot.add', params)).toMatchObject(expected);
    }
    expect(bizprocState(bed.portal).registrations).toEqual([]);
  });

  it('accepts an IP handler such as http://127.0.0.1:3000/… and a 128-character code', async () => {
    const code = 'a'.repeat(128);
    expect(await bed.call('bizproc.robot.add', { CODE: code, HANDLER: 'http://127.0.0.1:3000/robot', NAME: 'x' })).toMatchObject(ok);
  });

  it('checks DOCUMENT_TYPE for actions only (validateRobot does not)', async () => {
    const wrong = { CODE: 'dt', HANDLER: 'https://example.com/x', NAME: 'x', DOCUMENT_TYPE: ['crm', 'NoSuchDocument', 'DEAL'] };
    expect(await bed.call('bizproc.activity.add', wrong)).toMatchObject(validation('Wrong activity DOCUMENT_TYPE!'));
    expect(await bed.call('bizproc.robot.add', wrong)).toMatchObject(ok);
  });

  it('shares one code space between robots and actions of an app', async () => {
    await bed.call('bizproc.robot.add', { ...robotExample, CODE: 'shared' });
    const clash = await bed.call('bizproc.activity.add', { ...activityExample, CODE: 'shared' });
    expect(clash).toMatchObject({
      status: 400,
      body: { error: 'ERROR_ACTIVITY_ALREADY_INSTALLED', error_description: 'Activity or Robot already installed!' },
    });
    // update and delete filter by type
    const wrongType = await bed.call('bizproc.activity.update', { CODE: 'shared', FIELDS: { NAME: 'x' } });
    expect(wrongType).toMatchObject({ status: 400, body: { error: 'ERROR_ACTIVITY_NOT_FOUND', error_description: 'Activity or Robot not found!' } });
    // the internal key is md5(client_id@CODE): another case is another code
    expect(await bed.call('bizproc.activity.add', { ...activityExample, CODE: 'Shared' })).toMatchObject(ok);
  });

  it('needs an app token of a portal admin', async () => {
    const hook = bed.sandbox.createWebhook(bed.portal.memberId, { userId: 1 });
    const viaWebhook = await fetch(`${hook.url}bizproc.robot.add`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(robotExample),
    });
    expect(viaWebhook.status).toBe(403);
    expect(await viaWebhook.json()).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied! Application context required' });
    const manager = await bed.call('bizproc.robot.list', {}, bed.tokenFor(5));
    expect(manager).toEqual({ status: 403, body: { error: 'ACCESS_DENIED', error_description: 'Access denied!' } });
  });
});

describe('updating and deleting', () => {
  beforeEach(async () => {
    await bed.call('bizproc.robot.add', robotExample);
  });

  it('applies the docs example update; PROPERTIES are replaced whole and an empty FILTER clears it', async () => {
    // b24-docs bizproc-robot-update.md, cURL example
    const res = await bed.call('bizproc.robot.update', {
      CODE: 'test_robot',
      FIELDS: { NAME: 'Send message to author', USE_SUBSCRIPTION: 'N', FILTER: { INCLUDE: [['crm', 'CCrmDocumentDeal']] } },
    });
    expect(res).toMatchObject({ ...ok, body: { result: true } });
    let saved = bizprocState(bed.portal).registrations[0];
    expect(saved).toMatchObject({ name: { '*': 'Send message to author' }, useSubscription: 'N', filter: { INCLUDE: [['crm', 'CCrmDocumentDeal']] } });
    expect(Object.keys(saved.properties)).toEqual(['datetime', 'text', 'user']);

    await bed.call('bizproc.robot.update', { code: 'test_robot', fields: { properties: { amount: { name: 'Amount', type: 'double' } }, filter: '' } });
    saved = bizprocState(bed.portal).registrations[0];
    expect(Object.keys(saved.properties)).toEqual(['amount']);
    expect(saved.filter).toBeNull();
  });

  it('refuses an update without recognised fields, with a bad handler, or of an unknown code', async () => {
    expect(await bed.call('bizproc.robot.update', { CODE: 'test_robot' })).toMatchObject(validation('No fields to update'));
    expect(await bed.call('bizproc.robot.update', { CODE: 'test_robot', FIELDS: { COLOR: 'red' } })).toMatchObject(validation('No fields to update'));
    expect(await bed.call('bizproc.robot.update', { CODE: 'test_robot', FIELDS: { HANDLER: 'http://localhost/x' } })).toMatchObject({
      status: 400,
      body: { error: 'ERROR_WRONG_HANDLER_URL' },
    });
    expect(await bed.call('bizproc.robot.update', { CODE: 'test_robot', FIELDS: { NAME: '' } })).toMatchObject(validation('Empty activity NAME!'));
    expect(await bed.call('bizproc.robot.update', { CODE: 'nope', FIELDS: { NAME: 'x' } })).toMatchObject({
      status: 400,
      body: { error: 'ERROR_ACTIVITY_NOT_FOUND' },
    });
    expect(bizprocState(bed.portal).registrations[0].handler).toBe('https://example.com/robot.php');
  });

  it('deletes by code, once', async () => {
    expect(await bed.call('bizproc.robot.delete', { code: 'test_robot' })).toMatchObject({ ...ok, body: { result: true } });
    expect((await bed.call('bizproc.robot.list')).body.result).toEqual([]);
    expect(await bed.call('bizproc.robot.delete', { CODE: 'test_robot' })).toMatchObject({
      status: 400,
      body: { error: 'ERROR_ACTIVITY_NOT_FOUND', error_description: 'Activity or Robot not found!' },
    });
    expect(await bed.call('bizproc.robot.delete', { CODE: 'bad code' })).toMatchObject(validation('Wrong activity code!'));
  });
});
