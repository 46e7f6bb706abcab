/**
 * The daily silence sweep over every company (RULES.md §B: "a portal with 100 000 companies is covered without one
 * waiting workflow per company"). Cost grows with the number of companies that need work, not with the base:
 *  1. keyset enumeration of crm.company.list with only the fields the verdict needs — 2500 companies a request;
 *  2. companies whose card dates (stamp field, LAST_COMMUNICATION_TIME, creation) are recent are done;
 *  3. the other candidates are checked for calls/e-mails and deals since the threshold, 50 companies a sub-call;
 *  4. the silent ones get open-deal and reminder checks (50 a sub-call) and their deals and tasks (25 a request).
 * Step 4 runs under the silence lock that `comms_check_silence` takes too. It is idempotent by the data itself: a
 * company that got its deal today has a deal since the threshold, so a rerun or a retried run leaves it alone; each
 * creation batch is also a step keyed by its companies.
 */
import type { RobotContext } from '../../src/activities/types';
import { formatIsoDate, formatIsoDateTime } from '../../src/activities/time-zone';
import { companyFacts, companySelect, silenceVerdict } from './contact';
import { recentContacts } from './contact-lookup';
import { chunks } from './list-queries';
import { resolveServicePipeline } from './pipeline';
import { COMPANIES_PER_BATCH, createServiceWork, dealsWithoutReminder, planServiceWork, type SilentCompany } from './service-work';
import type { CommsSettings } from './settings';
import { SILENCE_LOCK } from './silence';
import { daysBefore } from './week';

export interface SweepResult {
  companies: number;
  candidates: number;
  silent: number;
  dealsCreated: number;
  tasksCreated: number;
  /** Silent companies whose open service deal already has an open reminder. */
  alreadyReminded: number;
  errors: Array<{ companyId: number; error: string }>;
  logMessage: string;
}

type Ctx = Pick<RobotContext<unknown, CommsSettings>, 'b24' | 'step' | 'exclusive' | 'portal' | 'now' | 'log' | 'run'>;

export async function sweepSilence(ctx: Ctx, settings: CommsSettings): Promise<SweepResult> {
  const now = ctx.now();
  const timeZone = ctx.portal.timeZone;
  const days = settings.silenceDays;
  const since = daysBefore(now, days);
  const result: SweepResult = { companies: 0, candidates: 0, silent: 0, dealsCreated: 0, tasksCreated: 0, alreadyReminded: 0, errors: [], logMessage: '' };

  const candidates = new Map<number, SilentCompany>();
  for await (const page of ctx.b24.listPages<Record<string, unknown>>('crm.company.list', {
    filter: {},
    select: companySelect(settings.lastContactField),
  })) {
    result.companies += page.length;
    for (const row of page) {
      const facts = companyFacts(row, settings.lastContactField);
      if (!silenceVerdict(facts, facts.recorded, now, days).silent) continue;
      candidates.set(facts.id, { id: facts.id, title: facts.title, responsibleId: facts.responsibleId, lastContact: facts.recorded });
    }
  }
  result.candidates = candidates.size;

  const recent = await recentContacts(ctx.b24, [...candidates.keys()], since, { activityTypes: settings.activityTypes, timeZone, now });
  // A retried run: deals an interrupted attempt made in the last day without their task still need the task.
  const unfinished =
    ctx.run.attempt > 1
      ? await dealsWithoutReminder(
          ctx.b24,
          (await resolveServicePipeline(ctx.b24, settings)).categoryId,
          formatIsoDateTime(daysBefore(now, 1), timeZone),
          settings.silenceTaskTitle,
        )
      : new Map<number, number>();
  const silent = [...candidates.values()].filter((company) => !recent.has(company.id) || unfinished.has(company.id));
  result.silent = silent.length;

  if (silent.length > 0) {
    await ctx.exclusive(SILENCE_LOCK, async () => {
      const pipeline = await resolveServicePipeline(ctx.b24, settings);
      const work = await planServiceWork(ctx.b24, silent.map((company) => company.id), pipeline.categoryId, settings.silenceTaskTitle);
      const day = formatIsoDate(now, timeZone);
      for (const group of chunks(silent, COMPANIES_PER_BATCH)) {
        const key = `silence:${day}:${group[0].id}-${group[group.length - 1].id}:${group.length}`;
        const outcomes = await ctx.step(key, () =>
          createServiceWork(ctx.b24, group, work, { settings, pipeline, now, timeZone, portalDomain: ctx.portal.domain }),
        );
        for (const outcome of outcomes) {
          if (outcome.dealCreated) result.dealsCreated += 1;
          if (outcome.taskId) result.tasksCreated += 1;
          if (outcome.error) result.errors.push({ companyId: outcome.companyId, error: outcome.error });
        }
      }
      result.alreadyReminded = [...work.values()].filter((item) => item.reminded).length;
    });
  }

  const errorsNote = result.errors.length
    ? ` Ошибки (${result.errors.length}): ${result.errors.slice(0, 5).map((e) => `компания ${e.companyId} — ${e.error}`).join('; ')}.`
    : '';
  result.logMessage =
    `Проверено компаний: ${result.companies}; без связи ${days}+ дней: ${result.silent}. ` +
    `Создано сделок: ${result.dealsCreated}, задач: ${result.tasksCreated}` +
    (result.alreadyReminded ? `, уже в работе: ${result.alreadyReminded}` : '') +
    `.${errorsNote}`;
  return result;
}
