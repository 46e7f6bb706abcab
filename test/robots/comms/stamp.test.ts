/**
 * `comms_stamp` against the sandbox portal (RULES.md §B): the company's technical field `UF_CRM_LAST_CONTACT` holds
 * the date of its latest communication, written from the activity-added event, a deal stage or a company workflow.
 */
import { addCall, addCompany, addDeal, company, createWorld, DAY, runRobot, type World } from './world';

const NOW = '2025-03-05T09:00:00Z';

const activityEvent = (id: number) => ({ documentId: ['crm', 'CCrmActivity', `ACTIVITY_${id}`], source: 'event' as const });

describe('comms_stamp against the sandbox portal', () => {
  let world: World;

  beforeEach(async () => {
    world = await createWorld({ start: NOW });
  });

  afterEach(async () => {
    await world.close();
  });

  const stamp = (companyId: number) => {
    const value = company(world, companyId).ufCrmLastContact;
    return value ? Date.parse(String(value)) : null;
  };

  it('a completed call stamps its company with the call’s end (activity-added event)', async () => {
    const target = addCompany(world, 'ООО «Ромашка»');
    const call = addCall(world, target.id, 2);

    const run = await runRobot(world, 'comms_stamp', activityEvent(call.id));

    expect(run.returnValues).toMatchObject({ Result: 'ok' });
    expect(stamp(target.id)).toBe(Date.parse(call.endTime!));
    expect(Date.parse(String(run.returnValues!.LastContact))).toBe(Date.parse(call.endTime!));
  });

  it('a call not completed yet stamps nothing', async () => {
    const target = addCompany(world, 'ООО «Лютик»');
    const call = addCall(world, target.id, 0, { completed: false });

    const run = await runRobot(world, 'comms_stamp', activityEvent(call.id));

    expect(run.returnValues).toMatchObject({ Result: 'skipped' });
    expect(run.logMessage).toContain('ещё не завершено');
    expect(stamp(target.id)).toBeNull();
  });

  it('on a deal stage the deal’s company is stamped with now', async () => {
    const target = addCompany(world, 'ООО «Василёк»');
    const deal = addDeal(world, { TITLE: 'Поставка', CATEGORY_ID: 0, COMPANY_ID: target.id });

    await runRobot(world, 'comms_stamp', { documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${deal.id}`] });

    expect(stamp(target.id)).toBe(Date.parse(NOW));
  });

  it('an event for an older call never moves the field backwards', async () => {
    const target = addCompany(world, 'ООО «Клевер»');
    const recent = addCall(world, target.id, 1);
    const old = addCall(world, target.id, 30);
    await runRobot(world, 'comms_stamp', activityEvent(recent.id));

    const late = await runRobot(world, 'comms_stamp', activityEvent(old.id));

    expect(late.returnValues).toMatchObject({ Result: 'skipped' });
    expect(stamp(target.id)).toBe(Date.parse(recent.endTime!));
  });

  it('in a company workflow it stamps the latest of the company’s calls and deals', async () => {
    const target = addCompany(world, 'АО «Север»');
    addCall(world, target.id, 40);
    addDeal(world, {
      TITLE: 'Заказ',
      CATEGORY_ID: 0,
      COMPANY_ID: target.id,
      createdTime: new Date(Date.parse(NOW) - 50 * DAY).toISOString(),
      updatedTime: new Date(Date.parse(NOW) - 12 * DAY).toISOString(),
    });

    await runRobot(world, 'comms_stamp', { documentId: ['crm', 'CCrmDocumentCompany', `COMPANY_${target.id}`] });

    expect(stamp(target.id)).toBe(Date.parse(NOW) - 12 * DAY);
  });
});
