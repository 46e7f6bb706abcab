/**
 * `npm start` as a process: a bad configuration stops it with the variable named; a good one serves /healthz and
 * stops cleanly on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { freePort } from '../src/dev/local-service';

const root = join(__dirname, '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

function start(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const child = spawn(tsx, ['src/main.ts'], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk) => (output += String(chunk)));
  child.stderr?.on('data', (chunk) => (output += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('npm start', () => {
  it('refuses to start without PUBLIC_URL, naming it and the fix', async () => {
    const proc = start({ B24_CLIENT_ID: 'local.1.2', B24_CLIENT_SECRET: 'secret-value' });
    expect(await proc.exited).toBe(78);
    expect(proc.output()).toMatch(/PUBLIC_URL is not set: set PUBLIC_URL to the public http\(s\) base URL/);
    expect(proc.output()).not.toContain('secret-value');
  });

  it('serves /healthz and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24robots-main-'));
    const port = await freePort();
    const proc = start({
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      B24_CLIENT_ID: 'local.1.2',
      B24_CLIENT_SECRET: 'secret-value',
      B24_OAUTH_SERVER: 'http://127.0.0.1:9',
      DATABASE_URL: `sqlite:${join(dir, 'robots.sqlite')}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
    });
    try {
      const deadline = Date.now() + 20_000;
      let status = 0;
      while (Date.now() < deadline && status !== 200) {
        status = await axios
          .get(`http://127.0.0.1:${port}/healthz`, { validateStatus: () => true, timeout: 1000 })
          .then((r) => r.status)
          .catch(() => 0);
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(200);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      const lines = proc.output().trim().split('\n').map((line) => JSON.parse(line));
      expect(lines.map((l) => l.message)).toEqual(expect.arrayContaining(['b24-robots started', 'shutting down', 'b24-robots stopped']));
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
