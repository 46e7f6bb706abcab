/**
 * Reads a request's parameters the way the portal does: the query string merged with the body, where the body is
 * JSON (`application/json`) or a PHP bracket form (`application/x-www-form-urlencoded`, PROTOCOL §4.5).
 */
import type { Request } from 'express';
import { FormParseError, parseBracketForm } from '../util/bracket-form';

export class BadRequestError extends Error {}

const MAX_BODY_BYTES = 20 * 1024 * 1024;

function readRaw(req: Request): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BadRequestError(`request body is larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseForm(text: string): Record<string, any> {
  try {
    return parseBracketForm(text);
  } catch (err) {
    if (err instanceof FormParseError) throw new BadRequestError(err.message);
    throw err;
  }
}

export async function readRequestParams(req: Request): Promise<Record<string, any>> {
  const url = req.originalUrl ?? req.url;
  const q = url.indexOf('?');
  const query = q === -1 ? {} : parseForm(url.slice(q + 1));
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  const raw = req.method === 'GET' || req.method === 'HEAD' ? '' : await readRaw(req);
  let body: Record<string, any> = {};
  if (raw.trim() !== '') {
    if (type.includes('json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new BadRequestError('request body is not valid JSON');
      }
      if (Array.isArray(parsed)) body = Object.fromEntries(parsed.map((v, i) => [String(i), v]));
      else if (parsed && typeof parsed === 'object') body = parsed as Record<string, any>;
    } else if (type === '' || type.includes('x-www-form-urlencoded')) {
      body = parseForm(raw);
    } else {
      throw new BadRequestError(`unsupported Content-Type "${type}": send JSON or a form (multipart is not emulated)`);
    }
  }
  return { ...query, ...body };
}
