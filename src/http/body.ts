/**
 * Reading inbound bodies ourselves, with a size limit, instead of a generic body parser: robot calls, events and
 * install callbacks are PHP `http_build_query` forms (PROTOCOL §2.1) and need the bracket-aware, prototype-safe
 * parser; JSON is accepted for install callbacks sent by tools and tests.
 */
import type { Request } from 'express';
import { FormParseError, parseBracketForm } from '../util/bracket-form';
import type { FormObject, FormValue } from '../util/bracket-form';
import { HttpError, HttpErrorCode } from './errors';

const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/** Reads the whole body; past `limitBytes` the rest is drained (so the client reads our 413) and 413 is thrown. */
export function readRawBody(req: Request, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limitBytes;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        reject(new HttpError(413, HttpErrorCode.BODY_TOO_LARGE, `request body is larger than ${Math.round(limitBytes / 1024)} KB`));
      } else {
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', reject);
  });
}

/** JSON scalars become strings, as they would arrive in a form; nulls and prototype keys are dropped. */
function fromJson(value: unknown, depth: number): FormValue | undefined {
  if (depth > 8) throw new HttpError(400, HttpErrorCode.MALFORMED_BODY, 'JSON body is nested too deeply');
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  if (Array.isArray(value)) {
    return value.map((item) => fromJson(item, depth + 1)).filter((item): item is FormValue => item !== undefined);
  }
  const out: FormObject = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    const converted = fromJson(item, depth + 1);
    if (converted !== undefined) out[key] = converted;
  }
  return out;
}

function mediaType(req: Request): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

/**
 * The body as a form object: `application/x-www-form-urlencoded` (also without a content type, as some proxies strip
 * it) or, when `allowJson`, `application/json` with an object at the top.
 */
export async function readForm(req: Request, options: { limitBytes: number; allowJson?: boolean }): Promise<FormObject> {
  const type = mediaType(req);
  const isForm = type === '' || type === 'application/x-www-form-urlencoded';
  const isJson = type === 'application/json' && options.allowJson === true;
  if (!isForm && !isJson) {
    // Drain so the client can read the answer.
    req.resume();
    throw new HttpError(
      415,
      HttpErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `content type "${type}" is not accepted: send application/x-www-form-urlencoded${options.allowJson ? ' or application/json' : ''}`,
    );
  }
  const text = (await readRawBody(req, options.limitBytes)).toString('utf8');
  if (isJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new HttpError(400, HttpErrorCode.MALFORMED_BODY, 'body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new HttpError(400, HttpErrorCode.MALFORMED_BODY, 'JSON body must be an object');
    }
    return fromJson(parsed, 0) as FormObject;
  }
  try {
    return parseBracketForm(text);
  } catch (error) {
    if (error instanceof FormParseError) throw new HttpError(400, HttpErrorCode.MALFORMED_BODY, error.message);
    throw error;
  }
}

/** A string field, or undefined when absent or not a string (a bracketed `x[0]=` where a scalar was expected). */
export function stringField(form: FormObject | undefined, key: string): string | undefined {
  const value = form?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** A nested object field such as `auth` or `data`, or undefined. */
export function objectField(form: FormObject | undefined, key: string): FormObject | undefined {
  const value = form?.[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

/** A positive whole number in a text field (`auth[user_id]`), or null when absent, empty or anything else. */
export function positiveInt(text: string | undefined): number | null {
  const n = Number(text);
  return text !== undefined && Number.isInteger(n) && n > 0 ? n : null;
}
