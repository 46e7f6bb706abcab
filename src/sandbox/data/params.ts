/**
 * Reading REST parameters the way the different generations of Bitrix24 methods do.
 *
 * - Legacy methods (crm.deal.*, crm.company.*, lists.*, user.get, task.*) upper-case every key, so `fields`,
 *   `FIELDS` and `Fields` are the same parameter (PROTOCOL §1.1 "Key case"; the docs' examples send `FIELDS`/`ID`).
 * - D7 controllers (crm.item.*) bind parameters by their exact camelCase name (PROTOCOL §6.1, "likely").
 * - Form bodies arrive with string values and arrays as arrays only when their keys are exactly 0..n-1, so every
 *   reader accepts PHP-style objects with numeric keys as lists as well.
 */
import { RestError } from '../contract';

export type Params = Record<string, any>;

export function isPlainObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of a parameter whose name is matched case-insensitively (legacy methods). */
export function paramCi(params: Params, name: string): any {
  if (name in params) return params[name];
  const upper = name.toUpperCase();
  for (const key of Object.keys(params)) {
    if (key.toUpperCase() === upper) return params[key];
  }
  return undefined;
}

/** A list from an array, or from a PHP-style object with numeric keys; a scalar becomes a one-element list. */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value;
  if (isPlainObject(value)) return Object.values(value);
  return [value];
}

/** An object parameter (filter, order, fields), or null when absent; arrays of pairs are not objects. */
export function asObject(value: unknown): Record<string, any> | null {
  if (isPlainObject(value)) return value;
  return null;
}

/** A positive integer id, or null (`"410"`, `410` and `" 410 "` are ids; `"abc"`, `0`, `-1` are not). */
export function toId(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : null;
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
    const n = Number(value);
    return n > 0 ? n : null;
  }
  return null;
}

/** An integer from a number or numeric string, or null. */
export function toInt(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Math.trunc(Number(value));
  return null;
}

/** A finite number from a number or numeric string (`"1000.50"`, `"1 000,50"` is not accepted), or null. */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Y/N flags as Bitrix24 reads them: `Y`, `1`, `true` are yes (CBPHelper::getBool and the CRM boolean fields). */
export function toYN(value: unknown): 'Y' | 'N' {
  if (value === true || value === 1) return 'Y';
  if (typeof value === 'string') {
    const v = value.trim().toUpperCase();
    if (v === 'Y' || v === '1' || v === 'TRUE') return 'Y';
  }
  return 'N';
}

/** The `start` of a list request: a number, or 0 when absent or not numeric. Negative values are kept (-1). */
export function startParam(params: Params, caseInsensitive = true): number {
  const raw = caseInsensitive ? paramCi(params, 'start') : params.start;
  const n = toInt(raw);
  return n === null ? 0 : n;
}

/**
 * Positional parameters of legacy `task.*` methods: `{"0": taskId, "1": {...}}`, a top-level array (the platform
 * turns it into the same numeric keys), or the named form (`TASKID`, `ARFIELDS`). Returns the values by name.
 */
export function positional(params: Params, names: string[]): Record<string, any> {
  const out: Record<string, any> = {};
  const hasNumeric = Object.keys(params).some((k) => /^\d+$/.test(k));
  names.forEach((name, i) => {
    const named = paramCi(params, name);
    out[name] = named !== undefined ? named : hasNumeric ? params[String(i)] : undefined;
  });
  return out;
}

/** A legacy CRM error: empty `error` code with the description (PROTOCOL §5.1, crm.deal.* / crm.company.*). */
export function legacyError(description: string, status = 400): RestError {
  return new RestError(status, '', description);
}
