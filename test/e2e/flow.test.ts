/**
 * Issue 3, end to end, on each store engine: the sandbox portal (limits on) installs the app into our service over
 * HTTP, the service registers its robots, an admin puts a robot on a deal stage with an expression in a property,
 * an integration moves a deal into that stage with `crm.deal.update`, the portal POSTs the robot call, the worker
 * runs the robot (a task through REST) and answers with `bizproc.event.send`, and the workflow gets the values.
 */
import { buildManifest } from '../../src/activities/manifest';
import { installApp, outboundCalls, placeRobot, whenIdle, workflowLog } from '../../src/sandbox/bizproc';
import { bizprocState } from '../../src/sandbox/bizproc/state';
import { parseBracketForm } from '../../src/util/bracket-form';
import { dealTaskRobot, followUpDealRobot } from './fixtures/robots';
import { CLIENT_ID, describeEngine, startWorld, storeEngines, until, webhookRest, type World } from './helpers';

const robots = [dealTaskRobot, followUpDealRobot()];
const manifests = robots.map((robot) => buildManifest(robot)!);

for (const engine of storeEngines()) {
  describeEngine(engine, 'a robot runs on a deal stage and answers the workflow', () => {
    let world: World;

    beforeAll(async () => {
      world = await startWorld({ robots, engine });
    });

    afterAll(async () => {
      await world?.close();
    });

    it('the portal installs the app and the service registers exactly the robots of its manifests', async () => {
      const { sandbox, portal, app } = world;
      const notice = await installApp(sandbox, portal, CLIENT_ID);
      expect(notice.deliveries[0]).toMatchObject({ status: 200 });

      const stored = await app.store.getPortal(portal.memberId);
      expect(stored).toMatchObject({
        domain: portal.domain,
        clientEndpoint: portal.clientEndpoint,
        applicationToken: sandbox.applicationToken(portal, CLIENT_ID),
        adminUserId: 1,
      });
      const b24 = app.client.forPortal(portal.memberId);
      const robotCodes = manifests.filter((m) => m.robot).map((m) => m.robot!.CODE);
      const activityCodes = manifests.filter((m) => m.activity).map((m) => m.activity!.CODE);
      expect([...(await b24.call<string[]>('bizproc.robot.list'))].sort()).toEqual([...robotCodes].sort());
      expect([...(await b24.call<string[]>('bizproc.activity.list'))].sort()).toEqual([...activityCodes].sort());
      expect(robotCodes).toEqual(['e2e_deal_task', 'e2e_follow_up_deal']);
      const handler = bizprocState(portal).registrations.find((r) => r.code === 'e2e_deal_task' && r.isRobot)?.handler;
      expect(handler).toBe(`${world.publicUrl}/robots/e2e_deal_task`);
    });

    it('a deal moved into the stage over REST gets its task, and event.send brings the values into the workflow', async () => {
      const { sandbox, portal, app } = world;
      const step = placeRobot(sandbox, portal, {
        entityTypeId: 2,
        stageId: 'PREPARATION',
        code: 'e2e_deal_task',
        properties: { title: 'Подготовить договор: {=Document:TITLE}', responsible: '{=Document:ASSIGNED_BY_ID}' },
      });
      const manager = webhookRest(sandbox, portal);
      const dealId = Number(
        await manager.call('crm.deal.add', { fields: { TITLE: 'Поставка «Ромашка»', STAGE_ID: 'NEW', CATEGORY_ID: 0, ASSIGNED_BY_ID: 1 } }),
      );
      const journalFrom = sandbox.journal(portal.memberId).entries.length;

      expect(await manager.call('crm.deal.update', { id: dealId, fields: { STAGE_ID: 'PREPARATION' } })).toBe(true);
      await whenIdle(portal, { timeoutMs: 15_000 });

      // The portal's call carried the evaluated expression (PROTOCOL §2.2, §2.5).
      const calls = outboundCalls(portal).filter((call) => call.kind === 'robot');
      expect(calls).toHaveLength(1);
      expect(calls[0].status).toBe(200);
      const form = parseBracketForm(calls[0].body);
      expect(form.properties).toEqual({ title: 'Подготовить договор: Поставка «Ромашка»', responsible: 'user_1' });
      const workflowId = String(form.workflow_id);

      // The run is stored, done and answered (the final state is written once event.send was answered).
      const run = await until('the run to be finished', async () => {
        const [found] = await app.store.listRuns({ robotCode: 'e2e_deal_task' });
        return found && found.finishedAt ? found : null;
      });
      expect(run).toMatchObject({
        state: 'done',
        workflowId,
        documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
        properties: { title: 'Подготовить договор: Поставка «Ромашка»', responsible: 'user_1' },
      });
      expect(run.eventSentAt).not.toBeNull();

      // The task exists on the portal, bound to the deal.
      const taskId = Number(run.returnValues?.TaskId);
      const { task } = await manager.call('tasks.task.get', { taskId, select: ['ID', 'TITLE', 'RESPONSIBLE_ID', 'UF_CRM_TASK'] });
      expect(task).toMatchObject({ title: 'Подготовить договор: Поставка «Ромашка»', responsibleId: '1' });
      expect(task.ufCrmTask).toEqual([`D_${dealId}`]);

      // The workflow applied the values and went on.
      const workflow = bizprocState(portal).workflows[workflowId];
      expect(workflow.status).toBe('completed');
      expect(workflow.results[step.name]).toEqual({
        TaskId: taskId,
        TaskTitle: 'Подготовить договор: Поставка «Ромашка»',
        Responsible: 'user_1',
        Result: 'ok',
        Error: '',
      });
      const log = workflowLog(portal, workflowId);
      expect(log.filter((entry) => entry.kind === 'message').map((entry) => entry.message)).toEqual([`Задача ${taskId} поставлена`]);
      expect(log.filter((entry) => entry.kind === 'return')).toHaveLength(1);

      // REST work of the service for this run: one task, one event.send, nothing else.
      const ours = sandbox
        .journal(portal.memberId)
        .entries.slice(journalFrom)
        .filter((entry) => entry.clientId === CLIENT_ID && entry.method !== 'batch');
      expect(ours.map((entry) => `${entry.method} ${entry.status}`).sort()).toEqual(['bizproc.event.send 200', 'tasks.task.add 200']);
    });
  });
}
