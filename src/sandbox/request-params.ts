/**
 * Reads a request's parameters the way the portal does: the query string merged with the body, where the body is
 * JSON (`application/json`), a PHP bracket form (`application/x-www-form-urlencoded`, PROTOCOL §4.5) or
 * `multipart/form-data` (general-principles.md: all methods accept it; a file field arrives as the REST file
 * convention `[name, base64]`).
 */
import type { Request } from 'express';
import { FormParseError, parseBracketForm } from '../util/bracket-form';

export class BadRequestError extends Error {}

const MAX_BODY_BYTES = 20 * 1024 * 1024;

function readRaw(req: Request): Promise<Buffer> {
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
    req.on('end', () => resolve(Buffer.concat(chunks)));
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

/** Multipart fields folded into one bracket form, so `fields[TITLE]` nests exactly as in a urlencoded body. */
function parseMultipart(raw: Buffer, type: string): Record<string, any> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
  if (!boundary) throw new BadRequestError('multipart body without a boundary');
  // latin1 keeps every byte as one char, so binary file content survives the split
  const text = raw.toString('latin1');
  const delimiter = `--${boundary[1] ?? boundary[2].trim()}`;
  const pairs: string[] = [];
  for (const chunk of text.split(delimiter).slice(1)) {
    if (chunk.startsWith('--')) break;
    const headerEnd = chunk.indexOf('\r\n\r\n');
    if (headerEnd === -1) continue;
    const headers = chunk.slice(0, headerEnd);
    const content = chunk.slice(headerEnd + 4).replace(/\r\n$/, '');
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined) continue;
    const fieldName = Buffer.from(name, 'latin1').toString('utf8');
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    const bytes = Buffer.from(content, 'latin1');
    if (filename === undefined) {
      pairs.push(`${encodeURIComponent(fieldName)}=${encodeURIComponent(bytes.toString('utf8'))}`);
    } else {
      const fileName = Buffer.from(filename, 'latin1').toString('utf8');
      pairs.push(`${encodeURIComponent(`${fieldName}[0]`)}=${encodeURIComponent(fileName)}`);
      pairs.push(`${encodeURIComponent(`${fieldName}[1]`)}=${encodeURIComponent(bytes.toString('base64'))}`);
    }
  }
  return parseForm(pairs.join('&'));
}

export async function readRequestParams(req: Request): Promise<Record<string, any>> {
  const url = req.originalUrl ?? req.url;
  const q = url.indexOf('?');
  const query = q === -1 ? {} : parseForm(url.slice(q + 1));
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  const bytes = req.method === 'GET' || req.method === 'HEAD' ? Buffer.alloc(0) : await readRaw(req);
  const raw = type.startsWith('multipart/') ? '' : bytes.toString('utf8');
  let body: Record<string, any> = {};
  if (type.startsWith('multipart/form-data')) {
    body = parseMultipart(bytes, type);
  } else if (raw.trim() !== '') {
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
      throw new BadRequestError(`unsupported Content-Type "${type}": send JSON, a urlencoded form or multipart/form-data`);
    }
  }
  return { ...query, ...body };
}
