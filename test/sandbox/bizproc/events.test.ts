/**
 * event.bind / event.unbind / event.get (b24-docs/api-reference/events/) and the form the bound handler receives:
 * `event`, `event_handler_id`, `data[FIELDS][ID]`, `ts`, and `auth` with a one-off token (no refresh_token).
 */
import { outboundCalls, whenDelivered } from '../../../src/sandbox/bizproc';
import { addDocument, CLIENT_ID, pairs, startBed, updateDocument, type Bed } from './helpers';

let bed: Bed;
beforeAll(async () => {
  bed = await startBed();
});
afterAll(() => bed.close());

describe('event.bind', () => {
  it('binds, lists and refuses what the portal refuses', async () => {
    const handler = `${bed.receiver.url}/events/company`;
    expect(await bed.call('event.bind', { event: 'OnCrmCompanyUpdate', handler })).toMatchObject({ status: 200, body: { result: true } });
    expect(await bed.call('event.bind', { event: 'ONCRMCOMPANYUPDATE', handler })).toMatchObject({
      status: 400,
      body: { error: 'ERROR_CORE', error_description: 'Unable to set event handler: Handler already binded' },
    });
    expect(await bed.call('event.bind', { event: 'ONNOSUCHEVENT', handler })).toEqual({
      status: 400,
      body: { error: 'ERROR_EVENT_NOT_FOUND', error_description: 'Event not found' },
    });
    expect(await bed.call('event.bind', { event: 'ONCRMDEALADD' })).toMatchObject({
      status: 400,
      body: { error: 'ERROR_ARGUMENT', argument: 'HANDLER' },
    });
    expect(await bed.call('event.bind', { event: 'ONCRMDEALADD', handler: 'http://localhost/events' })).toMatchObject({
      status: 400,
      body: { error: 'ERROR_WRONG_HANDLER_URL' },
    });

    const manager = bed.tokenFor(5);
    expect(await bed.call('event.bind', { event: 'ONCRMDEALADD', handler, auth_type: 1 }, manager)).toEqual({
      status: 403,
      body: { error: 'ACCESS_DENIED', error_description: 'Access denied! Event binding with AUTH_TYPE requires administrator access rights' },
    });
    expect(await bed.call('event.bind', { event: 'ONCRMDEALADD', handler, event_type: 'offline' }, manager)).toMatchObject({
      status: 403,
      body: { error_description: 'Access denied! Offline events binding requires administrator access rights' },
    });
    // a regular user's handler runs as that user, and the user sees only their own handlers
    expect((await bed.call('event.bind', { event: 'ONCRMDEALADD', handler }, manager)).status).toBe(200);
    expect((await bed.call('event.get', {}, manager)).body.result).toEqual([
      { event: 'ONCRMDEALADD', handler, auth_type: '5', offline: 0 },
    ]);
    expect((await bed.call('event.get')).body.result).toEqual([
      { event: 'ONCRMCOMPANYUPDATE', handler, auth_type: '0', offline: 0 },
      { event: 'ONCRMDEALADD', handler, auth_type: '5', offline: 0 },
    ]);

    const hook = bed.sandbox.createWebhook(bed.portal.memberId, { userId: 1 });
    const viaWebhook = await fetch(`${hook.url}event.bind`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ event: 'ONCRMDEALADD', handler }),
    });
    expect(viaWebhook.status).toBe(403);

    expect(await bed.call('event.unbind', { event: 'ONCRMDEALADD', handler, auth_type: 5 })).toMatchObject({ body: { result: { count: 1 } } });
    expect(await bed.call('event.unbind', { event: 'ONCRMDEALADD', handler })).toMatchObject({ body: { result: { count: 0 } } });
  });
});

describe('delivering bound events', () => {
  it('POSTs the company change as a form with a one-off token and the application token, once', async () => {
    const [binding] = (await bed.call('event.get')).body.result;
    expect(binding.event).toBe('ONCRMCOMPANYUPDATE');
    const companyId = addDocument(bed.portal, 4, { TITLE: 'ООО «Рога и копыта»', ASSIGNED_BY_ID: '5' });
    bed.receiver.status = 503; // a failing handler is not retried
    updateDocument(bed.portal, 4, companyId, { TITLE: 'ООО «Рога и копыта» (новое)' });
    await whenDelivered(bed.portal);
    bed.receiver.status = 200;

    const received = bed.receiver.on('/events/company');
    expect(received).toHaveLength(1);
    const body = pairs(received[0].raw);
    expect(body.map(([k]) => k)).toEqual([
      'event',
      'event_handler_id',
      'data[FIELDS][ID]',
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
      'auth[application_token]',
    ]);
    expect(Object.fromEntries(body)).toMatchObject({
      event: 'ONCRMCOMPANYUPDATE',
      'data[FIELDS][ID]': String(companyId),
      'auth[domain]': 'acme.bitrix24.test',
      'auth[user_id]': '1',
      'auth[application_token]': bed.sandbox.applicationToken(bed.portal, CLIENT_ID),
    });
    expect(received[0].raw).not.toContain('refresh_token');
    expect(outboundCalls(bed.portal).filter((c) => c.kind === 'event')).toHaveLength(1);
  });

  it('delivers task and activity events with their data shapes, and stops after unbind', async () => {
    const handler = `${bed.receiver.url}/events/other`;
    for (const event of ['ONTASKADD', 'ONTASKUPDATE', 'ONCRMACTIVITYADD']) {
      expect((await bed.call('event.bind', { event, handler })).status).toBe(200);
    }
    bed.portal.events.emit('task.add', { id: 42 });
    bed.portal.events.emit('task.update', { id: 42 });
    bed.portal.events.emit('activity.add', { id: 3165, ownerTypeId: 4, ownerId: 1 });
    await whenDelivered(bed.portal);
    expect(bed.receiver.on('/events/other').map((r) => [r.form.event, r.form.data])).toEqual([
      ['ONTASKADD', { FIELDS_AFTER: { ID: '42' } }],
      ['ONTASKUPDATE', { FIELDS_BEFORE: { ID: '42' }, FIELDS_AFTER: { ID: '42' } }],
      ['ONCRMACTIVITYADD', { FIELDS: { ID: '3165' } }],
    ]);

    expect(await bed.call('event.unbind', { event: 'ONTASKADD', handler })).toMatchObject({ body: { result: { count: 1 } } });
    bed.portal.events.emit('task.add', { id: 43 });
    await whenDelivered(bed.portal);
    expect(bed.receiver.on('/events/other')).toHaveLength(3);
  });
});
