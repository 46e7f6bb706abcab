/**
 * PHP `http_build_query` bracket forms, both ways.
 *
 * Bitrix24 sends robot calls, install events and event handlers as `application/x-www-form-urlencoded`
 * bodies built by PHP: nested keys in brackets (`auth[access_token]=…`, `properties[users][0]=user_5`),
 * spaces as `+`, null entries and empty arrays omitted, every value a string (PROTOCOL §2.1).
 */

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

/** Keys that would reach Object.prototype if assigned naively. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

export interface ParseLimits {
  /** Maximum number of `key=value` pairs (default 10 000). */
  maxPairs?: number;
  /** Maximum nesting depth of bracket keys (default 8). */
  maxDepth?: number;
}

export class FormParseError extends Error {
  readonly code = 'MALFORMED_FORM';
}

/** Splits `a[b][0][]` into `['a', 'b', '0', '']`; returns null for keys that are not well formed. */
function splitKey(key: string, maxDepth: number): string[] | null {
  const open = key.indexOf('[');
  if (open === -1) return [key];
  if (open === 0) return null;
  const parts = [key.slice(0, open)];
  let rest = key.slice(open);
  while (rest.length > 0) {
    if (rest[0] !== '[') return null;
    const close = rest.indexOf(']');
    if (close === -1) return null;
    parts.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
    if (parts.length > maxDepth + 1) return null;
  }
  return parts;
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    throw new FormParseError('malformed percent-encoding in form body');
  }
}

type Node = { [key: string]: Node | string };

function assign(root: Node, path: string[], value: string): void {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    let segment = path[i];
    if (segment === '') segment = String(Object.keys(node).length); // `a[]=x` appends
    if (FORBIDDEN_KEYS.has(segment)) return;
    const last = i === path.length - 1;
    if (last) {
      node[segment] = value;
      return;
    }
    const next = node[segment];
    if (next === undefined || typeof next === 'string') {
      const created: Node = Object.create(null);
      node[segment] = created;
      node = created;
    } else {
      node = next;
    }
  }
}

/** An object whose keys are exactly 0..n-1 becomes an array, of any length. */
function finish(node: Node | string): FormValue {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  const isList = keys.length > 0 && keys.every((k, i) => k === String(i));
  if (isList) return keys.map((k) => finish(node[k]));
  const out: FormObject = {};
  for (const k of keys) out[k] = finish(node[k]);
  return out;
}

/** Parses a bracket form body safely: arrays of any length stay arrays, prototype keys are dropped. */
export function parseBracketForm(body: string, limits: ParseLimits = {}): FormObject {
  const maxPairs = limits.maxPairs ?? 10_000;
  const maxDepth = limits.maxDepth ?? 8;
  const root: Node = Object.create(null);
  if (body.length === 0) return {};
  const pairs = body.split('&');
  if (pairs.length > maxPairs) throw new FormParseError(`form has more than ${maxPairs} fields`);
  for (const pair of pairs) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    const path = splitKey(rawKey, maxDepth);
    if (!path) throw new FormParseError(`malformed form key "${rawKey.slice(0, 64)}"`);
    assign(root, path, value);
  }
  return finish(root) as FormObject;
}

function encodeComponent(text: string): string {
  // PHP's urlencode: spaces as '+', and only [A-Za-z0-9_.-] left as they are.
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');
}

export type EncodableValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | EncodableValue[]
  | { [key: string]: EncodableValue };

function walk(prefix: string, value: EncodableValue, out: string[]): void {
  if (value === null || value === undefined) return; // null entries disappear
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(`${prefix}[${i}]`, item, out)); // empty arrays disappear
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(`${prefix}[${k}]`, v, out);
    return;
  }
  // PHP casts true to "1" and false to "" in http_build_query.
  const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  out.push(`${encodeComponent(prefix)}=${encodeComponent(text)}`);
}

/** Encodes like PHP `http_build_query`: bracket keys, `+` for spaces, nulls and empty arrays omitted. */
export function encodeBracketForm(data: Record<string, EncodableValue>): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(data)) walk(k, v, out);
  return out.join('&');
}
