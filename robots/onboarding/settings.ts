/**
 * Per-portal settings of the onboarding rule (RULES.md §A), shared by `onboarding_check_company` and
 * `onboarding_create_deal`. Every portal-specific code (fields, pipeline, stage) has a default taken from the
 * seed (case 004) and can be overridden in the portal's settings under the key `onboarding`.
 */
import type { SettingsModule } from '../../src/activities/types';

/** One row of the tariff table: the monthly price, or `null` for an individual tariff priced on the company card. */
export interface TariffRow {
  name: string;
  price: number | null;
}

/**
 * The tariff table is a list, not a name → price object: the runtime merges a portal's settings over the defaults key
 * by key but replaces arrays, so a portal's own table replaces the default one instead of being mixed into it.
 */
export type TariffTable = TariffRow[];

export interface OnboardingSettings {
  /** Company field holding the tariff type (its value is a tariff name of `tariffs`). */
  companyTariffField: string;
  /** Company field holding the cost (required for individual tariffs, must match the table for fixed ones). */
  companyCostField: string;
  dealTariffField: string;
  /** Deal field for the cost: filled only for individual tariffs. */
  dealCostField: string;
  /** Deal field for the service month, written as «Январь 2025»; also the key that keeps one deal per company per month. */
  dealMonthField: string;
  /** Deal pipeline (crm.category id); null: looked up by `pipelineName`. */
  pipelineId: number | null;
  pipelineName: string;
  /** First stage (STATUS_ID such as `C3:NEW`); null: looked up by `stageName` in the pipeline. */
  stageId: string | null;
  stageName: string;
  tariffs: TariffTable;
  /** Who gets the task and the deal when the company has no responsible. */
  fallbackUserId: number;
  taskDeadlineDays: number;
  /** Title of the reminder task; also how the robot finds its own open task again (with the company binding). */
  taskTitle: string;
  /** Company events start onboarding only for companies created within this many hours (or waiting for data):
   *  editing an old client never creates an onboarding deal. */
  newCompanyHours: number;
}

export const onboardingDefaults: OnboardingSettings = {
  companyTariffField: 'UF_CRM_TARIFF_TYPE',
  companyCostField: 'UF_CRM_TARIFF_COST',
  dealTariffField: 'UF_CRM_TARIFF_TYPE',
  dealCostField: 'UF_CRM_TARIFF_COST',
  dealMonthField: 'UF_CRM_SERVICE_MONTH',
  pipelineId: null,
  pipelineName: 'Работа по бухгалтерскому аутсорсингу',
  stageId: null,
  stageName: 'Новая',
  tariffs: [
    { name: 'Базовый', price: 3000 },
    { name: 'Стандарт', price: 6000 },
    { name: 'Премиум', price: 12000 },
    { name: 'Индивидуальный', price: null },
  ],
  fallbackUserId: 1,
  taskDeadlineDays: 3,
  taskTitle: 'Заполнить данные компании для онбординга',
  newCompanyHours: 24,
};

// Field codes as Bitrix24 spells them in legacy crm.* methods (PROTOCOL §6.2/§6.3): upper case.
const fieldCode = (fallback: string) => ({ type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', default: fallback });
const nullable = (schema: Record<string, unknown>, fallback: unknown) => ({
  anyOf: [schema, { type: 'null' }],
  default: fallback,
});

export const onboardingSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    companyTariffField: fieldCode(onboardingDefaults.companyTariffField),
    companyCostField: fieldCode(onboardingDefaults.companyCostField),
    dealTariffField: fieldCode(onboardingDefaults.dealTariffField),
    dealCostField: fieldCode(onboardingDefaults.dealCostField),
    dealMonthField: fieldCode(onboardingDefaults.dealMonthField),
    // Deals' default pipeline has id 0 (PROTOCOL §6.4).
    pipelineId: nullable({ type: 'integer', minimum: 0 }, null),
    pipelineName: { type: 'string', minLength: 1, default: onboardingDefaults.pipelineName },
    stageId: nullable({ type: 'string', minLength: 1 }, null),
    stageName: { type: 'string', minLength: 1, default: onboardingDefaults.stageName },
    tariffs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'price'],
        properties: {
          name: { type: 'string', minLength: 1 },
          price: { anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'null' }] },
        },
      },
      default: onboardingDefaults.tariffs,
    },
    fallbackUserId: { type: 'integer', minimum: 1, default: onboardingDefaults.fallbackUserId },
    taskDeadlineDays: { type: 'integer', minimum: 0, maximum: 365, default: onboardingDefaults.taskDeadlineDays },
    taskTitle: { type: 'string', minLength: 1, default: onboardingDefaults.taskTitle },
    newCompanyHours: { type: 'number', minimum: 0, default: onboardingDefaults.newCompanyHours },
  },
};

export const onboardingSettings: SettingsModule<OnboardingSettings> = {
  key: 'onboarding',
  schema: onboardingSchema,
  defaults: onboardingDefaults,
};

/** The settings a handler works with: what the runtime merged, with any gap filled from the defaults. */
export function withDefaults(settings: Partial<OnboardingSettings> | null | undefined): OnboardingSettings {
  const merged = { ...onboardingDefaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(settings ?? {})) if (value !== undefined) merged[key] = value;
  return merged as unknown as OnboardingSettings;
}
