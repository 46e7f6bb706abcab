/**
 * The plain approach the bench compares against: the same business rules, written the way a workflow iterator (or a
 * first script) does them — one REST call per item, lists paged with start/next, no batch, no keyset, no candidates
 * filter. Calls go through `callRaw`, which the client never coalesces into a batch.
 */
import { formatIsoDateTime } from '../src/activities/time-zone';
import type { B24 } from '../src/bitrix/types';
import { activityContactDate, companyFacts, dealContactDate, silenceVerdict } from '../robots/comms/contact';
import { isMarkedAbsent, userIdOf } from '../robots/comms/managers';
import { callTaskTitle } from '../robots/comms/plan';
import type { CommsSettings } from '../robots/comms/settings';
import { latest } from '../robots/comms/week';

export interface BaselineOutcome {
  tasks: number;
  deals: number;
  /** Companies processed one by one. */
  companies: number;
  /** Requests made once per run whatever the number of companies (pipeline, list pages). */
  fixedRequests: number;
  fixedMs: number;
}

/** Every row of a list method, page by page with `start` = the previous answer's `next` (PROTOCOL §5.5). */
async function allPages(b24: B24, method: string, params: Record<string, unknown>): Promise<{ rows: Array<Record<string, any>>; pages: number }> {
  const rows: Array<Record<string, any>> = [];
  let pages = 0;
  let start: number | undefined = 0;
  while (start !== undefined) {
    const page: { result: unknown; next?: number } = await b24.callRaw(method, { ...params, start });
    pages += 1;
    rows.push(...((page.result as Array<Record<string, any>>) ?? []));
    start = page.next;
  }
  return { rows, pages };
}

export async function baselineDistribute(b24: B24, settings: CommsSettings, now: Date): Promise<BaselineOutcome> {
  const source = settings.managers;
  const started = performance.now();
  const { rows: elements } = await allPages(b24, 'lists.element.get', { IBLOCK_TYPE_ID: source.iblockTypeId, IBLOCK_CODE: source.iblockCode });
  const today = now.toISOString().slice(0, 10);
  const managers: number[] = [];
  for (const element of elements) {
    const userId = userIdOf(element[source.employeeField]);
    if (userId === null || isMarkedAbsent(element[source.vacationField], today) || isMarkedAbsent(element[source.sickField], today)) continue;
    const [user] = (await b24.callRaw<Array<Record<string, unknown>>>('user.get', { ID: userId })).result;
    if (user && user.ACTIVE !== false) managers.push(userId);
  }
  const { rows: companies, pages } = await allPages(b24, 'crm.company.list', { select: ['ID', 'TITLE'], order: { ID: 'ASC' } });
  const fixedMs = performance.now() - started;
  const capacity = managers.length * settings.perManager;
  let tasks = 0;
  for (const company of companies.slice(0, capacity)) {
    await b24.callRaw('tasks.task.add', {
      fields: {
        TITLE: callTaskTitle(settings.callTaskTitle, String(company.TITLE)),
        RESPONSIBLE_ID: managers[tasks % managers.length],
        UF_CRM_TASK: [`CO_${company.ID}`],
      },
    });
    tasks += 1;
  }
  return { tasks, deals: 0, companies: companies.length, fixedRequests: elements.length + 1 + pages, fixedMs };
}

export async function baselineSweep(
  b24: B24,
  settings: CommsSettings,
  now: Date,
  timeZone: string,
  options: { limit?: number } = {},
): Promise<BaselineOutcome> {
  const started = performance.now();
  const categories = (await b24.callRaw<{ categories: Array<{ id: number; name: string }> }>('crm.category.list', { entityTypeId: 2 })).result;
  const categoryId = Number(categories.categories.find((c) => c.name === settings.servicePipelineName)?.id);
  const { rows: ids, pages } = await allPages(b24, 'crm.company.list', { select: ['ID'], order: { ID: 'ASC' } });
  const outcome: BaselineOutcome = { tasks: 0, deals: 0, companies: 0, fixedRequests: 1 + pages, fixedMs: performance.now() - started };
  for (const { ID } of ids.slice(0, options.limit ?? ids.length)) {
    outcome.companies += 1;
    const company = (await b24.callRaw<Record<string, unknown>>('crm.company.get', { id: ID })).result;
    const facts = companyFacts(company, settings.lastContactField);
    const [activity] = (
      await b24.callRaw<Array<Record<string, unknown>>>('crm.activity.list', {
        filter: { OWNER_TYPE_ID: 4, OWNER_ID: ID, '@TYPE_ID': settings.activityTypes, COMPLETED: 'Y' },
        order: { END_TIME: 'DESC' },
        select: ['ID', 'START_TIME', 'END_TIME'],
      })
    ).result;
    const [deal] = (
      await b24.callRaw<Array<Record<string, unknown>>>('crm.deal.list', {
        filter: { COMPANY_ID: ID },
        order: { DATE_MODIFY: 'DESC' },
        select: ['ID', 'DATE_CREATE', 'DATE_MODIFY'],
      })
    ).result;
    const last = latest(facts.recorded, activity ? activityContactDate(activity, now) : null, deal ? dealContactDate(deal) : null);
    if (!silenceVerdict(facts, last, now, settings.silenceDays).silent) continue;

    const [open] = (
      await b24.callRaw<Array<Record<string, unknown>>>('crm.deal.list', {
        filter: { COMPANY_ID: ID, CATEGORY_ID: categoryId, CLOSED: 'N' },
        select: ['ID'],
      })
    ).result;
    let dealId = open ? Number(open.ID) : null;
    if (dealId !== null) {
      const reminders = (
        await b24.callRaw<{ tasks: unknown[] }>('tasks.task.list', {
          filter: { UF_CRM_TASK: `D_${dealId}`, TITLE: settings.silenceTaskTitle, '!REAL_STATUS': 5 },
          select: ['ID'],
        })
      ).result;
      if (reminders.tasks.length > 0) continue;
    } else {
      dealId = Number(
        (
          await b24.callRaw('crm.deal.add', {
            fields: { TITLE: `${facts.title}: связаться с клиентом`, CATEGORY_ID: categoryId, COMPANY_ID: ID, ASSIGNED_BY_ID: facts.responsibleId ?? 1 },
          })
        ).result,
      );
      outcome.deals += 1;
    }
    await b24.callRaw('tasks.task.add', {
      fields: {
        TITLE: settings.silenceTaskTitle,
        RESPONSIBLE_ID: facts.responsibleId ?? settings.fallbackUserId,
        DEADLINE: formatIsoDateTime(new Date(now.getTime() + settings.silenceTaskDeadlineDays * 86_400_000), timeZone),
        UF_CRM_TASK: [`CO_${ID}`, `D_${dealId}`],
      },
    });
    outcome.tasks += 1;
  }
  return outcome;
}
