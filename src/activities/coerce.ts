/**
 * Wire → typed input. Bitrix24 sends every property as a string, externalised by its type (PROTOCOL §2.5):
 * numbers as strings, bool as `Y`/`N`, users as `user_<id>`, dates in the portal's culture format, a multiple value
 * as an array (or an object with numeric keys, depending on the form parser), an unset value as `''`.
 * Values that cannot be read are left as received: the ajv validator then names the property and the problem.
 */
import { isPortalDefault } from './define-robot';
import { propertyIssue, type PropertyIssue } from './issues';
import { startOfDay } from './time-zone';
import type { PropertyDefinition, PropertyMap } from './types';
import { parseWireDate } from './wire-date';

export interface CoerceOptions {
  /** The portal's IANA time zone: dates without an offset are its local time. */
  timeZone: string;
}

export interface CoerceResult {
  values: Record<string, unknown>;
  /** Problems coercion can word better than a type check (e.g. a group picked where users are expected). */
  issues: PropertyIssue[];
}

/** Marks an unset value: absent, null, or an empty/blank string (how Bitrix24 sends an unset property). */
const MISSING = Symbol('missing');

class CoercionProblem {
  constructor(
    readonly ru: string,
    readonly en: string,
  ) {}
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** `{0: 'a', 1: 'b'}` (a bracket form parsed without array detection) → `['a', 'b']`, ordered by key. */
function numericKeyedToArray(value: unknown): unknown[] | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) return null;
  const keys = Object.keys(value);
  if (keys.length === 0 || !keys.every((key) => /^\d+$/.test(key))) return null;
  return keys.sort((a, b) => Number(a) - Number(b)).map((key) => (value as Record<string, unknown>)[key]);
}

/** Removes spaces used as thousands separators ("1 000", with NBSP or thin space). */
function compactNumber(text: string): string {
  return text.trim().replace(/[\s\u00a0\u202f]/g, '');
}

function toInteger(value: unknown): unknown {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return value;
  const text = compactNumber(value);
  if (/^[+-]?\d+(\.0+)?$/.test(text)) return Number(text);
  return value;
}

function toDouble(value: unknown): unknown {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return value;
  let text = compactNumber(value);
  if (!text.includes('.') && /^[+-]?\d*,\d+$/.test(text)) text = text.replace(',', '.'); // ru decimal comma: 12,5
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text);
  return value;
}

function toBoolean(value: unknown): unknown {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return value;
  const text = value.trim().toLowerCase();
  if (['y', '1', 'true'].includes(text)) return true;
  if (['n', '0', 'false'].includes(text)) return false;
  return value;
}

function toUser(value: unknown): unknown {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return value;
  const text = value.trim();
  // Bizproc user codes are `user_<id>`; numeric ids come with Settings.ExternalExtract (§2.5).
  const match = /^(?:user_)?(\d+)$/i.exec(text);
  if (match) return Number(match[1]);
  if (/^group_/i.test(text)) {
    throw new CoercionProblem(
      `выбрана группа «${text}», а нужны конкретные сотрудники`,
      `a group ("${text}") was picked where users are expected`,
    );
  }
  return value;
}

function toDate(value: unknown, dateOnly: boolean, options: CoerceOptions): unknown {
  if (value instanceof Date) return dateOnly ? startOfDay(value, options.timeZone) : value;
  if (typeof value !== 'string') return value;
  return parseWireDate(value, { timeZone: options.timeZone, dateOnly }) ?? value;
}

function coerceScalar(prop: PropertyDefinition, value: unknown, options: CoerceOptions): unknown {
  switch (prop.type) {
    case 'string':
    case 'text':
      return typeof value === 'number' ? String(value) : value;
    case 'select':
      if (typeof value === 'number') return String(value);
      return typeof value === 'string' ? value.trim() : value;
    case 'int':
      return toInteger(value);
    case 'file':
      return toInteger(value);
    case 'double':
      return toDouble(value);
    case 'bool':
      return toBoolean(value);
    case 'user':
      return toUser(value);
    case 'date':
      return toDate(value, true, options);
    case 'datetime':
      return toDate(value, false, options);
  }
}

function copyDefault(value: unknown): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map(copyDefault);
  return value;
}

/** The default in its coerced form, or MISSING when there is none the service can apply. */
function defaultOf(prop: PropertyDefinition, options: CoerceOptions): unknown {
  if (prop.default === undefined || isPortalDefault(prop, prop.default)) return MISSING;
  if (prop.multiple) {
    const list = Array.isArray(prop.default) ? prop.default : [prop.default];
    return list.map((item) => coerceScalar(prop, copyDefault(item), options));
  }
  return coerceScalar(prop, copyDefault(prop.default), options);
}

/** Coerces one property; returns MISSING when it is unset and has no default. */
export function coerceValue(prop: PropertyDefinition, raw: unknown, options: CoerceOptions): unknown {
  if (prop.multiple) {
    const list = Array.isArray(raw) ? raw : (numericKeyedToArray(raw) ?? (isBlank(raw) ? [] : [raw]));
    const present = list.filter((item) => !isBlank(item));
    if (present.length === 0) return defaultOf(prop, options);
    return present.map((item) => coerceScalar(prop, item, options));
  }
  let value = raw;
  const asList = Array.isArray(raw) ? raw : numericKeyedToArray(raw);
  if (asList) {
    const present = asList.filter((item) => !isBlank(item));
    // A one-element list for a single property (a designer quirk) is read as that element; more stay a list and fail.
    value = present.length === 0 ? undefined : present.length === 1 ? present[0] : present;
  }
  if (isBlank(value)) return defaultOf(prop, options);
  return coerceScalar(prop, value, options);
}

/** Coerces every defined property of a robot call; unknown wire keys are dropped. */
export function coerceInput(
  properties: PropertyMap,
  raw: Record<string, unknown> | null | undefined,
  options: CoerceOptions,
): CoerceResult {
  const values: Record<string, unknown> = {};
  const issues: PropertyIssue[] = [];
  const source = raw ?? {};
  for (const [code, prop] of Object.entries(properties)) {
    const received = Object.prototype.hasOwnProperty.call(source, code) ? source[code] : undefined;
    try {
      const value = coerceValue(prop, received, options);
      if (value !== MISSING) values[code] = value;
    } catch (error) {
      if (!(error instanceof CoercionProblem)) throw error;
      issues.push(propertyIssue(code, prop, error.ru, error.en));
    }
  }
  return { values, issues };
}
