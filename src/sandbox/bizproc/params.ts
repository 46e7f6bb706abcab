/**
 * How the bizproc REST service reads its params (PROTOCOL §1.1): every key is upper-cased at every depth,
 * except the direct children of PROPERTIES, RETURN_PROPERTIES and OPTIONS (property codes and option keys
 * keep their case). So `code`/`CODE` and `Name`/`NAME` are the same key.
 */

const KEEP_CHILD_CASE = new Set(['PROPERTIES', 'RETURN_PROPERTIES', 'OPTIONS']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function convert(value: unknown, keepChildCase: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => convert(item, false));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const name = keepChildCase ? key : key.toUpperCase();
    // A property code keeps its case, but the keys inside the property object are upper-cased again.
    out[name] = convert(child, !keepChildCase && KEEP_CHILD_CASE.has(name));
  }
  return out;
}

export function upperCaseParams(params: Record<string, unknown>): Record<string, any> {
  return convert(params, false) as Record<string, any>;
}

export { isPlainObject };

/** PHP `empty()`: '', '0', 0, null, undefined, false and empty arrays/objects. */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === '0' || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isPlainObject(value)) return Object.keys(value).length === 0;
  return false;
}

/** PHP truthiness (the opposite of `empty()`). */
export function isTruthy(value: unknown): boolean {
  return !isEmpty(value);
}

/** A PHP-array-like value: arrays and objects (form bodies turn `a[0]=x` into arrays, JSON may send either). */
export function isPhpArray(value: unknown): value is Record<string, unknown> | unknown[] {
  return Array.isArray(value) || isPlainObject(value);
}

/** Y/N the way `CBPHelper::getBool` reads it: Y, true, 1. */
export function toYN(value: unknown): 'Y' | 'N' {
  if (value === true || value === 1) return 'Y';
  if (typeof value === 'string' && ['y', 'true', '1'].includes(value.toLowerCase())) return 'Y';
  return 'N';
}
