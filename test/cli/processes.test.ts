/**
 * `b24robots sandbox` starts the emulated portal as a child process with the options passed through, and a signal
 * stops both cleanly (exit 0).
 */
import { spawn } from 'node:child_process';
import { CLI, ensureBuilt, ROOT } from './helpers';

describe('b24robots sandbox', () => {
  beforeAll(() => ensureBuilt(), 180_000);

  it('starts the sandbox with the given options and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0', '--portals', '2', '--no-seed'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('Ctrl-C to stop')) resolve();
      });
      child.on('exit', () => reject(new Error(`the sandbox exited early:\n${stdout}`)));
    });
    expect(stdout).toMatch(/Bitrix24 sandbox at http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout.match(/^portal /gm)).toHaveLength(2);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
