/**
 * The bizproc state is plain JSON saved with the portal: a robot waiting for bizproc.event.send when the sandbox
 * stops is still waiting after a restart, its event token still verifies and its timeout still counts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { placeRobot, runDueTimeouts, whenDelivered } from '../../../src/sandbox/bizproc';
import { bizprocState } from '../../../src/sandbox/bizproc/state';
import { addDocument, startBed, type Bed } from './helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'bizproc-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function waitingDeal(bed: Bed): Promise<{ token: string; workflowId: string }> {
  await bed.call('bizproc.robot.add', {
    CODE: 'wait_for_payment',
    HANDLER: `${bed.receiver.url}/robots/wait_for_payment`,
    USE_SUBSCRIPTION: 'Y',
    AUTH_USER_ID: 1,
    NAME: 'Wait for payment',
    RETURN_PROPERTIES: { Paid: { Name: 'Paid', Type: 'bool' } },
  });
  placeRobot(bed.sandbox, bed.portal, { entityTypeId: 2, stageId: 'NEW', code: 'wait_for_payment', timeoutSeconds: 3600 });
  addDocument(bed.portal, 2, { TITLE: 'Оплата', STAGE_ID: 'NEW', CATEGORY_ID: '0' });
  await whenDelivered(bed.portal);
  const { form } = bed.receiver.on('/robots/wait_for_payment')[0];
  return { token: form.event_token as string, workflowId: form.workflow_id as string };
}

describe('a saved and restarted sandbox', () => {
  it('keeps waiting robots: the old token is answered after the restart', async () => {
    const stateFile = path.join(dir, 'answered.json');
    const first = await startBed({ stateFile });
    const { token, workflowId } = await waitingDeal(first);
    await first.close();

    const second = await startBed({ stateFile, install: false });
    try {
      expect(bizprocState(second.portal).instances[workflowId]).toMatchObject({ status: 'waiting' });
      const sent = await second.call('bizproc.event.send', { EVENT_TOKEN: token, RETURN_VALUES: { PAID: 'Y' } });
      expect(sent).toMatchObject({ status: 200, body: { result: true } });
      expect(bizprocState(second.portal).workflows[workflowId]).toMatchObject({ status: 'completed' });
    } finally {
      await second.close();
    }
  });

  it('keeps the timeout of a waiting robot', async () => {
    const stateFile = path.join(dir, 'timeout.json');
    const first = await startBed({ stateFile });
    const { workflowId } = await waitingDeal(first);
    await first.close();

    const second = await startBed({ stateFile, install: false });
    try {
      expect(runDueTimeouts(second.portal)).toBe(0);
      second.clock.advance(3600);
      expect(runDueTimeouts(second.portal)).toBe(1);
      expect(bizprocState(second.portal).workflows[workflowId]).toMatchObject({ status: 'completed' });
    } finally {
      await second.close();
    }
  });
});
