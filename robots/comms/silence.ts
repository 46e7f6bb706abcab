/**
 * The silence check of one company (RULES.md §B `comms_check_silence`): one batch request reads the card, the latest
 * call/e-mail and the latest deal; a silent company then gets its service deal and task under the portal-wide silence
 * lock the daily sweep also takes, so a manual check and the sweep never both create a deal for one company.
 */
import { formatIsoDateTime } from '../../src/activities/time-zone';
import type { RobotContext } from '../../src/activities/types';
import { companyContact } from './contact-lookup';
import { silenceVerdict, type SilenceVerdict } from './contact';
import { resolveServicePipeline } from './pipeline';
import { createServiceWork, dealsWithoutReminder, planServiceWork, type WorkOutcome } from './service-work';
import type { CommsSettings } from './settings';
import { daysAfter, daysBefore } from './week';

export const SILENCE_LOCK = 'comms:silence';

export interface CompanySilence extends SilenceVerdict {
  companyId: number;
  title: string;
  /** What was done for a silent company; null when it is not silent. */
  work: (WorkOutcome & { reminded: boolean }) | null;
}

type Ctx = Pick<RobotContext<unknown, CommsSettings>, 'b24' | 'step' | 'exclusive' | 'portal' | 'now' | 'run'>;

/** A retried run whose first attempt made the deal but not the task: the new deal hides the silence, finish the job. */
async function unfinishedByEarlierAttempt(ctx: Ctx, settings: CommsSettings, companyId: number): Promise<boolean> {
  if (ctx.run.attempt <= 1) return false;
  const pipeline = await resolveServicePipeline(ctx.b24, settings);
  const since = formatIsoDateTime(daysBefore(ctx.now(), 1), ctx.portal.timeZone);
  return (await dealsWithoutReminder(ctx.b24, pipeline.categoryId, since, settings.silenceTaskTitle, [companyId])).has(companyId);
}

export async function checkCompanySilence(ctx: Ctx, settings: CommsSettings, companyId: number, days: number): Promise<CompanySilence> {
  const now = ctx.now();
  const { facts, lastContact } = await companyContact(ctx.b24, companyId, {
    lastContactField: settings.lastContactField,
    activityTypes: settings.activityTypes,
    now,
  });
  let verdict = silenceVerdict(facts, lastContact, now, days);
  if (!verdict.silent && (await unfinishedByEarlierAttempt(ctx, settings, companyId))) {
    verdict = { silent: true, lastContact, nextCheck: daysAfter(now, days) };
  }
  const out: CompanySilence = { ...verdict, companyId, title: facts.title, work: null };
  if (!verdict.silent) return out;

  out.work = await ctx.exclusive(SILENCE_LOCK, () =>
    ctx.step(`silence:${companyId}`, async () => {
      const pipeline = await resolveServicePipeline(ctx.b24, settings);
      const work = await planServiceWork(ctx.b24, [companyId], pipeline.categoryId, settings.silenceTaskTitle);
      const planned = work.get(companyId)!;
      if (planned.reminded) {
        return { companyId, dealId: planned.openDealId, dealCreated: false, taskId: null, error: null, reminded: true };
      }
      const [done] = await createServiceWork(
        ctx.b24,
        [{ id: companyId, title: facts.title, responsibleId: facts.responsibleId, lastContact }],
        work,
        { settings: { ...settings, silenceDays: days }, pipeline, now, timeZone: ctx.portal.timeZone, portalDomain: ctx.portal.domain },
      );
      return { ...done, reminded: false };
    }),
  );
  return out;
}
