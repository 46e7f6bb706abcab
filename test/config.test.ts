import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, DEFAULT_DATABASE_URL, DEFAULT_OAUTH_SERVER, loadConfig, VARIABLES } from '../src/config';

const minimal = {
  PUBLIC_URL: 'https://robots.example.com/',
  B24_CLIENT_ID: 'local.65a1b2c3d4e5f6.12345678',
  B24_CLIENT_SECRET: 'Xk29dLq0vT7pZ4mN8sR2wY6uB1eC3fH5jK7',
};

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, { isTTY: false });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted a bad configuration');
}

describe('config from the environment', () => {
  it('fills every default when only the required variables are set', () => {
    const config = loadConfig(minimal, { isTTY: false });
    expect(config).toEqual({
      port: 3000,
      host: '0.0.0.0',
      publicUrl: 'https://robots.example.com',
      oauth: { clientId: minimal.B24_CLIENT_ID, clientSecret: minimal.B24_CLIENT_SECRET, server: DEFAULT_OAUTH_SERVER },
      databaseUrl: DEFAULT_DATABASE_URL,
      logLevel: 'info',
      logFormat: 'json',
      role: 'all',
      workerConcurrency: 4,
      bodyLimitBytes: 256 * 1024,
      nodeEnv: 'development',
    });
  });

  it('reads numbers, PostgreSQL and a readable log format in a terminal', () => {
    const config = loadConfig(
      { ...minimal, PORT: '8080', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', WORKER_CONCURRENCY: '16', ROLE: 'worker' },
      { isTTY: true },
    );
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(config.workerConcurrency).toBe(16);
    expect(config.role).toBe('worker');
    expect(config.logFormat).toBe('pretty');
  });

  it('writes JSON logs in production even in a terminal', () => {
    expect(loadConfig({ ...minimal, NODE_ENV: 'production' }, { isTTY: true }).logFormat).toBe('json');
  });

  it('a missing PUBLIC_URL and client id are both named, with how to fix them', () => {
    const error = errorOf({ B24_CLIENT_SECRET: minimal.B24_CLIENT_SECRET });
    expect(error.variables.sort()).toEqual(['B24_CLIENT_ID', 'PUBLIC_URL']);
    expect(error.message).toMatch(/PUBLIC_URL is not set: set PUBLIC_URL to the public http\(s\) base URL/);
    expect(error.message).toMatch(/B24_CLIENT_ID is not set/);
  });

  it.each([
    ['PORT', 'eighty', /PORT must be integer \(got "eighty"\): set PORT to the TCP port/],
    ['PORT', '70000', /PORT must be <= 65535/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be equal to one of the allowed values \(got "loud"\): set LOG_LEVEL to one of error, warn/],
    ['DATABASE_URL', 'mysql://db/robots', /DATABASE_URL .*set DATABASE_URL to sqlite:<file>/],
    ['B24_OAUTH_SERVER', 'oauth.bitrix.info', /B24_OAUTH_SERVER .*set B24_OAUTH_SERVER to the OAuth server origin/],
    ['PUBLIC_URL', 'robots.example.com', /PUBLIC_URL is not valid \(got "robots.example.com"\): set PUBLIC_URL/],
    ['ROLE', 'cron', /ROLE must be equal to one of the allowed values/],
    ['WORKER_CONCURRENCY', '0', /WORKER_CONCURRENCY must be >= 1/],
  ])('a bad %s (%s) stops start-up naming it', (name, value, message) => {
    const error = errorOf({ ...minimal, [name]: value });
    expect(error.variables).toEqual([name]);
    expect(error.message).toMatch(message);
  });

  it('a PUBLIC_URL without a dot in its host is refused: Bitrix24 rejects such handler URLs', () => {
    const error = errorOf({ ...minimal, PUBLIC_URL: 'http://localhost:3000' });
    expect(error.variables).toEqual(['PUBLIC_URL']);
    expect(error.message).toMatch(/ERROR_WRONG_HANDLER_URL/);
    expect(loadConfig({ ...minimal, PUBLIC_URL: 'http://127.0.0.1:3000' }).publicUrl).toBe('http://127.0.0.1:3000');
  });

  it('never echoes the client secret back', () => {
    const error = errorOf({ ...minimal, B24_CLIENT_SECRET: 'has spaces in it' });
    expect(error.variables).toEqual(['B24_CLIENT_SECRET']);
    expect(error.message).not.toContain('has spaces');
  });

  it('.env.example lists every variable the service reads', () => {
    const example = readFileSync(join(__dirname, '..', '.env.example'), 'utf8');
    const listed = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.keys(VARIABLES).sort());
  });
});
