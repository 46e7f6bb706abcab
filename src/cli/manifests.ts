/**
 * `b24robots manifests [--check]`: rewrites `manifests/<code>.json` from the robot definitions, or checks that the
 * committed files are up to date (CI runs `npm run manifests:check`).
 */
import path from 'node:path';
import { checkManifests, writeManifests } from '../activities/manifest-files';
import type { RobotDefinition } from '../activities/types';

export interface ManifestsCommandOptions {
  check: boolean;
  dir: string;
  robots: readonly RobotDefinition[];
  /** Where messages go (default: process stdout/stderr). */
  out?: { log(message: string): void; error(message: string): void };
}

/** Returns the process exit code: 0 when written or up to date, 1 when the check found problems. */
export async function runManifestsCommand(options: ManifestsCommandOptions): Promise<number> {
  const out = options.out ?? { log: (m: string) => console.log(m), error: (m: string) => console.error(m) };
  const shown = path.relative(process.cwd(), options.dir) || '.';
  if (options.check) {
    const problems = await checkManifests(options.robots, options.dir);
    if (problems.length === 0) {
      out.log(`manifests: ${options.robots.length} robot(s), ${shown} is up to date`);
      return 0;
    }
    for (const { file, problem } of problems) out.error(`manifests: ${path.join(shown, file)} is ${problem}`);
    out.error('manifests: run `npm run manifests` and commit the result');
    return 1;
  }
  const { written, removed } = await writeManifests(options.robots, options.dir);
  for (const file of written) out.log(`manifests: wrote ${path.join(shown, file)}`);
  for (const file of removed) out.log(`manifests: removed ${path.join(shown, file)}`);
  if (written.length === 0 && removed.length === 0) out.log(`manifests: ${shown} was already up to date`);
  return 0;
}
