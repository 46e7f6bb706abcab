#!/usr/bin/env node
/**
 * The `b24robots` command line: a small composition of command modules (one file per command).
 * Exit codes: 0 success, 1 failure (an error that names its fix), 2 usage (bad arguments, with the command's help).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { runManifestsCommand } from './manifests';
import { createCliContext, type CliContext, type CliDeps, type GlobalOptions } from './context';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './errors';
import { registerInvokeCommand } from './invoke';
import { registerListCommand } from './list';
import { registerPortalsCommand } from './portals';
import { registerProcessCommands } from './processes';
import { registerRegistrationCommands } from './register';
import { registerReportCommand } from './report';
import { registerRunsCommand } from './runs';
import { registerSchedulesCommand } from './schedules';
import { registerSettingsCommand } from './settings';

/** The package root (where package.json is), from src/cli or dist/src/cli alike. */
export function packageRoot(start = __dirname): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

function packageVersion(root: string): string {
  try {
    return String(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version ?? '0.0.0');
  } catch {
    return '0.0.0';
  }
}

interface Session {
  context(): CliContext;
  /** The command whose action runs (for the help printed after a usage error). */
  active: Command | null;
  opened: CliContext | null;
}

export function buildProgram(deps: CliDeps = {}): { program: Command; session: Session } {
  const root = deps.root ?? packageRoot();
  const program = new Command();
  const session: Session = {
    active: null,
    opened: null,
    context() {
      if (!session.opened) {
        const globals = (session.active ?? program).optsWithGlobals<GlobalOptions>();
        session.opened = createCliContext(globals, { ...deps, root });
      }
      return session.opened;
    },
  };
  const streams = deps.streams ?? { stdout: process.stdout, stderr: process.stderr };
  program
    .name('b24robots')
    .version(packageVersion(root), '-V, --version', 'print the version')
    .description('Manage the b24-robots service: robots on installed Bitrix24 portals, settings, runs, sandbox')
    .option('--database <url>', 'database of the service (overrides DATABASE_URL): sqlite:<file> or postgres://…')
    .option('--public-url <url>', 'public URL of the service (overrides PUBLIC_URL): robot handlers are <url>/robots/<code>')
    .option('--manifests <dir>', 'manifests directory (default: ./manifests of the package)')
    .option('--no-color', 'no colours (also: NO_COLOR=1; colours are used only on a terminal anyway)')
    .option('--verbose', 'log what the client and store do (on stderr)')
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => void streams.stdout.write(text),
      writeErr: (text) => void streams.stderr.write(text),
    })
    .addHelpText(
      'after',
      `
Configuration is read like the service's: DATABASE_URL, B24_CLIENT_ID, B24_CLIENT_SECRET, B24_OAUTH_SERVER,
PUBLIC_URL. Exit codes: 0 ok, 1 failure, 2 bad usage.

Examples:
  $ b24robots portals
  $ b24robots list --portal acme.bitrix24.ru
  $ b24robots sync --all --dry-run
  $ b24robots invoke onboarding_create_deal --portal acme.bitrix24.ru --document COMPANY_12 --dry-run
  $ b24robots runs --state failed
  $ b24robots <command> --help`,
    )
    .hook('preAction', (_program, actionCommand) => {
      session.active = actionCommand;
    });

  program
    .command('manifests')
    .description('write manifests/<code>.json (the bizproc.robot.add / bizproc.activity.add payloads) from the robots')
    .option('--check', 'only check that the committed manifests are up to date (exit 1 if not)', false)
    .option('--dir <dir>', 'manifests directory (default: --manifests, or ./manifests of the package)')
    .addHelpText(
      'after',
      `
Examples:
  $ b24robots manifests            # rewrite manifests/ after changing a robot
  $ b24robots manifests --check    # CI: fail when manifests/ is stale`,
    )
    .action(async (opts: { check: boolean; dir?: string }) => {
      const ctx = session.context();
      const dir = path.resolve(opts.dir ?? ctx.globals.manifests ?? path.join(root, 'manifests'));
      ctx.exitCode = await runManifestsCommand({ check: opts.check, dir, robots: ctx.robots() });
    });

  registerPortalsCommand(program, () => session.context());
  registerListCommand(program, () => session.context());
  registerRegistrationCommands(program, () => session.context());
  registerInvokeCommand(program, () => session.context());
  registerSettingsCommand(program, () => session.context());
  registerRunsCommand(program, () => session.context());
  registerSchedulesCommand(program, () => session.context());
  registerReportCommand(program, {
    async open() {
      const ctx = session.context();
      // The session closes both at the end of the command.
      return { store: await ctx.store(), client: await ctx.client(), close: async () => undefined };
    },
    write: (text) => void streams.stdout.write(text),
  });
  // report.ts (another module) defines the reports; their examples are added here.
  const report = program.commands.find((command) => command.name() === 'report');
  report?.addHelpText('after', '\nExamples:\n  $ b24robots report onboarding --portal acme.bitrix24.ru --from 2025-01 --to 2025-03\n  $ b24robots report <report> --help');
  report?.commands
    .find((command) => command.name() === 'onboarding')
    ?.addHelpText(
      'after',
      '\nExamples:\n  $ b24robots report onboarding --portal acme.bitrix24.ru --from 2025-01 --to 2025-03\n' +
        '  $ b24robots report onboarding --portal acme.bitrix24.ru --part clients --csv > clients.csv',
    );
  registerProcessCommands(program, { root, context: () => session.context() });
  return { program, session };
}

/** Errors whose message already says what to do: printed as is, exit 1 (or 2 for usage). */
function knownError(error: unknown): { message: string; exitCode: number } | null {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  const coded = error as { code?: unknown; message?: unknown; name?: string };
  if (error instanceof Error && typeof coded.code === 'string' && coded.code !== '') {
    // ReportCommandError BAD_OPTION: a bad option value is a usage error.
    return { message: error.message, exitCode: coded.code === 'BAD_OPTION' ? EXIT_USAGE : EXIT_FAILURE };
  }
  return null;
}

/** Runs the CLI with `argv` (as process.argv) and returns the exit code; never throws. */
export async function runCli(argv: string[], deps: CliDeps = {}): Promise<number> {
  const { program, session } = buildProgram(deps);
  const stderr = deps.streams?.stderr ?? process.stderr;
  let exitCode: number = EXIT_OK;
  try {
    await program.parseAsync(argv);
    exitCode = session.opened?.exitCode ?? EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the message (and the help); help and --version end with 0.
      exitCode = error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    } else {
      const known = knownError(error);
      const verbose = Boolean(session.opened?.globals.verbose ?? argv.includes('--verbose'));
      if (known) {
        stderr.write(`error: ${known.message}\n`);
        exitCode = known.exitCode;
      } else {
        const text = error instanceof Error ? (verbose ? (error.stack ?? error.message) : error.message) : String(error);
        stderr.write(`error: ${text}${verbose ? '' : '\n(run with --verbose for details)'}\n`);
        exitCode = EXIT_FAILURE;
      }
      if (exitCode === EXIT_USAGE) stderr.write(`\n${(session.active ?? program).helpInformation()}`);
    }
  } finally {
    await session.opened?.close();
  }
  return exitCode;
}

if (require.main === module) {
  runCli(process.argv).then((code) => {
    process.exitCode = code;
  });
}
