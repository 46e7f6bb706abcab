/**
 * `serve`, `sandbox` and `demo`: start the service, the emulated portal and the demo as child processes running the
 * same entry points as `npm start` / `npm run sandbox` / `npm run demo` (built .js files, or .ts under tsx), with
 * signals passed on, and end with the child's exit code.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from './context';
import { CliError, UsageError } from './errors';

/** The entry file next to this module's tree: `<src|dist/src>/<relative>.<js|ts>`. */
export function entryFile(relative: string): string {
  const ext = path.extname(__filename) === '.ts' ? '.ts' : '.js';
  return path.join(__dirname, '..', `${relative}${ext}`);
}

function runChild(ctx: CliContext, file: string, args: string[], env: NodeJS.ProcessEnv, what: string): Promise<void> {
  if (!existsSync(file)) {
    const source = path.join(ctx.root, 'src', path.relative(path.join(__dirname, '..'), file)).replace(/\.js$/, '.ts');
    if (existsSync(source)) throw new CliError('NOT_BUILT', `${what} is not built (${file} is missing): run \`npm run build\` in the checkout`);
    throw new CliError('NOT_AVAILABLE', `${what} is not part of this version of b24-robots (${path.relative(ctx.root, source)} does not exist)`);
  }
  return new Promise((resolve, reject) => {
    // execArgv keeps tsx's loader when the CLI itself runs from source.
    const child = spawn(process.execPath, [...process.execArgv, file, ...args], { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('error', (error) => reject(new CliError('SPAWN_FAILED', `could not start ${what}: ${error.message}`)));
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      // A child stopped by Ctrl-C ended as asked.
      ctx.exitCode = signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : (code ?? 1);
      resolve();
    });
  });
}

function port(value: string): string {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a port number 0..65535 (got "${value}")`);
  return String(n);
}

export function registerProcessCommands(program: Command, deps: { root: string; context: () => CliContext }): void {
  program
    .command('serve')
    .description('start the service: receiver, worker and scheduler (or one of them with --role)')
    .option('--port <port>', 'port to listen on (overrides PORT)', port)
    .option('--role <role>', 'all (default), receiver, worker or scheduler (overrides ROLE)')
    .addHelpText(
      'after',
      `
Reads the same variables as \`npm start\` (see .env.example); --database and --public-url override them.

Examples:
  $ PUBLIC_URL=https://robots.example.com B24_CLIENT_ID=… B24_CLIENT_SECRET=… b24robots serve
  $ b24robots serve --role worker --database postgres://app@db:5432/robots`,
    )
    .action(async (options: { port?: string; role?: string }) => {
      const ctx = deps.context();
      const env = { ...ctx.env };
      if (ctx.globals.database) env.DATABASE_URL = ctx.globals.database;
      if (ctx.globals.publicUrl) env.PUBLIC_URL = ctx.globals.publicUrl;
      if (options.port) env.PORT = options.port;
      if (options.role) env.ROLE = options.role;
      await runChild(ctx, entryFile('main'), [], env, 'the service');
    });

  program
    .command('sandbox')
    .description('start the emulated Bitrix24 portal (REST, OAuth, limits, batch, robots) for offline work')
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[options...]', 'passed to the sandbox: --port, --portals, --plan, --state, --install-url, --no-seed, --no-limits')
    .addHelpText(
      'after',
      `
Examples:
  $ b24robots sandbox --port 4500 --portals 2
  $ b24robots sandbox --state data/sandbox.json --install-url http://127.0.0.1:3000/install
  $ npm run sandbox -- --help     # the sandbox's own option list`,
    )
    .action(async (args: string[]) => {
      const ctx = deps.context();
      await runChild(ctx, entryFile('sandbox/cli'), args, ctx.env, 'the sandbox');
    });

  program
    .command('demo')
    .description('start the demo: the sandbox portal, the service and robots at work on sample data')
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[options...]', 'passed to the demo')
    .addHelpText('after', '\nExamples:\n  $ b24robots demo\n  $ npm run demo -- --help     # the demo\'s own options')
    .action(async (args: string[]) => {
      const ctx = deps.context();
      await runChild(ctx, entryFile('demo/index'), args, ctx.env, 'the demo');
    });
}
