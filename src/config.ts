/**
 * Configuration, read once at the edge from the environment into a typed object validated with ajv.
 * Every variable is listed in `.env.example` and the README. A bad value stops start-up with a message
 * naming the variable and saying how to fix it; secret values are never echoed back.
 */
import Ajv from 'ajv';
import type { ErrorObject } from 'ajv';

export type LogLevel = 'error' | 'warn' | 'info' | 'http' | 'verbose' | 'debug' | 'silly';
/** What one process runs: `all` (receiver + worker + scheduler, the default), or one of them. */
export type Role = 'all' | 'receiver' | 'worker' | 'scheduler';

export interface Config {
  port: number;
  /** Interface to listen on. */
  host: string;
  /** Public base URL of the service, no trailing slash; robot handlers are `${publicUrl}/robots/<code>`. */
  publicUrl: string;
  oauth: { clientId: string; clientSecret: string; server: string };
  /** `sqlite:<path>` (default `sqlite:./data/b24-robots.sqlite`) or `postgres://…`. */
  databaseUrl: string;
  logLevel: LogLevel;
  /** JSON lines (production) or readable lines (a terminal). */
  logFormat: 'json' | 'pretty';
  role: Role;
  /** Runs executed at the same time by this process's worker. */
  workerConcurrency: number;
  /** Largest inbound request body, bytes (robot calls are a few KB; larger bodies get 413). */
  bodyLimitBytes: number;
  nodeEnv: string;
}

export const DEFAULT_OAUTH_SERVER = 'https://oauth.bitrix.info';
export const DEFAULT_DATABASE_URL = 'sqlite:./data/b24-robots.sqlite';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    message: string,
    /** Names of the variables at fault. */
    readonly variables: string[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

interface VariableSpec {
  schema: Record<string, unknown>;
  /** How to fix a bad value. */
  fix: string;
  secret?: boolean;
}

const LOG_LEVELS: LogLevel[] = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

/** The variables, their schema and the remedy printed when a value is wrong. */
export const VARIABLES: Record<string, VariableSpec> = {
  PORT: {
    schema: { type: 'integer', minimum: 1, maximum: 65535, default: 3000 },
    fix: 'set PORT to the TCP port to listen on, e.g. PORT=3000',
  },
  HOST: {
    schema: { type: 'string', minLength: 1, default: '0.0.0.0' },
    fix: 'set HOST to the interface to listen on, e.g. HOST=0.0.0.0',
  },
  PUBLIC_URL: {
    schema: { type: 'string', pattern: '^https?://[^/?#\\s]+(/[^?#\\s]*)?$' },
    fix: 'set PUBLIC_URL to the public http(s) base URL Bitrix24 can reach, e.g. PUBLIC_URL=https://robots.example.com',
  },
  B24_CLIENT_ID: {
    schema: { type: 'string', pattern: '^\\S+$' },
    fix: 'set B24_CLIENT_ID to the application id shown in Bitrix24 (local app: local.xxxx.yyyy; market app: app.xxxx.yyyy)',
  },
  B24_CLIENT_SECRET: {
    schema: { type: 'string', pattern: '^\\S+$' },
    fix: 'set B24_CLIENT_SECRET to the application key shown next to the client id in Bitrix24',
    secret: true,
  },
  B24_OAUTH_SERVER: {
    schema: { type: 'string', pattern: '^https?://[^/?#\\s]+/?$', default: DEFAULT_OAUTH_SERVER },
    fix: `set B24_OAUTH_SERVER to the OAuth server origin, e.g. ${DEFAULT_OAUTH_SERVER}, or remove it to use that default`,
  },
  DATABASE_URL: {
    schema: { type: 'string', pattern: '^((sqlite|file):.+|postgres(ql)?://.+)$', default: DEFAULT_DATABASE_URL },
    fix: `set DATABASE_URL to sqlite:<file> (default ${DEFAULT_DATABASE_URL}) or postgres://user@host:5432/db`,
  },
  LOG_LEVEL: {
    schema: { type: 'string', enum: LOG_LEVELS, default: 'info' },
    fix: `set LOG_LEVEL to one of ${LOG_LEVELS.join(', ')}`,
  },
  LOG_FORMAT: {
    schema: { type: 'string', enum: ['json', 'pretty'] },
    fix: 'set LOG_FORMAT to json or pretty, or remove it (json when NODE_ENV=production or output is not a terminal)',
  },
  ROLE: {
    schema: { type: 'string', enum: ['all', 'receiver', 'worker', 'scheduler'], default: 'all' },
    fix: 'set ROLE to all (default), receiver, worker or scheduler',
  },
  WORKER_CONCURRENCY: {
    schema: { type: 'integer', minimum: 1, maximum: 256, default: 4 },
    fix: 'set WORKER_CONCURRENCY to how many runs one process executes at once, 1..256 (default 4)',
  },
  BODY_LIMIT_KB: {
    schema: { type: 'integer', minimum: 16, maximum: 10240, default: 256 },
    fix: 'set BODY_LIMIT_KB to the largest request body accepted, in KB, 16..10240 (default 256)',
  },
  NODE_ENV: {
    schema: { type: 'string', default: 'development' },
    fix: 'set NODE_ENV to production or development',
  },
};

const REQUIRED = ['PUBLIC_URL', 'B24_CLIENT_ID', 'B24_CLIENT_SECRET'];

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: true });
const validateEnv = ajv.compile<Record<string, any>>({
  type: 'object',
  properties: Object.fromEntries(Object.entries(VARIABLES).map(([name, spec]) => [name, spec.schema])),
  required: REQUIRED,
});

function describe(error: ErrorObject, raw: Record<string, unknown>): { name: string; text: string } {
  const name =
    error.keyword === 'required' ? String(error.params.missingProperty) : error.instancePath.replace(/^\//, '');
  const spec = VARIABLES[name];
  if (error.keyword === 'required') return { name, text: `${name} is not set: ${spec?.fix ?? 'set it'}` };
  const shown = spec?.secret ? '' : ` (got ${JSON.stringify(raw[name])})`;
  // ajv's pattern message prints the regex, which helps nobody: the fix says what is expected.
  const problem = error.keyword === 'pattern' ? 'is not valid' : (error.message ?? 'is not valid');
  return { name, text: `${name} ${problem}${shown}: ${spec?.fix ?? 'fix its value'}` };
}

/** Bitrix24 accepts a HANDLER only when its host has a dot that is not the first character (PROTOCOL §1.2). */
function publicUrlProblem(publicUrl: string): string | null {
  const host = new URL(publicUrl).hostname;
  const dot = host.indexOf('.');
  if (dot <= 0 && !host.startsWith('[')) {
    return (
      `PUBLIC_URL host "${host}" has no dot, and Bitrix24 rejects such handler URLs (ERROR_WRONG_HANDLER_URL): ` +
      'use the public https address of the service or a tunnel, or http://127.0.0.1:<port> with the sandbox'
    );
  }
  return null;
}

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: { isTTY?: boolean } = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const name of Object.keys(VARIABLES)) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') raw[name] = value.trim();
  }
  const values: Record<string, any> = { ...raw };
  if (!validateEnv(values)) {
    const problems = (validateEnv.errors ?? []).map((error) => describe(error, raw));
    const unique = [...new Map(problems.map((p) => [p.name, p])).values()];
    throw new ConfigError(
      `invalid configuration:\n  - ${unique.map((p) => p.text).join('\n  - ')}`,
      unique.map((p) => p.name),
    );
  }
  const urlProblem = publicUrlProblem(values.PUBLIC_URL);
  if (urlProblem) throw new ConfigError(`invalid configuration:\n  - ${urlProblem}`, ['PUBLIC_URL']);

  const nodeEnv = String(values.NODE_ENV);
  const isTTY = options.isTTY ?? Boolean(process.stdout.isTTY);
  return {
    port: values.PORT,
    host: values.HOST,
    publicUrl: String(values.PUBLIC_URL).replace(/\/+$/, ''),
    oauth: {
      clientId: values.B24_CLIENT_ID,
      clientSecret: values.B24_CLIENT_SECRET,
      server: String(values.B24_OAUTH_SERVER).replace(/\/+$/, ''),
    },
    databaseUrl: values.DATABASE_URL,
    logLevel: values.LOG_LEVEL,
    logFormat: values.LOG_FORMAT ?? (nodeEnv === 'production' || !isTTY ? 'json' : 'pretty'),
    role: values.ROLE,
    workerConcurrency: values.WORKER_CONCURRENCY,
    bodyLimitBytes: values.BODY_LIMIT_KB * 1024,
    nodeEnv,
  };
}
