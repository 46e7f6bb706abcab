/**
 * Which event-driven runs the deal robot acts on. The service subscribes to ONCRMCOMPANYADD and ONCRMCOMPANYUPDATE
 * (event.bind), and every edit of every company raises an update. The robot acts on a company that
 * - failed the check earlier (marked pending): the re-run after a manager fixes the card (RULES.md §A), or
 * - is new (created within `newCompanyHours`) and unknown to onboarding: the add event, or the first edits of a fresh card.
 * A company with its deal already made, or an old client whose phone was edited, is skipped.
 */
import type { RobotContext } from '../../src/activities/types';
import { companyMarkKey, type CompanyMark } from './company-check';
import { readCompany } from './document';
import { parseRestDate } from './month';
import type { OnboardingSettings } from './settings';

export type EventDecision =
  | { handle: true }
  | { handle: false; reason: string };

type Ctx = Pick<RobotContext<unknown, OnboardingSettings>, 'b24' | 'state' | 'run' | 'now'>;

export function isEventRun(ctx: Pick<Ctx, 'run'>): boolean {
  return ctx.run.source === 'event';
}

export async function decideEventRun(ctx: Ctx, settings: OnboardingSettings, companyId: number): Promise<EventDecision> {
  if (!isEventRun(ctx)) return { handle: true };
  const mark = await ctx.state.get<CompanyMark>(companyMarkKey(companyId));
  if (mark?.status === 'pending') return { handle: true };
  if (mark?.status === 'done') return { handle: false, reason: `сделка онбординга уже создана (#${mark.dealId ?? '?'})` };
  const { company } = await readCompany(ctx.b24, companyId);
  const created = parseRestDate(company.DATE_CREATE);
  const ageHours = created ? (ctx.now().getTime() - created.getTime()) / 3_600_000 : Infinity;
  if (ageHours > settings.newCompanyHours) {
    return { handle: false, reason: `компания создана раньше ${settings.newCompanyHours} ч назад и не ждёт онбординга` };
  }
  return { handle: true };
}
