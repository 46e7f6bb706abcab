/**
 * Issue 3, end to end: the service process is killed with SIGKILL while a run is half done, and a restarted process
 * on the same SQLite file completes it once. The run's deal step was recorded before the kill, so the restart reuses
 * it instead of opening a second deal (DESIGN: `step` runs a side effect once per run), and the workflow gets exactly
 * one answer (PROTOCOL §3.2: a second event.send for a closed step changes nothing).
 *
 * The service runs as a child process (`node --import tsx fixtures/crash-service.ts`), configured from the
 * environment like production, on a fixed port so the handler URL registered on the portal stays valid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Sandbox, SandboxPortal } from '../../src/sandbox';
import { installApp, placeRobot, whenIdle, workflowLog } from '../../src/sandbox/bizproc';
import { bizprocState } from '../../src/sandbox/bizproc/state';
import { createStore } from '../../src/store';
import type { RunRecord, Store } from '../../src/store/types';
import { freePort } from '../../src/dev/local-service';
import { CLIENT_ID, CLIENT_SECRET, startPortalSandbox, until, webhookRest, type PortalUserRest } from './helpers';

const root = resolve(__dirname, '../..');
const script = resolve(__dirname, 'fixtures/crash-service.ts');

interface ServiceProcess {
  proc: ChildProcess;
  /** Resolves with the first stdout line matching `pattern`. */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends the signal and waits for the process to end; resolves with the signal that ended it. */
  kill(signal: NodeJS.Signals): Promise<NodeJS.Signals | null>;
}

function startService(env: Record<string, string>): ServiceProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'error', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<NodeJS.Signals | null>((done) => proc.once('exit', (_code, signal) => done(signal)));
  proc.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return {
    proc,
    async line(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const match = pattern.exec(out);
        if (match) return match;
        if (proc.exitCode !== null || proc.signalCode !== null) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`the service never printed ${pattern}; stdout: ${out.slice(-2000)} stderr: ${err.slice(-2000)}`);
    },
    async kill(signal) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

describe('the service is SIGKILLed in the middle of a run and restarted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'b24-e2e-crash-'));
  const databaseUrl = `sqlite:${join(dir, 'robots.sqlite')}`;
  let sandbox: Sandbox;
  let portal: SandboxPortal;
  let manager: PortalUserRest;
  let store: Store;
  let env: Record<string, string>;
  const running: ServiceProcess[] = [];
  let current: ServiceProcess;

  function service(extra: Record<string, string> = {}): ServiceProcess {
    const child = startService({ ...env, ...extra });
    running.push(child);
    return child;
  }

  /** Moves a new deal into the robot's stage; returns its id and the follow-up title the robot will use. */
  async function dealIntoStage(title: string): Promise<{ dealId: number; followUp: string }> {
    const dealId = Number(await manager.call('crm.deal.add', { fields: { TITLE: title, STAGE_ID: 'NEW', CATEGORY_ID: 0 } }));
    await manager.call('crm.deal.update', { id: dealId, fields: { STAGE_ID: 'PREPARATION' } });
    return { dealId, followUp: `Продление: ${title}` };
  }

  async function dealsTitled(title: string): Promise<Array<{ ID: string }>> {
    return manager.call('crm.deal.list', { filter: { TITLE: title }, select: ['ID', 'TITLE'] });
  }

  async function runOf(dealId: number): Promise<RunRecord | undefined> {
    const runs = await store.listRuns({ robotCode: 'e2e_follow_up_deal' });
    return runs.find((run) => run.documentId?.[2] === `DEAL_${dealId}`);
  }

  function ourCalls(method: string, from: number) {
    return sandbox
      .journal(portal.memberId)
      .entries.slice(from)
      .filter((entry) => entry.clientId === CLIENT_ID && entry.method === method);
  }

  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    sandbox = await startPortalSandbox(publicUrl);
    portal = sandbox.defaultPortal;
    env = {
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      B24_CLIENT_ID: CLIENT_ID,
      B24_CLIENT_SECRET: CLIENT_SECRET,
      B24_OAUTH_SERVER: sandbox.url,
      DATABASE_URL: databaseUrl,
      // a killed process's claim runs out quickly, so the restart does not wait a minute
      E2E_LEASE_MS: '1000',
    };
    // This process installs the app and then serves the first test, whose follow-up robot hangs after its deal step.
    current = service({ E2E_HANG_AFTER_DEAL: '1' });
    await current.line(/^ready /m);
    const notice = await installApp(sandbox, portal, CLIENT_ID);
    expect(notice.deliveries[0]).toMatchObject({ status: 200 });
    store = await createStore(databaseUrl);
    manager = webhookRest(sandbox, portal);
    placeRobot(sandbox, portal, {
      entityTypeId: 2,
      stageId: 'PREPARATION',
      code: 'e2e_follow_up_deal',
      properties: { title: 'Продление: {=Document:TITLE}' },
    });
  });

  afterAll(async () => {
    for (const child of running) await child.kill('SIGKILL');
    await store?.close();
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('killed after the deal step was stored: the restart finishes the run once and opens no second deal', async () => {
    const marker = randomBytes(4).toString('hex');
    const journalFrom = sandbox.journal(portal.memberId).entries.length;
    const first = current;
    const { dealId, followUp } = await dealIntoStage(`ООО «Вектор» ${marker}`);

    const [, runId, followUpId] = await first.line(/^deal-stored (\S+) (\d+)$/m);
    // The moment of the kill: the deal exists on the portal, the run has recorded it, nothing is finished.
    expect(await dealsTitled(followUp)).toEqual([{ ID: followUpId, TITLE: followUp }]);
    expect(await store.getStep(runId, 'deal')).toEqual({ value: Number(followUpId) });
    expect(await store.getRun(runId)).toMatchObject({ state: 'running', eventSentAt: null, returnValues: null });
    expect(ourCalls('bizproc.event.send', journalFrom)).toEqual([]);

    expect(await first.kill('SIGKILL')).toBe('SIGKILL');
    const workflowId = (await store.getRun(runId))!.workflowId!;
    expect(bizprocState(portal).instances[workflowId].status).toBe('waiting');

    current = service();
    await current.line(/^ready /m);
    await whenIdle(portal, { timeoutMs: 15_000 });
    const run = await until('the run to finish after the restart', async () => {
      const found = await store.getRun(runId);
      return found?.finishedAt ? found : null;
    });

    expect(run).toMatchObject({ state: 'done', attempts: 2, returnValues: { DealId: Number(followUpId), Result: 'ok' } });
    expect(run.documentId).toEqual(['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`]);
    expect(await dealsTitled(followUp)).toHaveLength(1);
    expect(ourCalls('crm.deal.add', journalFrom)).toHaveLength(1);
    expect(ourCalls('bizproc.event.send', journalFrom).map((entry) => entry.status)).toEqual([200]);
    const workflow = bizprocState(portal).workflows[workflowId];
    expect(workflow.status).toBe('completed');
    expect(Object.values(workflow.results)).toEqual([{ DealId: Number(followUpId), Result: 'ok', Error: '' }]);
    expect(workflowLog(portal, workflowId).filter((entry) => entry.kind === 'return')).toHaveLength(1);
  });

  it('killed after the answer was recorded while event.send is on the wire: the workflow still hears once', async () => {
    const marker = randomBytes(4).toString('hex');
    const journalFrom = sandbox.journal(portal.memberId).entries.length;
    const first = current;
    const title = `ООО «Сигма» ${marker}`;
    const followUp = `Продление: ${title}`;
    const dealId = Number(await manager.call('crm.deal.add', { fields: { TITLE: title, STAGE_ID: 'NEW', CATEGORY_ID: 0 } }));
    // A slow portal keeps the answer on the wire long enough to kill the process under it; the deal is moved in the
    // portal's own UI (no REST), so only the service's calls are slow.
    sandbox.setFaults(portal.memberId, { latencyMs: 600 });
    portal.documents.update(2, dealId, { STAGE_ID: 'PREPARATION' });
    const answered = await until('the answer to be recorded but not yet acknowledged', async () => {
      const run = await runOf(dealId);
      return run?.returnValues && !run.eventSentAt ? run : null;
    });
    expect(await first.kill('SIGKILL')).toBe('SIGKILL');
    sandbox.setFaults(portal.memberId, { latencyMs: 0 });

    current = service();
    await current.line(/^ready /m);
    await whenIdle(portal, { timeoutMs: 15_000 });
    const run = await until('the run to finish after the restart', async () => {
      const found = await store.getRun(answered.id);
      return found?.finishedAt ? found : null;
    });

    // The handler is not run again: the recorded answer is only delivered.
    expect(run.state).toBe('done');
    expect(run.returnValues).toEqual(answered.returnValues);
    expect(await dealsTitled(followUp)).toHaveLength(1);
    expect(ourCalls('crm.deal.add', journalFrom)).toHaveLength(1);
    // The killed request may or may not have reached the portal; either way the workflow took one answer.
    const sends = ourCalls('bizproc.event.send', journalFrom);
    expect(sends.length).toBeGreaterThanOrEqual(1);
    expect(sends.length).toBeLessThanOrEqual(2);
    const workflowId = run.workflowId!;
    expect(bizprocState(portal).workflows[workflowId].status).toBe('completed');
    expect(workflowLog(portal, workflowId).filter((entry) => entry.kind === 'return')).toHaveLength(1);
  });
});
