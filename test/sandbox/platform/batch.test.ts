import type { Sandbox } from '../../../src/sandbox';
import { callJson, request, startTestSandbox, type TestClock } from './helpers';

describe('sandbox batch (b24-docs/settings/how-to-call-rest-api/batch.md)', () => {
  let sandbox: Sandbox;
  let clock: TestClock;
  let endpoint: string;
  let token: string;

  beforeAll(async () => {
    ({ sandbox, clock } = await startTestSandbox());
    endpoint = sandbox.defaultPortal.clientEndpoint;
    token = sandbox.issueTokens(sandbox.defaultPortal, sandbox.app.clientId, 1).access_token;
  });
  afterAll(() => sandbox.close());
  afterEach(() => clock.advance(60));

  test('results are keyed like cmd; empty sections are [] as PHP prints them', async () => {
    const res = await callJson(endpoint, 'batch', { halt: 0, cmd: { get_user: 'test.user', get_app: 'app.info' } }, token);
    expect(res.status).toBe(200);
    const r = res.body.result;
    expect(Object.keys(r.result)).toEqual(['get_user', 'get_app']);
    expect(r.result.get_user.NAME).toBe('Ivan');
    expect(r.result_error).toEqual([]);
    expect(r.result_total).toEqual([]);
    expect(r.result_next).toEqual([]);
    expect(Object.keys(r.result_time.get_user)).toEqual(['start', 'finish', 'duration', 'processing', 'date_start', 'date_finish']);
  });

  test('$result[key][field][index] passes an earlier result into a later command', async () => {
    const res = await callJson(endpoint, 'batch', {
      cmd: {
        get_user: 'test.user',
        get_department: 'test.echo?ID=$result[get_user][UF_DEPARTMENT][0]&label=dept-$result[get_user][ID]',
        whole: 'test.echo?departments=$result[get_user][UF_DEPARTMENT]',
      },
    }, token);
    const r = res.body.result.result;
    expect(r.get_department.params).toEqual({ ID: 5, label: 'dept-7' });
    expect(r.whole.params).toEqual({ departments: [5, 9] });
  });

  test('for a list result, references index into the array; total and next go to result_total/result_next', async () => {
    const res = await callJson(endpoint, 'batch', {
      cmd: { list: 'test.list', second: 'test.echo?id=$result[list][1][ID]', page3: 'test.list?start=100' },
    }, token);
    const r = res.body.result;
    expect(r.result.second.params).toEqual({ id: '2' });
    expect(r.result_total).toEqual({ list: 120, page3: 120 });
    expect(r.result_next).toEqual({ list: 50 });
  });

  test('with halt=0 every command runs and failures go to result_error', async () => {
    const res = await callJson(endpoint, 'batch', { halt: 0, cmd: { a: 'test.fail', b: 'test.echo', c: 'no.such.method' } }, token);
    const r = res.body.result;
    expect(r.result_error).toEqual({
      a: { error: 'NOT_FOUND', error_description: 'Element not found' },
      c: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
    });
    expect(Object.keys(r.result)).toEqual(['b']);
  });

  test('with halt=1 the batch stops at the first error and later keys are missing', async () => {
    const res = await callJson(endpoint, 'batch', { halt: 1, cmd: { a: 'test.echo', b: 'test.fail', c: 'test.echo' } }, token);
    const r = res.body.result;
    expect(Object.keys(r.result)).toEqual(['a']);
    expect(Object.keys(r.result_error)).toEqual(['b']);
    expect(r.result_time).not.toHaveProperty('c');
  });

  test('a nested batch fails with ERROR_BATCH_METHOD_NOT_ALLOWED', async () => {
    const res = await callJson(endpoint, 'batch', { cmd: { inner: 'batch?cmd[x]=test.echo' } }, token);
    expect(res.status).toBe(200);
    expect(res.body.result.result).toEqual([]);
    expect(res.body.result.result_error.inner).toEqual({
      error: 'ERROR_BATCH_METHOD_NOT_ALLOWED',
      error_description: 'Method is not allowed for batch usage',
    });
  });

  test('the 51st command onward fails with ERROR_BATCH_LENGTH_EXCEEDED; the first 50 run', async () => {
    const cmd = Object.fromEntries(Array.from({ length: 53 }, (_, i) => [`k${i + 1}`, `test.echo?n=${i + 1}`]));
    const res = await callJson(endpoint, 'batch', { cmd }, token);
    expect(res.status).toBe(200);
    const r = res.body.result;
    expect(Object.keys(r.result)).toHaveLength(50);
    expect(r.result.k50.params).toEqual({ n: '50' });
    expect(Object.keys(r.result_error)).toEqual(['k51', 'k52', 'k53']);
    expect(r.result_error.k51).toEqual({ error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' });
  });

  test('numeric cmd keys give JSON arrays; a gap makes an object, as PHP json_encode does', async () => {
    const list = await callJson(endpoint, 'batch', { cmd: ['test.user', 'test.echo?x=1'] }, token);
    expect(Array.isArray(list.body.result.result)).toBe(true);
    expect(list.body.result.result[1].params).toEqual({ x: '1' });
    const gap = await callJson(endpoint, 'batch', { cmd: ['test.user', 'test.fail', 'test.echo'] }, token);
    expect(gap.body.result.result).toEqual({ 0: expect.any(Object), 2: expect.any(Object) });
    expect(gap.body.result.result_error).toEqual({ 1: { error: 'NOT_FOUND', error_description: 'Element not found' } });
  });

  test('a form-encoded batch carries double-encoded commands', async () => {
    const cmd = encodeURIComponent('test.echo?filter[>ID]=10&select[0]=ID');
    const res = await request(`${endpoint}batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `auth=${token}&halt=0&cmd%5Bq%5D=${cmd}`,
    });
    expect(res.body.result.result.q.params).toEqual({ filter: { '>ID': '10' }, select: ['ID'] });
  });

  test('a command cannot smuggle its own auth: the outer auth is used', async () => {
    const manager = sandbox.issueTokens(sandbox.defaultPortal, sandbox.app.clientId, 2).access_token;
    const res = await callJson(endpoint, 'batch', { cmd: { who: `test.echo?auth=${manager}` } }, token);
    expect(res.body.result.result.who).toEqual({ params: {}, userId: 1, clientId: sandbox.app.clientId });
  });
});
