import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createStore } from '../../src/store';
import { memberId } from './fixtures/records';

const tsx = resolve(__dirname, '../../node_modules/.bin/tsx');
const child = resolve(__dirname, 'fixtures/enqueue-then-hang.ts');
const root = mkdtempSync(join(tmpdir(), 'b24-store-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the child until it reports the stored run, then SIGKILLs it; resolves with the run id. */
function enqueueAndKill(databaseUrl: string, member: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(tsx, [child, databaseUrl, member], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let runId: string | undefined;
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /stored ([0-9a-f-]{36})/.exec(out);
      if (match && !runId) {
        runId = match[1];
        proc.kill('SIGKILL');
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (runId && signal === 'SIGKILL') resolvePromise(runId);
      else reject(new Error(`child exited with ${code ?? signal} before storing a run: ${err}`));
    });
  });
}

describe('SQLite durability', () => {
  it('a run stored by a process that is then SIGKILLed is there after, and its lock frees when the lease ends', async () => {
    const file = join(root, 'robots.sqlite');
    const member = memberId();
    const runId = await enqueueAndKill(`sqlite:${file}`, member);

    const store = await createStore(`sqlite:${file}`);
    try {
      const run = await store.getRun(runId);
      expect(run).toMatchObject({ id: runId, memberId: member, state: 'queued', robotCode: 'onboarding_create_deal' });
      expect(run?.documentId).toEqual(['crm', 'CCrmDocumentDeal', expect.stringMatching(/^DEAL_\d+$/)]);
      // The dead process's lock lease (30 s) is still running: nobody may take it yet.
      await expect(store.withLock('refresh:acme:1', async () => 'early', { timeoutMs: 50 })).rejects.toMatchObject({
        code: 'STORE_LOCK_TIMEOUT',
      });
    } finally {
      await store.close();
    }

    const later = await createStore(`sqlite:${file}`, { clock: () => new Date(Date.now() + 31_000) });
    try {
      await expect(later.withLock('refresh:acme:1', async () => 'taken over', { timeoutMs: 1_000 })).resolves.toBe(
        'taken over',
      );
    } finally {
      await later.close();
    }
  });
});
