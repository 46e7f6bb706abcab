/**
 * `npm run demo [-- --keep] [-- --only onboarding|comms]`: starts the sandbox portal and the service, installs the app,
 * and plays the business rules on it, printing what happened. Exits 0; with `--keep` the onboarding sandbox and
 * service stay up (Ctrl-C stops them) so their URLs can be explored.
 */
import path from 'node:path';
import { runCommsDemo } from './comms';
import { runOnboardingDemo } from './onboarding';
import type { DemoStack } from './stack';

const DEMOS = ['onboarding', 'comms'] as const;
type DemoName = (typeof DEMOS)[number];

export interface DemoArgs {
  keep: boolean;
  only: DemoName[];
}

export function parseDemoArgs(argv: string[]): DemoArgs {
  const args: DemoArgs = { keep: false, only: [...DEMOS] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--keep') args.keep = true;
    else if (arg === '--only') {
      const name = argv[++i] as DemoName;
      if (!DEMOS.includes(name)) throw new Error(`--only "${String(name)}": choose one of ${DEMOS.join(', ')}`);
      args.only = [name];
    } else throw new Error(`unknown option "${arg}": use --keep and/or --only ${DEMOS.join('|')}`);
  }
  return args;
}

export async function runDemo(args: DemoArgs, write: (line: string) => void): Promise<DemoStack | null> {
  const root = path.resolve(__dirname, '..', '..');
  let kept: DemoStack | null = null;
  if (args.only.includes('onboarding')) {
    kept = await runOnboardingDemo({ write, root, keep: args.keep });
    if (!args.keep) kept = null;
  }
  if (args.only.includes('comms')) {
    write('');
    await runCommsDemo({ write });
  }
  return kept;
}

async function main(): Promise<void> {
  const write = (line: string) => void process.stdout.write(`${line}\n`);
  const args = parseDemoArgs(process.argv.slice(2));
  const kept = await runDemo(args, write);
  if (!kept) return;
  write(`\nStill running (--keep): sandbox ${kept.sandbox.url}, service ${kept.app.url}. Ctrl-C stops both.`);
  write(`  DATABASE_URL=${kept.databaseUrl} npm run cli -- report onboarding --portal ${kept.portal.domain}`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await kept.close({ keepDatabase: true });
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
