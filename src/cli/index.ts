#!/usr/bin/env node
/**
 * The `b24robots` command line: a small composition of command modules (one file per command).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { robots } from '../../robots';
import { runManifestsCommand } from './manifests';

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

export function buildProgram(): Command {
  const program = new Command();
  program.name('b24robots').description('Custom Bitrix24 robots and business-process activities');
  program
    .command('manifests')
    .description('write manifests/<code>.json (the bizproc.robot.add / bizproc.activity.add payloads) from the robots')
    .option('--check', 'only check that the committed manifests are up to date (exit 1 if not)', false)
    .option('--dir <dir>', 'manifests directory', path.join(packageRoot(), 'manifests'))
    .action(async (opts: { check: boolean; dir: string }) => {
      process.exitCode = await runManifestsCommand({ check: opts.check, dir: path.resolve(opts.dir), robots });
    });
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
