/**
 * The README's "Add a robot" example is real: the same code, placed on a deal stage of the sandbox portal, sets the
 * responsible's task and answers the workflow with its id.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installApp, placeRobot, whenIdle } from '../../src/sandbox/bizproc';
import { bizprocState } from '../../src/sandbox/bizproc/state';
import welcomeRobot from './fixtures/readme-robot';
import { CLIENT_ID, startWorld, until, webhookRest, type World } from './helpers';

describe('the README robot example', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({ robots: [welcomeRobot] });
    await installApp(world.sandbox, world.portal, CLIENT_ID);
  });

  afterAll(async () => {
    await world?.close();
  });

  it('is the code the README shows', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const fixture = readFileSync(join(__dirname, 'fixtures/readme-robot.ts'), 'utf8')
      .split('\n')
      .slice(1) // the fixture's own comment line
      .join('\n')
      .replace("from '../../../src/activities'", "from '../src/activities'");
    expect(readme).toContain('```ts\n' + fixture + '```');
  });

  it('a deal entering its stage gets a welcome task for its responsible, and the workflow gets the task id', async () => {
    const { sandbox, portal, app } = world;
    const step = placeRobot(sandbox, portal, { entityTypeId: 2, stageId: 'PREPARATION', code: 'deal_welcome_task', properties: { deadlineDays: '3' } });
    const manager = webhookRest(sandbox, portal);
    const dealId = Number(await manager.call('crm.deal.add', { fields: { TITLE: 'ООО «Север»', STAGE_ID: 'NEW', ASSIGNED_BY_ID: 1 } }));
    await manager.call('crm.deal.update', { id: dealId, fields: { STAGE_ID: 'PREPARATION' } });
    await whenIdle(portal, { timeoutMs: 15_000 });

    const run = await until('the run to finish', async () => {
      const [found] = await app.store.listRuns({ robotCode: 'deal_welcome_task' });
      return found?.finishedAt ? found : null;
    });
    expect(run.state).toBe('done');
    const taskId = Number(run.returnValues?.TaskId);
    const { task } = await manager.call('tasks.task.get', { taskId, select: ['ID', 'TITLE', 'RESPONSIBLE_ID', 'UF_CRM_TASK'] });
    expect(task).toMatchObject({ title: 'Поприветствовать: ООО «Север»', responsibleId: '1', ufCrmTask: [`D_${dealId}`] });
    const workflow = Object.values(bizprocState(portal).workflows).find((w) => w.results[step.name]);
    expect(workflow?.results[step.name]).toMatchObject({ TaskId: taskId, Result: 'ok' });
  });
});
