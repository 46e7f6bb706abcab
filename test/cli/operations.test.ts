/**
 * `settings`, `runs`, `portals` token health (the built binary as a child process) and `invoke` (run in this process
 * with `runCli`, so it can serve small test robots instead of the product's; everything else is the same code path:
 * a real SQLite store, the sandbox portal, the worker's processRun).
 */
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../../src/cli/index';
import { createStore } from '../../src/store';
import type { Store } from '../../src/store/types';
import { encodeBracketForm } from '../../src/util/bracket-form';
import { CLIENT_ID, cliRobots, ensureBuilt, rest, runBuiltCli, startWorld, type World } from './helpers';

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    streams: {
      stdout: { write: (text: string) => (out.stdout += text) },
      stderr: { write: (text: string) => (out.stderr += text) },
    },
  };
}

describe('b24robots operations on an installed portal', () => {
  let world: World;
  let store: Store;
  let acmeId: string;
  let dealId: number;
  const cli = (...args: string[]) => runBuiltCli(args, world.env);
  /** The CLI in this process, serving the test robots. */
  async function invoke(...args: string[]) {
    const { out, streams } = capture();
    const code = await runCli(['node', 'b24robots', 'invoke', ...args], { env: { ...process.env, ...world.env }, streams, robots: cliRobots });
    return { code, ...out };
  }
  const journalOf = (method: string) => world.sandbox.journal(acmeId).entries.filter((e) => e.method === method);

  beforeAll(async () => {
    ensureBuilt();
    world = await startWorld();
    acmeId = world.portals[0].memberId;
    store = await createStore(world.databaseUrl);
    const token = world.sandbox.issueTokens(world.portals[0], CLIENT_ID, 1);
    dealId = Number(await rest(world.portals[0], token.access_token, 'crm.deal.add', { fields: { TITLE: 'ООО «Ромашка»' } }));
  }, 180_000);

  afterAll(async () => {
    await store?.close();
    await world?.close();
  });

  describe('settings', () => {
    it('a bad value is refused with the key named, and nothing is saved', async () => {
      const result = await cli('settings', '--portal', 'acme.bitrix24.test', 'set', 'onboarding.taskDeadlineDays=500');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('not saved: "onboarding.taskDeadlineDays" must be <= 365');
      expect(await store.getSettings(acmeId)).toEqual({});

      const unknown = await cli('settings', '--portal', 'acme.bitrix24.test', 'set', 'pipelines.sales=3');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('"pipelines" is not a settings key');
    });

    it('good values are saved together, and get shows them over the defaults', async () => {
      const set = await cli('settings', '--portal', 'acme.bitrix24.test', 'set', 'onboarding.taskDeadlineDays=5', 'onboarding.stageName=Первичная');
      expect(set.code).toBe(0);
      expect(await store.getSettings(acmeId)).toEqual({ onboarding: { taskDeadlineDays: 5, stageName: 'Первичная' } });

      const one = await cli('settings', '--portal', 'acme.bitrix24.test', 'get', 'onboarding.taskDeadlineDays');
      expect(one.stdout.trim()).toBe('5');
      const all = JSON.parse((await cli('settings', '--portal', 'acme.bitrix24.test', 'get')).stdout);
      // Defaults fill what the portal did not choose.
      expect(all.onboarding).toMatchObject({ taskDeadlineDays: 5, stageName: 'Первичная', companyTariffField: 'UF_CRM_TARIFF_TYPE' });
    });

    it('edit opens $EDITOR on the stored JSON and validates the result before saving', async () => {
      const editor = path.join(world.dir, 'edit.js');
      await writeFile(
        editor,
        `const fs = require('fs'); const file = process.argv[2]; const s = JSON.parse(fs.readFileSync(file, 'utf8'));
         s.onboarding.taskDeadlineDays = Number(process.env.DAYS); fs.writeFileSync(file, JSON.stringify(s));`,
      );
      await chmod(editor, 0o755);
      const EDITOR = `"${process.execPath}" "${editor}"`;
      const bad = await runBuiltCli(['settings', '--portal', 'acme.bitrix24.test', 'edit'], { ...world.env, EDITOR, DAYS: '-1' });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('"onboarding.taskDeadlineDays" must be >= 0');
      const kept = /your edit is kept in (\S+)/.exec(bad.stderr)?.[1];
      expect(kept && JSON.parse(await readFile(kept, 'utf8')).onboarding.taskDeadlineDays).toBe(-1);
      await rm(path.dirname(kept!), { recursive: true, force: true });
      expect((await store.getSettings(acmeId)).onboarding).toMatchObject({ taskDeadlineDays: 5 });

      const good = await runBuiltCli(['settings', '--portal', 'acme.bitrix24.test', 'edit'], { ...world.env, EDITOR, DAYS: '7' });
      expect(good.code).toBe(0);
      expect((await store.getSettings(acmeId)).onboarding).toMatchObject({ taskDeadlineDays: 7, stageName: 'Первичная' });
    });
  });

  describe('invoke', () => {
    it('--dry-run sends the reads, keeps back the writes and stores nothing', async () => {
      const result = await invoke('cli_deal_note', '--portal', 'acme.bitrix24.test', '--document', `DEAL_${dealId}`, '--prop', 'text=Привет', '--dry-run', '--json');
      expect(result.code).toBe(0);
      const execution = JSON.parse(result.stdout);
      expect(execution.calls.map((c: { method: string; sent: boolean }) => [c.method, c.sent])).toEqual([
        ['crm.deal.get', true],
        ['crm.timeline.comment.add', false],
      ]);
      expect(execution.calls[1].params.fields.COMMENT).toBe('Привет: ООО «Ромашка»');
      expect(execution.run).toMatchObject({ state: 'done', returnValues: { CommentId: 2000000001 } });
      expect(journalOf('crm.timeline.comment.add')).toHaveLength(0);
      expect(await store.listRuns({ robotCode: 'cli_deal_note' })).toHaveLength(0);
    });

    it('runs the robot for real, prints its REST calls and return values, and stores a manual run', async () => {
      const result = await invoke('cli_deal_note', '--portal', 'acme.bitrix24.test', '--document', `DEAL_${dealId}`, '--prop', 'text=Привет');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/crm\.deal\.get .*\n +→ ok/);
      expect(result.stdout).toMatch(/crm\.timeline\.comment\.add .*\n +→ ok/);
      expect(result.stdout).toMatch(/CommentId +[1-9]\d*/);
      expect(result.stdout).toContain('State: done');
      expect(journalOf('crm.timeline.comment.add')).toHaveLength(1);
      const [run] = await store.listRuns({ robotCode: 'cli_deal_note' });
      expect(run).toMatchObject({ source: 'manual', state: 'done', documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`] });
    });

    it('replays a saved raw call body, answering its workflow (kept back in a dry run)', async () => {
      const file = path.join(world.dir, 'call.txt');
      const body = encodeBracketForm({
        workflow_id: '664f1e0c7d6a47.12345678',
        code: 'cli_deal_note',
        document_id: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
        document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
        event_token: '664f1e0c7d6a47.12345678|A12345_12345_12345_12345|aBcD.eFgH',
        properties: { text: 'Из файла' },
        use_subscription: 'Y',
        timeout_duration: '0',
        ts: '1716400000',
        auth: { member_id: acmeId, user_id: '1', domain: 'acme.bitrix24.test', application_token: 'x' },
      });
      await writeFile(file, body);
      const result = await invoke('--from-file', file, '--dry-run', '--json');
      expect(result.code).toBe(0);
      const execution = JSON.parse(result.stdout);
      expect(execution.portal.domain).toBe('acme.bitrix24.test');
      const send = execution.calls.find((c: { method: string }) => c.method === 'bizproc.event.send');
      expect(send).toMatchObject({ sent: false, params: { RETURN_VALUES: { CommentId: 2000000001 } } });
      expect(execution.calls.find((c: { method: string }) => c.method === 'crm.timeline.comment.add').params.fields.COMMENT).toBe('Из файла: ООО «Ромашка»');
    });

    it('an unknown property is a usage error that lists the robot\'s properties', async () => {
      const result = await invoke('cli_deal_note', '--document', `DEAL_${dealId}`, '--prop', 'txt=1', '--portal', 'acme.bitrix24.test');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('robot cli_deal_note has no property "txt" (its properties: text)');
      expect(result.stderr).toContain('Usage: b24robots invoke');
    });
  });

  describe('runs', () => {
    it('lists runs with state, attempts and last error, and --json parses without event tokens', async () => {
      const { run } = await store.enqueueRun({
        memberId: acmeId, robotCode: 'cli_deal_note', source: 'robot', dedupeKey: 'evt-1', workflowId: 'wf-1',
        eventToken: 'wf-1|A1_1_1_1|secret-token', documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
        documentType: ['crm', 'CCrmDocumentDeal', 'DEAL'], properties: { text: 'Снова' }, userId: 1, useSubscription: false, firedAt: new Date(),
      });
      // It failed after creating its comment: the ledger has the step.
      await store.saveStep(run.id, 'comment', 777);
      await store.updateRun(run.id, null, { state: 'failed', attempts: 5, lastError: 'QUERY_LIMIT_EXCEEDED: Too many requests', finishedAt: new Date() });

      const text = await cli('runs', '--state', 'failed');
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(new RegExp(`${run.id} +acme\\.bitrix24\\.test +cli_deal_note +robot +failed +5 .*QUERY_LIMIT_EXCEEDED`));
      const json = await cli('runs', '--robot', 'cli_deal_note', '--json');
      expect(json.stdout).not.toContain('secret-token');
      expect(JSON.parse(json.stdout).find((r: { id: string }) => r.id === run.id)).toMatchObject({ state: 'failed', attempts: 5, hasEventToken: true });
    });

    it('retry re-queues a failed run; run at once, its recorded steps are reused, not repeated', async () => {
      const [failed] = await store.listRuns({ state: 'failed', robotCode: 'cli_deal_note' });
      const queued = await cli('runs', 'retry', failed.id);
      expect(queued.code).toBe(0);
      expect(await store.getRun(failed.id)).toMatchObject({ state: 'queued', attempts: 0, lastError: null });
      expect((await cli('runs', 'retry', failed.id)).stderr).toContain('only failed runs can be retried');

      await store.updateRun(failed.id, null, { state: 'failed' });
      const comments = journalOf('crm.timeline.comment.add').length;
      const { out, streams } = capture();
      const code = await runCli(['node', 'b24robots', 'runs', 'retry', failed.id, '--now', '--json'], { env: { ...process.env, ...world.env }, streams, robots: cliRobots });
      expect(code).toBe(0);
      const execution = JSON.parse(out.stdout);
      expect(execution.run).toMatchObject({ state: 'done', returnValues: { CommentId: 777 } });
      expect(execution.calls.map((c: { method: string }) => c.method)).toEqual(['crm.deal.get']);
      expect(journalOf('crm.timeline.comment.add')).toHaveLength(comments);
    });
  });

  describe('portals', () => {
    it('a dead refresh token shows as dead, and a command on that portal says to reinstall', async () => {
      const beta = world.portals[1];
      const token = await store.getToken(beta.memberId, 1);
      await store.saveToken({ ...token!, refreshToken: 'refresh-token-that-was-revoked' });
      world.sandbox.expireTokens(beta.memberId);

      const portals = await cli('portals', '--json');
      expect(portals.code).toBe(1);
      const rows = JSON.parse(portals.stdout);
      expect(rows.find((r: { domain: string }) => r.domain === 'beta.bitrix24.test').token.health).toBe('dead');
      expect(rows.find((r: { domain: string }) => r.domain === 'acme.bitrix24.test').token.health).toBe('ok');

      const listed = await cli('list', '--portal', 'beta.bitrix24.test');
      expect(listed.code).toBe(1);
      expect(listed.stderr).toContain('reinstall the app on beta.bitrix24.test');
    });
  });
});
