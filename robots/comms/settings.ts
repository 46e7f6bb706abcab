/**
 * Per-portal settings of the communication-control and call-distribution rule (RULES.md §B, seed 001), shared by
 * `comms_stamp`, `comms_check_silence`, `comms_sweep` and `calls_distribute`, stored under the key `comms`.
 * Every portal-specific id (pipeline, stage, list, fields, department) has a default or is looked up by name.
 */
import type { SettingsModule } from '../../src/activities/types';

/**
 * Where the managers come from. One flat object, not a union: the runtime merges a portal's settings over the
 * defaults key by key, so a portal switching to a department only stores `{source: 'department', departmentId: 7}`.
 */
export interface ManagersSource {
  /** `list`: a universal list (lists.element.get); `department`: the active employees of a department (user.get). */
  source: 'list' | 'department';
  /** lists.element.get IBLOCK_TYPE_ID: `lists` for universal lists (PROTOCOL §6.8). */
  iblockTypeId: string;
  /** The list by code (`managers`) or, when set, by id. */
  iblockCode: string;
  iblockId: number | null;
  /** Element field holding the employee (a «Привязка к сотруднику» property), e.g. `PROPERTY_101`. */
  employeeField: string;
  /** Element fields marking an absence (a Y/N flag, a yes/no list value, or a date range «с … по …»); '' = not used. */
  vacationField: string;
  sickField: string;
  /** For `department`: UF_DEPARTMENT id. */
  departmentId: number | null;
}

export interface CommsSettings {
  /** A company with no communication for this many days is silent (seed: 90). */
  silenceDays: number;
  /** Company field the stamp writes the latest communication date to (a date/time user field). */
  lastContactField: string;
  /** Activity TYPE_IDs that count as communication, completed only (PROTOCOL §6.5: 2 call, 4 e-mail). */
  activityTypes: number[];
  /** Client-service deal pipeline: by id, or looked up by name. */
  servicePipelineId: number | null;
  servicePipelineName: string;
  /** Stage of a new service deal; null: the pipeline's first stage. */
  serviceStageId: string | null;
  /** Title of the silence task, also how the robot finds its open reminder again. */
  silenceTaskTitle: string;
  silenceTaskDeadlineDays: number;
  /** Who gets the silence task and deal when a company has no responsible. */
  fallbackUserId: number;
  managers: ManagersSource;
  /** Companies per active manager per week (seed: 30). */
  perManager: number;
  /** Call task title; `{company}` is replaced with the company name. */
  callTaskTitle: string;
  /** Deadline of a call task: this many days after the week's Monday, at `callTaskDeadlineHour` portal time. */
  callTaskDeadlineDays: number;
  callTaskDeadlineHour: number;
  /** Extra crm.company.list filter deciding which companies are in the call queue ({} = all companies). */
  queueFilter: Record<string, unknown>;
}

export const commsDefaults: CommsSettings = {
  silenceDays: 90,
  lastContactField: 'UF_CRM_LAST_CONTACT',
  activityTypes: [2, 4],
  servicePipelineId: null,
  servicePipelineName: 'Клиентский сервис',
  serviceStageId: null,
  silenceTaskTitle: 'Связаться с клиентом',
  silenceTaskDeadlineDays: 3,
  fallbackUserId: 1,
  managers: {
    source: 'list',
    iblockTypeId: 'lists',
    iblockCode: 'managers',
    iblockId: null,
    // The property ids of the «Менеджеры» list as a young portal numbers them (the sandbox seed: Сотрудник 101,
    // В отпуске 102, На больничном 103). lists.element.get names properties only by id (PROTOCOL §6.8), so a portal
    // whose list was made with other ids sets its own.
    employeeField: 'PROPERTY_101',
    vacationField: 'PROPERTY_102',
    sickField: 'PROPERTY_103',
    departmentId: null,
  },
  perManager: 30,
  callTaskTitle: 'Позвонить клиенту: {company}',
  callTaskDeadlineDays: 4,
  callTaskDeadlineHour: 18,
  queueFilter: {},
};

// Field codes as legacy crm.* and lists.* methods spell them (PROTOCOL §6.2, §6.8): upper case.
const fieldCode = (fallback: string, allowEmpty = false) => ({
  type: 'string',
  pattern: allowEmpty ? '^([A-Z][A-Z0-9_]*)?$' : '^[A-Z][A-Z0-9_]*$',
  default: fallback,
});
const nullable = (schema: Record<string, unknown>, fallback: unknown) => ({ anyOf: [schema, { type: 'null' }], default: fallback });
const managers = commsDefaults.managers;

export const commsSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    silenceDays: { type: 'integer', minimum: 1, maximum: 3650, default: commsDefaults.silenceDays },
    lastContactField: fieldCode(commsDefaults.lastContactField),
    activityTypes: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'integer', minimum: 1 },
      default: commsDefaults.activityTypes,
    },
    // Deals' default pipeline has id 0 (PROTOCOL §6.4).
    servicePipelineId: nullable({ type: 'integer', minimum: 0 }, null),
    servicePipelineName: { type: 'string', minLength: 1, default: commsDefaults.servicePipelineName },
    serviceStageId: nullable({ type: 'string', minLength: 1 }, null),
    silenceTaskTitle: { type: 'string', minLength: 1, default: commsDefaults.silenceTaskTitle },
    silenceTaskDeadlineDays: { type: 'integer', minimum: 0, maximum: 365, default: commsDefaults.silenceTaskDeadlineDays },
    fallbackUserId: { type: 'integer', minimum: 1, default: commsDefaults.fallbackUserId },
    managers: {
      type: 'object',
      additionalProperties: false,
      properties: {
        source: { enum: ['list', 'department'], default: managers.source },
        iblockTypeId: { type: 'string', minLength: 1, default: managers.iblockTypeId },
        iblockCode: { type: 'string', minLength: 1, default: managers.iblockCode },
        iblockId: nullable({ type: 'integer', minimum: 1 }, null),
        employeeField: fieldCode(managers.employeeField),
        vacationField: fieldCode(managers.vacationField, true),
        sickField: fieldCode(managers.sickField, true),
        departmentId: nullable({ type: 'integer', minimum: 1 }, null),
      },
      default: managers,
    },
    perManager: { type: 'integer', minimum: 1, maximum: 5000, default: commsDefaults.perManager },
    callTaskTitle: { type: 'string', minLength: 1, default: commsDefaults.callTaskTitle },
    callTaskDeadlineDays: { type: 'integer', minimum: 0, maximum: 6, default: commsDefaults.callTaskDeadlineDays },
    callTaskDeadlineHour: { type: 'integer', minimum: 0, maximum: 23, default: commsDefaults.callTaskDeadlineHour },
    queueFilter: { type: 'object', default: commsDefaults.queueFilter },
  },
};

export const commsSettings: SettingsModule<CommsSettings> = {
  key: 'comms',
  schema: commsSchema,
  defaults: commsDefaults,
};

/** The settings a handler works with: what the runtime merged, with any gap filled from the defaults. */
export function withDefaults(settings: Partial<CommsSettings> | null | undefined): CommsSettings {
  const given = settings ?? {};
  const merged: CommsSettings = { ...commsDefaults };
  for (const [key, value] of Object.entries(given)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  merged.managers = { ...commsDefaults.managers, ...(given.managers ?? {}) };
  return merged;
}
