/**
 * Structured logging with winston: JSON lines in production, readable lines in a terminal.
 * A format redacts secrets everywhere before anything is written: OAuth tokens, the `application_token`,
 * `event_token` (it lets anyone answer a workflow step) and the `client_secret`, whether they sit under a
 * key at any depth, inside an Error, or inside a string such as an error message or a URL.
 */
import winston from 'winston';

export type Logger = winston.Logger;

export const REDACTED = '[REDACTED]';

/** Secret keys, compared without case and without `_`/`-`, so `access_token`, `accessToken` and `AUTH_ID` all match. */
const SECRET_KEYS = new Set(
  [
    'access_token',
    'refresh_token',
    'application_token',
    'event_token',
    'client_secret',
    'auth',
    'AUTH_ID',
    'REFRESH_ID',
    'APPLICATION_TOKEN',
    'authorization',
    'password',
    'B24_CLIENT_SECRET',
  ].map(normalizeKey),
);

function normalizeKey(key: string): string {
  return key.replace(/[_\-\s]/g, '').toLowerCase();
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(normalizeKey(key));
}

const KEY_ALTERNATIVES = [
  'access_token',
  'refresh_token',
  'application_token',
  'event_token',
  'client_secret',
  'accessToken',
  'refreshToken',
  'applicationToken',
  'eventToken',
  'clientSecret',
  'AUTH_ID',
  'REFRESH_ID',
  'APPLICATION_TOKEN',
  'auth',
].join('|');

/**
 * Secrets inside text:
 *  - `key=value` in query strings and form bodies, also bracketed or percent-encoded (`auth%5Baccess_token%5D=…`);
 *  - `"key": "value"` and `key: value` in JSON or inspected objects;
 *  - `Bearer <token>`;
 *  - a bare event_token (`<workflow>|<activity>|<id>.<64 hex HMAC>`, PROTOCOL §2.4).
 */
const TEXT_PATTERNS: Array<[RegExp, string]> = [
  [
    new RegExp(`((?:${KEY_ALTERNATIVES})(?:\\]|%5D)?(?:=|%3D))[^&\\s"',;]+`, 'gi'),
    `$1${REDACTED}`,
  ],
  [new RegExp(`(["']?(?:${KEY_ALTERNATIVES})["']?\\s*:\\s*["']?)[^"',}\\s]+`, 'gi'), `$1${REDACTED}`],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, `$1${REDACTED}`],
  // Passwords in connection strings: postgres://user:secret@host/db
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@\s]+@/gi, `$1${REDACTED}@`],
  [/[^\s|"'&=]+\|[^\s|"'&=]+\|[A-Za-z0-9_-]+\.[0-9a-f]{64}/gi, REDACTED],
];

export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

const MAX_DEPTH = 12;

function redactError(error: Error, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  // Keep what helps diagnosis; drop transport internals (an axios error carries the request config, URL and body).
  const out: Record<string, unknown> = { name: error.name, message: redactText(error.message) };
  const extra = error as unknown as Record<string, unknown>;
  for (const key of ['code', 'status', 'method', 'description', 'error', 'error_description']) {
    if (extra[key] !== undefined && typeof extra[key] !== 'object') out[key] = redactDeep(extra[key], seen, depth + 1);
  }
  if (error.stack) out.stack = redactText(error.stack);
  if (extra.cause !== undefined) out.cause = redactDeep(extra.cause, seen, depth + 1);
  return out;
}

function redactDeep(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth > MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (value instanceof Error) return redactError(value, seen, depth);
    if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
    if (Array.isArray(value)) return value.map((item) => redactDeep(item, seen, depth + 1));
    if (value instanceof Map) return redactDeep(Object.fromEntries(value), seen, depth + 1);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = isSecretKey(key) && item !== undefined && item !== null && item !== '' ? REDACTED : redactDeep(item, seen, depth + 1);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** A copy of `value` with every secret replaced by `[REDACTED]`, at any depth and inside strings and errors. */
export function redact<T>(value: T): T {
  return redactDeep(value, new WeakSet(), 0) as T;
}

/** The winston format that applies `redact` to every field of an entry (winston's symbol keys are kept). */
export const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    const value = info[key];
    info[key] = isSecretKey(key) && value !== undefined && value !== null && value !== '' ? REDACTED : redact(value);
  }
  return info;
});

export interface LoggerOptions {
  level?: string;
  /** JSON lines (true) or readable lines (false). Default: JSON when NODE_ENV=production or stdout is not a TTY. */
  json?: boolean;
  /** Where to write (default: the console). Tests pass a stream transport to read the lines. */
  transports?: winston.transport[];
  /** Fields added to every line, e.g. `{service: 'b24robots'}`. */
  defaultMeta?: Record<string, unknown>;
  silent?: boolean;
}

function pretty(): winston.Logform.Format {
  return winston.format.printf((info) => {
    const { level, message, timestamp, stack, ...meta } = info as Record<string, unknown>;
    const fields = Object.entries(meta)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const head = `${String(timestamp)} ${String(level)} ${String(message)}`;
    return [head + (fields ? ` ${fields}` : ''), typeof stack === 'string' ? stack : ''].filter(Boolean).join('\n');
  });
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const json = options.json ?? (process.env.NODE_ENV === 'production' || !process.stdout.isTTY);
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent,
    defaultMeta: options.defaultMeta,
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      redactFormat(),
      winston.format.timestamp(),
      json ? winston.format.json() : pretty(),
    ),
    transports: options.transports ?? [new winston.transports.Console()],
  });
}

/** A logger that writes nothing (tests, library use). */
export function createSilentLogger(): Logger {
  return createLogger({ silent: true, json: true });
}
