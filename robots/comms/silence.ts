/**
 * The silence check of one company (RULES.md §B `comms_check_silence`): one batch request reads the card, the latest
 * call/e-mail and the latest deal; a silent company then gets its service deal and task under the portal-wide silence
 * lock the daily sweep also takes, so a manual check and the sweep never both create a deal for one company.
 */
import type { RobotContext } from '../../src/activities/types';
import { companyContact } from './contact-lookup';
import { silenceVerdict, type SilenceVerdict } from './contact';
import { resolveServicePipeline } from './pipeline';
import { createServiceWork, planServiceWork, type WorkOutcome } from './service-work';
import type { CommsSettings } from './settings';

export const SILENCE_LOCK = 'comms:silence';

export interface CompanySilence extends SilenceVerdict {
  companyId: number;
  title: string;
  /** What was done for a silent company; null when it is not silent. */
  work: (WorkOutcome & { reminded: boolean }) | null;
}

type Ctx = Pick<RobotContext<unknown, CommsSettings>, 'b24' | 'step' | 'exclusive' | 'portal' | 'now'>;

export async function checkCompanySilence(ctx: Ctx, settings: CommsSettings, companyId: number, days: number): Promise<CompanySilence> {
  const now = ctx.now();
  const { facts, lastContact } = await companyContact(ctx.b24, companyId, {
    lastContactField: settings.lastContactField,
    activityTypes: settings.activityTypes,
    now,
  });
  const verdict = silenceVerdict(facts, lastContact, now, days);
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
