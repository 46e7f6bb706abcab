/**
 * What a robot author writes (`defineRobot`) and what its handler receives (`RobotContext`).
 * The runtime (coercion, validation, manifests, worker) is built on these types.
 */
import type { B24 } from '../bitrix/types';

/** A text in several languages; `ru` and `en` are always given. Registered as `NAME: {ru, en}`. */
export type Localized = { ru: string; en: string } & Record<string, string>;

/** Bitrix24 base property types (PROTOCOL §1.3). */
export type PropertyType = 'bool' | 'date' | 'datetime' | 'double' | 'file' | 'int' | 'select' | 'string' | 'text' | 'user';

export interface PropertyDefinition {
  type: PropertyType;
  name: Localized;
  description?: Localized;
  required?: boolean;
  multiple?: boolean;
  /** Default value, in the coerced form (a number for int/user, a boolean for bool, an option key for select). */
  default?: unknown;
  /** For `select`: option key → label. The key is what is sent and stored. */
  options?: Record<string, Localized | string>;
}

export type PropertyMap = Record<string, PropertyDefinition>;

/** Coerced value type of one property. */
type ScalarOf<T extends PropertyType> = T extends 'bool'
  ? boolean
  : T extends 'date' | 'datetime'
    ? Date
    : T extends 'double' | 'int' | 'user' | 'file'
      ? number
      : string;

type ValueOf<P extends PropertyDefinition> = P['multiple'] extends true ? ScalarOf<P['type']>[] : ScalarOf<P['type']>;

/** The typed `input` of a handler: required properties are present, the others may be undefined. */
export type InputOf<P extends PropertyMap> = {
  [K in keyof P]: P[K]['required'] extends true ? ValueOf<P[K]> : ValueOf<P[K]> | undefined;
};

/** Where a robot can be used; maps to DOCUMENT_TYPE / FILTER of the registration. */
export type DocumentKind = 'lead' | 'deal' | 'contact' | 'company' | 'smart_invoice' | 'dynamic' | 'quote';

/** The document the robot runs on, parsed from `document_id`. */
export interface DocumentRef {
  /** e.g. ['crm', 'CCrmDocumentDeal', 'DEAL_12'] */
  raw: string[];
  kind: DocumentKind | 'other';
  /** Numeric id from the trailing `_(\d+)$` of document_id[2]. */
  id: number;
  /** CRM entityTypeId: 1 lead, 2 deal, 3 contact, 4 company, 31 smart invoice, ≥128 dynamic. */
  entityTypeId: number | null;
}

export interface PortalInfo {
  memberId: string;
  domain: string;
  timeZone: string;
  culture: string;
}

export interface RobotLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** The one object a handler gets. */
export interface RobotContext<I = Record<string, unknown>, S = Record<string, unknown>> {
  input: I;
  /** Null for runs without a document (scheduled jobs). */
  document: DocumentRef | null;
  portal: PortalInfo;
  /** Client scoped to this portal and the run's user. */
  b24: B24;
  /** Runs a side effect once per run: the result is stored before the next step; a retried run gets the stored result. */
  step<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Runs fn under a portal-wide lock named `key` (across runs and instances), e.g. one deal per company per month. */
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Per-portal settings of this robot's module, validated and merged with defaults. */
  settings: S;
  /** Per-portal small state (cursors, markers). */
  state: {
    get<T = unknown>(key: string): Promise<T | null>;
    set(key: string, value: unknown): Promise<void>;
  };
  log: RobotLogger;
  now(): Date;
  run: { id: string; workflowId: string | null; attempt: number; source: string };
}

/** What a handler may return: its own values; `Result` defaults to 'ok', `Error` to ''. */
export type RobotReturn = Record<string, unknown> & { Result?: 'ok' | 'skipped' | 'error'; Error?: string; LogMessage?: string };

export interface RobotDefinition<P extends PropertyMap = PropertyMap, S = any> {
  /** CODE sent to Bitrix24: `^[a-z0-9.\-_]+$`, ≤ 128 chars, unique across robots and activities of the app. */
  code: string;
  name: Localized;
  description: Localized;
  /** Where it may be used. A robot is registered only if some kind has automation (not company/contact). */
  documentTypes: DocumentKind[];
  properties: P;
  returns: PropertyMap;
  /** Wait for event.send (default true). */
  useSubscription?: boolean;
  /** Register with bizproc.robot.add (default: true when documentTypes has a kind with automation). */
  robot?: boolean;
  /** Register with bizproc.activity.add (default true). A robot and an activity of one app cannot share a CODE
   *  (PROTOCOL §1.1), so the activity is registered as `<code>_bp`; both use the handler `${PUBLIC_URL}/robots/<code>`. */
  activity?: boolean;
  /** Per-portal settings shared by the robots of one rule (e.g. 'onboarding'), validated against `settings.schema`. */
  settings?: SettingsModule<S>;
  /** Run on its own for every installed portal (scheduler, portal time zone), e.g. `{cron: '0 9 * * 1'}` for Mondays
   *  09:00. A portal may override it in its settings: `schedules.<code>` = cron or "off". */
  schedule?: { cron: string; description?: string };
  /** Portal events (event.bind, upper case) that start a run of this robot, e.g. ['ONCRMCOMPANYADD', 'ONCRMCOMPANYUPDATE'].
   *  The run's document is the entity of the event (`['crm','CCrmDocumentCompany','COMPANY_<id>']`); for ONCRMACTIVITY*
   *  it is `['crm','CCrmActivity','ACTIVITY_<id>']` (kind 'other', id = the activity id). No workflow, no event.send. */
  events?: string[];
  handler(ctx: RobotContext<InputOf<P>, S>): Promise<RobotReturn>;
}

/** A per-portal settings module: a JSON schema (ajv) with defaults, shared by the robots of one business rule. */
export interface SettingsModule<S = any> {
  /** Key in the portal's settings object, e.g. 'onboarding'. */
  key: string;
  /** JSON schema of the module's settings object (every property with a `default`). */
  schema: Record<string, unknown>;
  /** Defaults, applied under what the portal stored. */
  defaults: S;
}
