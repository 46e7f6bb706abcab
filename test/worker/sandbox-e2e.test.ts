/**
 * End to end against the sandbox portal: the robot is registered from its manifest with the real Bitrix24 client,
 * placed on a deal stage, the portal POSTs the handler call when a deal enters the stage, a minimal receiver stores
 * the run, the worker runs the handler and answers with bizproc.event.send, and the workflow goes on.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineRobot } from '../../src/activities/define-robot';
import { buildManifest, materializeManifest } from '../../src/activities/manifest';
import { createRegistry } from '../../src/activities/registry';
import type { RobotDefinition } from '../../src/activities/types';
import { createBitrixClient } from '../../src/bitrix/client';
import type { BitrixClient } from '../../src/bitrix/types';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { bizprocPart, installApp, placeRobot, whenDelivered, workflowLog } from '../../src/sandbox/bizproc';
import { bizprocState } from '../../src/sandbox/bizproc/state';
import type { PortalCore, SandboxPart } from '../../src/sandbox/contract';
import { attachSandboxPortal } from '../../src/dev/sandbox-portal';
import { createStore } from '../../src/store';
import type { Store } from '../../src/store/types';
import { parseBracketForm, type FormObject } from '../../src/util/bracket-form';
import { createWorker, type Worker } from '../../src/worker/worker';
import { employee } from '../fixtures/sandbox-users';
import { CapturedLog } from './harness';

const CLIENT_ID = 'local.6f1e2d3c4b5a69.87654321';
const DEAL = 2;

/** Just enough CRM for automation: deals that raise crm.add/crm.update, and timeline comments over REST. */
const crmPart: SandboxPart = {
  name: 'e2ecrm',
  registerMethods(registry) {
    registry.register(
      'crm.timeline.comment.add',
      ({ portal, params }) => {
        const state = portal.state.e2ecrm as { comments: unknown[] };
        state.comments.push(params.fields);
        return state.comments.length;
      },
      { scope: 'crm' },
    );
  },
  initPortal(portal) {
    portal.state.e2ecrm = portal.state.e2ecrm ?? { deals: {}, comments: [] };
    if (portal.users.length === 0) portal.users.push(employee(1, 'Anna', true), employee(5, 'Boris', false));
    const deals = () => (portal.state.e2ecrm as { deals: Record<number, Record<string, unknown>> }).deals;
    portal.documents = {
      get: (entityTypeId, id) => (entityTypeId === DEAL && deals()[id] ? { ...deals()[id] } : null),
      update: (entityTypeId, id, fields) => updateDeal(portal, id, fields),
    };
  },
};

function addDeal(portal: PortalCore, id: number, fields: Record<string, unknown>): void {
  const deals = (portal.state.e2ecrm as { deals: Record<number, Record<string, unknown>> }).deals;
  deals[id] = { ID: String(id), ...fields };
  portal.events.emit('crm.add', { entityTypeId: DEAL, id, fields: { ...deals[id] }, previous: null });
}

function updateDeal(portal: PortalCore, id: number, fields: Record<string, unknown>): void {
  const deals = (portal.state.e2ecrm as { deals: Record<number, Record<string, unknown>> }).deals;
  const previous = deals[id];
  deals[id] = { ...previous, ...fields };
  portal.events.emit('crm.update', { entityTypeId: DEAL, id, fields: { ...deals[id] }, previous: { ...previous } });
}

const commentRobot: RobotDefinition = defineRobot({
  code: 'e2e_deal_comment',
  name: { ru: 'Комментарий к сделке', en: 'Deal comment' },
  description: { ru: 'Пишет комментарий в ленту сделки', en: 'Adds a comment to the deal timeline' },
  documentTypes: ['deal'],
  properties: {
    text: { type: 'text', name: { ru: 'Текст', en: 'Text' }, required: true },
    responsible: { type: 'user', name: { ru: 'Ответственный', en: 'Responsible' }, required: true },
    deadline: { type: 'datetime', name: { ru: 'Срок', en: 'Deadline' } },
  },
  returns: {
    CommentId: { type: 'int', name: { ru: 'ID комментария', en: 'Comment ID' } },
    Responsible: { type: 'user', name: { ru: 'Ответственный', en: 'Responsible' } },
  },
  async handler({ input, document, b24, step }) {
    const commentId = await step('comment', () =>
      b24.call('crm.timeline.comment.add', {
        fields: { ENTITY_ID: document!.id, ENTITY_TYPE: 'deal', COMMENT: `${input.text} (до ${input.deadline?.toISOString()})` },
      }),
    );
    return { CommentId: commentId, Responsible: input.responsible, LogMessage: `Комментарий ${commentId} добавлен` };
  },
});

describe('a robot end to end against the sandbox portal', () => {
  let sandbox: Sandbox;
  let portal: PortalCore;
  let store: Store;
  let client: BitrixClient;
  let worker: Worker;
  let receiver: Server;
  let publicUrl: string;
  const calls: FormObject[] = [];

  beforeAll(async () => {
    store = await createStore('sqlite::memory:');
    // The receiver's job, reduced to what this test needs: parse the form and store the run (DESIGN "What runs").
    const app = express();
    app.use(express.text({ type: '*/*' }));
    app.post('/robots/:code', async (req, res) => {
      const form = parseBracketForm(String(req.body));
      calls.push(form);
      const auth = form.auth as Record<string, string>;
      await store.enqueueRun({
        memberId: auth.member_id,
        robotCode: String(form.code),
        source: 'robot',
        dedupeKey: String(form.event_token),
        workflowId: String(form.workflow_id),
        eventToken: String(form.event_token),
        documentId: form.document_id as string[],
        documentType: form.document_type as string[],
        properties: (form.properties ?? {}) as Record<string, unknown>,
        userId: Number(auth.user_id),
        useSubscription: form.use_subscription === 'Y',
        firedAt: new Date(Number(form.ts) * 1000),
      });
      res.json({ status: 'queued' });
    });
    app.post(/.*/, (_req, res) => {
      res.json({});
    });
    receiver = await new Promise<Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    publicUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    sandbox = await startSandbox({
      parts: [crmPart, bizprocPart],
      logger: { error: () => undefined },
      apps: [{ clientId: CLIENT_ID, installUrl: `${publicUrl}/install`, scope: ['crm', 'bizproc', 'user'] }],
      portals: [{ domain: 'acme.bitrix24.test', culture: 'ru', timeZone: 'Europe/Moscow' }],
    });
    portal = sandbox.defaultPortal;
    await installApp(sandbox, portal, CLIENT_ID);
    await attachSandboxPortal(store, sandbox, portal, {
      now: new Date(),
      applicationToken: sandbox.applicationToken(portal, CLIENT_ID) ?? '',
      scope: 'crm,bizproc,user',
      clientId: CLIENT_ID,
    });
    const app1 = sandbox.apps.get(CLIENT_ID)!;
    client = createBitrixClient({ store, oauth: { clientId: CLIENT_ID, clientSecret: app1.clientSecret, server: sandbox.url } });
    worker = createWorker({ store, client, registry: createRegistry([commentRobot]), logger: new CapturedLog(), owner: 'e2e' });
  });

  afterAll(async () => {
    await worker?.stop();
    await client?.close();
    await sandbox?.close();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    await store?.close();
  });

  it('registers from the manifest, runs on the stage, answers once, and the workflow goes on', async () => {
    const manifest = materializeManifest(buildManifest(commentRobot)!, { publicUrl, authUserId: 1 });
    expect(await client.forPortal(portal.memberId).call('bizproc.robot.add', manifest.robot!)).toBe(true);
    expect(await client.forPortal(portal.memberId).call('bizproc.activity.add', manifest.activity!)).toBe(true);

    placeRobot(sandbox, portal, {
      entityTypeId: DEAL,
      stageId: 'C1:PREPARATION',
      code: 'e2e_deal_comment',
      properties: { text: 'Позвонить клиенту {=Document:TITLE}', responsible: '{=Document:ASSIGNED_BY_ID}', deadline: '{=Document:CLOSEDATE}' },
    });
    addDeal(portal, 41, { TITLE: 'Поставка «Ромашка»', STAGE_ID: 'C1:NEW', CATEGORY_ID: '1', ASSIGNED_BY_ID: '5', CLOSEDATE: '2024-12-31T18:00:00+03:00' });
    updateDeal(portal, 41, { STAGE_ID: 'C1:PREPARATION' });
    await whenDelivered(portal);
    expect(calls).toHaveLength(1);

    await worker.drain();

    const comments = (portal.state.e2ecrm as { comments: Array<Record<string, unknown>> }).comments;
    expect(comments).toEqual([
      { ENTITY_ID: 41, ENTITY_TYPE: 'deal', COMMENT: 'Позвонить клиенту Поставка «Ромашка» (до 2024-12-31T15:00:00.000Z)' },
    ]);
    const workflowId = String(calls[0].workflow_id);
    const workflow = bizprocState(portal).workflows[workflowId];
    expect(workflow.status).toBe('completed');
    expect(Object.values(workflow.results)[0]).toMatchObject({ CommentId: 1, Responsible: 'user_5', Result: 'ok', Error: '' });
    expect(workflowLog(portal, workflowId).map((entry) => entry.message)).toContain('Комментарий 1 добавлен');
    const sends = sandbox.journal(portal.memberId).entries.filter((entry) => entry.method === 'bizproc.event.send');
    expect(sends).toHaveLength(1);
  });

  it('a bad property ends the step with a message naming it, and no REST work but event.send', async () => {
    placeRobot(sandbox, portal, {
      entityTypeId: DEAL,
      stageId: 'C1:WON',
      code: 'e2e_deal_comment',
      properties: { text: 'Спасибо за покупку', responsible: '' },
    });
    const before = sandbox.journal(portal.memberId).entries.length;
    updateDeal(portal, 41, { STAGE_ID: 'C1:WON' });
    await whenDelivered(portal);
    await worker.drain();

    const workflowId = String(calls.at(-1)!.workflow_id);
    const messages = workflowLog(portal, workflowId).map((entry) => entry.message);
    expect(messages.join('\n')).toContain('Свойство «Ответственный» (responsible): обязательное значение не задано');
    const after = sandbox.journal(portal.memberId).entries.slice(before).map((entry) => entry.method);
    expect(after).toEqual(['bizproc.event.send']);
    expect(Object.values(bizprocState(portal).workflows[workflowId].results)[0]).toMatchObject({ Result: 'error' });
  });
});
