/**
 * The onboarding deal: `[Company] / [Tariff] / [Месяц ГГГГ]` in the onboarding pipeline's first stage, at most one per
 * company per month. The month is the company's creation month in the portal's time zone.
 *
 * Exactly once, even when the check robot, the event subscription and an admin's manual run race each other, or a
 * run is retried after a crash between `crm.deal.add` and `bizproc.event.send`: the search and the add run under a
 * portal-wide lock per company and month, and inside a step, and the search finds a deal another run created.
 */
import type { RobotContext } from '../../src/activities/types';
import type { B24 } from '../../src/bitrix/types';
import type { Tariff } from './check';
import { monthKey, monthLabel, type Month } from './month';
import type { DealPipeline } from './pipeline';
import type { OnboardingSettings } from './settings';

export interface OnboardingDeal {
  id: number;
  title: string;
  /** False when an existing deal was found (a rerun, a race, a retry). */
  created: boolean;
}

export interface DealInput {
  companyId: number;
  companyTitle: string;
  tariff: Tariff;
  /** Copied only for individual tariffs. */
  cost: number | null;
  assigneeId: number;
  month: Month;
}

export function dealTitle(companyTitle: string, tariffName: string, month: Month): string {
  return `${companyTitle.trim()} / ${tariffName} / ${monthLabel(month)}`;
}

type Ctx = Pick<RobotContext<unknown, OnboardingSettings>, 'b24' | 'step' | 'exclusive'>;

export async function findMonthDeal(
  b24: B24,
  settings: OnboardingSettings,
  categoryId: number,
  companyId: number,
  month: Month,
): Promise<{ id: number; title: string } | null> {
  // crm.deal.list: legacy filter on COMPANY_ID, CATEGORY_ID and the month UF field; rows are strings (PROTOCOL §6.2).
  const rows = await b24.call<Array<Record<string, unknown>>>('crm.deal.list', {
    filter: { COMPANY_ID: companyId, CATEGORY_ID: categoryId, [settings.dealMonthField]: monthLabel(month) },
    select: ['ID', 'TITLE'],
    order: { ID: 'ASC' },
  });
  const first = (rows ?? [])[0];
  return first ? { id: Number(first.ID), title: String(first.TITLE ?? '') } : null;
}

export async function ensureMonthDeal(
  ctx: Ctx,
  settings: OnboardingSettings,
  pipeline: DealPipeline,
  input: DealInput,
): Promise<OnboardingDeal> {
  const title = dealTitle(input.companyTitle, input.tariff.name, input.month);
  const key = `onboarding-deal:${input.companyId}:${monthKey(input.month)}`;
  return ctx.exclusive(key, () =>
    ctx.step(key, async () => {
      const existing = await findMonthDeal(ctx.b24, settings, pipeline.categoryId, input.companyId, input.month);
      if (existing) return { ...existing, created: false };
      const fields: Record<string, unknown> = {
        TITLE: title,
        CATEGORY_ID: pipeline.categoryId,
        STAGE_ID: pipeline.stageId,
        COMPANY_ID: input.companyId,
        ASSIGNED_BY_ID: input.assigneeId,
        OPENED: 'Y',
        [settings.dealTariffField]: input.tariff.name,
        [settings.dealMonthField]: monthLabel(input.month),
      };
      if (input.tariff.price === null && input.cost !== null) fields[settings.dealCostField] = input.cost;
      // crm.deal.add answers {"result": <new id>} (PROTOCOL §6.2).
      const id = Number(await ctx.b24.call('crm.deal.add', { fields, params: { REGISTER_SONET_EVENT: 'Y' } }));
      if (!Number.isInteger(id) || id <= 0) throw new Error('crm.deal.add answered without a deal id');
      return { id, title, created: true };
    }),
  );
}
