import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, redact, redactText, REDACTED } from '../src/logger';

const ACCESS = 's6p6eclrvim6da22ft9ch94ekreb52lv';
const REFRESH = '5f1ih5tsnsb11sc5heg3kp4ywqnjhd09';
const APP_TOKEN = '51856fefc120afa4b628cc82d3935cce';
const EVENT_TOKEN =
  '664fa13bbbb410.99176768|A40364_79843_85254_57332|MS1eJEndG8hKq2pLw3xYz7cVb6nM4aS1.54020fe1c3b2a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d';
const SECRET = 'Xk29dLq0vT7pZ4mN8sR2wY6uB1eC3fH5jK7';
const SECRETS = [ACCESS, REFRESH, APP_TOKEN, EVENT_TOKEN, SECRET];

function captured(options: { json: boolean }): { logger: winston.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', json: options.json, transports: [new winston.transports.Stream({ stream })] }), lines };
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('redaction of secrets', () => {
  it('replaces every secret key of a robot call at any depth, keeping the rest', () => {
    const call = {
      workflow_id: '664fa13bbbb410.99176768',
      event_token: EVENT_TOKEN,
      document_id: ['crm', 'CCrmDocumentDeal', 'DEAL_123'],
      nested: {
        deeper: [{ access_token: ACCESS, refresh_token: REFRESH, application_token: APP_TOKEN, member_id: 'a223c6b3710f85df22e9377d6c4f7553' }],
      },
      page: { AUTH_ID: ACCESS, REFRESH_ID: REFRESH, APPLICATION_TOKEN: APP_TOKEN },
      config: { client_secret: SECRET, clientSecret: SECRET },
      record: { accessToken: ACCESS, refreshToken: REFRESH, applicationToken: APP_TOKEN, eventToken: EVENT_TOKEN },
      auth: { access_token: ACCESS, domain: 'portal.bitrix24.com' },
    };
    const out = redact(call);
    expectNoSecret(JSON.stringify(out));
    expect(out.workflow_id).toBe('664fa13bbbb410.99176768');
    expect(out.document_id).toEqual(['crm', 'CCrmDocumentDeal', 'DEAL_123']);
    expect(out.nested.deeper[0].member_id).toBe('a223c6b3710f85df22e9377d6c4f7553');
    expect(out.nested.deeper[0].access_token).toBe(REDACTED);
    expect(out.page.AUTH_ID).toBe(REDACTED);
    expect(out.auth).toBe(REDACTED);
    // the input is not changed
    expect(call.nested.deeper[0].access_token).toBe(ACCESS);
  });

  it('finds tokens inside text: query strings, form bodies, JSON, event tokens and connection strings', () => {
    const texts = [
      `GET https://portal.bitrix24.com/rest/crm.deal.list?auth=${ACCESS}&start=0`,
      `auth%5Baccess_token%5D=${ACCESS}&auth%5Brefresh_token%5D=${REFRESH}&auth%5Bapplication_token%5D=${APP_TOKEN}`,
      `auth[access_token]=${ACCESS}&event_token=${encodeURIComponent(EVENT_TOKEN)}`,
      `{"access_token":"${ACCESS}","refresh_token": "${REFRESH}","client_secret":"${SECRET}"}`,
      `grant_type=refresh_token&client_id=local.1&client_secret=${SECRET}&refresh_token=${REFRESH}`,
      `bizproc.event.send failed for token ${EVENT_TOKEN}: workflow gone`,
      `Authorization: Bearer ${ACCESS}`,
    ];
    for (const text of texts) expectNoSecret(redactText(text));
    expect(redactText('postgres://robots:s3cr3t-pass@db:5432/b24')).toBe(`postgres://robots:${REDACTED}@db:5432/b24`);
    expect(redactText('grant_type=refresh_token&client_id=local.1')).toBe('grant_type=refresh_token&client_id=local.1');
  });

  it('keeps an error useful but drops its transport internals and secrets', () => {
    const error = Object.assign(new Error(`request to https://p.bitrix24.com/rest/profile?auth=${ACCESS} failed`), {
      code: 'expired_token',
      status: 401,
      config: { data: JSON.stringify({ auth: ACCESS }), headers: {} },
    });
    const out = redact({ error }) as unknown as { error: Record<string, unknown> };
    expectNoSecret(JSON.stringify(out));
    expect(out.error).toMatchObject({ name: 'Error', code: 'expired_token', status: 401 });
    expect(out.error.config).toBeUndefined();
    expect(String(out.error.message)).toContain('failed');
  });

  it('survives circular structures', () => {
    const node: Record<string, unknown> = { access_token: ACCESS };
    node.self = node;
    expect(redact(node)).toEqual({ access_token: REDACTED, self: '[Circular]' });
  });
});

describe('the logger', () => {
  it('writes JSON lines with run fields and no secret, for metadata and errors alike', () => {
    const { logger, lines } = captured({ json: true });
    logger.info('robot call queued', { portal: 'a223c6b3', robot: 'deal_folder', run: 'r1', workflow: 'wf1', auth: { access_token: ACCESS } });
    logger.error('event.send failed', { run: 'r1', error: new Error(`invalid event_token=${encodeURIComponent(EVENT_TOKEN)}`) });
    logger.warn(`token refresh with refresh_token=${REFRESH} failed`);
    logger.error(new Error(`client_secret=${SECRET} rejected`));
    const all = lines.join('');
    expectNoSecret(all);
    const first = JSON.parse(lines[0]);
    expect(first).toMatchObject({ level: 'info', message: 'robot call queued', portal: 'a223c6b3', robot: 'deal_folder', run: 'r1', workflow: 'wf1', auth: REDACTED });
    expect(typeof first.timestamp).toBe('string');
    expect(lines).toHaveLength(4);
  });

  it('writes readable lines for a terminal, also redacted', () => {
    const { logger, lines } = captured({ json: false });
    logger.info('portal installed', { portal: 'a223c6b3', application_token: APP_TOKEN });
    expect(lines[0]).toMatch(/ info portal installed portal=a223c6b3 application_token=\[REDACTED\]/);
    expectNoSecret(lines.join(''));
  });
});
