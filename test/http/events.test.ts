import request from 'supertest';
import type { Express } from 'express';
import { createHttpApp } from '../../src/http/app';
import { documentIdOfEvent } from '../../src/http/events';
import type { Store } from '../../src/store/types';
import {
  APPLICATION_TOKEN,
  capturingLogger,
  CLIENT_ID,
  CLIENT_SECRET,
  DOMAIN,
  fakePortalClient,
  form,
  memoryStore,
  MEMBER_ID,
  portalRecord,
  PUBLIC_URL,
  registry,
} from './helpers';
import type { EncodableValue } from '../../src/util/bracket-form';

const NOW = new Date('2025-01-10T12:00:00Z');

/** An event delivery to an app (b24-docs events/index.md): a one-off token, no refresh token. */
function delivery(event: string, id: string, auth: Record<string, EncodableValue> = {}): string {
  return form({
    event,
    event_handler_id: '185',
    data: { FIELDS: { ID: id } },
    ts: '1766047124',
    auth: {
      access_token: 's6p6eclrvim6da22ft9ch94ekreb52lv',
      expires_in: '3600',
      scope: 'crm',
      domain: DOMAIN,
      server_endpoint: 'https://oauth.bitrix.info/rest/',
      status: 'L',
      client_endpoint: `https://${DOMAIN}/rest/`,
      member_id: MEMBER_ID,
      application_token: APPLICATION_TOKEN,
      ...auth,
    },
  });
}

describe('event deliveries', () => {
  let store: Store;
  let app: Express;
  let portal: ReturnType<typeof fakePortalClient>;

  beforeEach(async () => {
    store = await memoryStore();
    await store.upsertPortal(portalRecord());
    portal = fakePortalClient();
    const oauth = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, server: 'https://oauth.bitrix.info' };
    app = createHttpApp({
      store,
      registry,
      client: portal.client,
      logger: capturingLogger().logger,
      config: { publicUrl: PUBLIC_URL, oauth, bodyLimitBytes: 256 * 1024 },
      clock: () => NOW,
    });
  });

  afterEach(async () => {
    await store.close();
  });

  const post = (body: string) => request(app).post('/events').type('form').send(body);

  it('a company added starts a run of each robot subscribed to it, on that company', async () => {
    const res = await post(delivery('ONCRMCOMPANYADD', '7405'));
    expect(res.status).toBe(200);
    expect(res.body.runs).toHaveLength(1);
    const run = await store.getRun(res.body.runs[0]);
    expect(run).toMatchObject({
      robotCode: 'company_onboard',
      source: 'event',
      documentId: ['crm', 'CCrmDocumentCompany', 'COMPANY_7405'],
      documentType: ['crm', 'CCrmDocumentCompany', 'COMPANY'],
      eventToken: null,
      workflowId: null,
      useSubscription: false,
      firedAt: new Date(1766047124 * 1000),
    });
    // an event token is a one-off without refresh: nothing to keep, and no REST on this path
    expect(portal.calls).toEqual([]);
  });

  it('an activity added starts the stamp robot with the activity as its document', async () => {
    const res = await post(delivery('ONCRMACTIVITYADD', '991'));
    const run = await store.getRun(res.body.runs[0]);
    expect(run).toMatchObject({ robotCode: 'comms_stamp', documentId: ['crm', 'CCrmActivity', 'ACTIVITY_991'] });
  });

  it('the same delivery twice is one run', async () => {
    await post(delivery('ONCRMCOMPANYUPDATE', '12'));
    await post(delivery('ONCRMCOMPANYUPDATE', '12'));
    expect(await store.listRuns()).toHaveLength(1);
  });

  it('an event no robot subscribes to is answered 200 and stores nothing', async () => {
    const res = await post(delivery('ONCRMDEALADD', '5'));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ignored');
    expect(await store.listRuns()).toEqual([]);
  });

  it('a delivery with a wrong application_token is refused and stores nothing', async () => {
    const res = await post(delivery('ONCRMCOMPANYADD', '7405', { application_token: 'ffffffffffffffffffffffffffffffff' }));
    expect(res.status).toBe(401);
    expect(await store.listRuns()).toEqual([]);
  });

  it('a non-numeric id is refused', async () => {
    const res = await post(delivery('ONCRMCOMPANYADD', '7405; DROP'));
    expect(res.status).toBe(400);
    expect(await store.listRuns()).toEqual([]);
  });

  it('maps CRM events to document ids', () => {
    expect(documentIdOfEvent('ONCRMDEALUPDATE', 3)).toEqual(['crm', 'CCrmDocumentDeal', 'DEAL_3']);
    expect(documentIdOfEvent('ONCRMLEADADD', 4)).toEqual(['crm', 'CCrmDocumentLead', 'LEAD_4']);
    expect(documentIdOfEvent('ONTASKADD', 4)).toBeNull();
  });
});
