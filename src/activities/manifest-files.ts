/**
 * `manifests/<code>.json`: generated, committed, and checked. `npm run manifests` rewrites them;
 * `npm run manifests:check` (and a test) fails when a file is stale, missing or left over from a removed robot.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildManifest, renderManifest } from './manifest';
import type { RobotDefinition } from './types';

export interface ManifestProblem {
  file: string;
  problem: 'stale' | 'missing' | 'extra';
}

/** File name → expected text, for every robot that registers something. */
function expectedFiles(robots: readonly RobotDefinition[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const robot of robots) {
    const manifest = buildManifest(robot);
    if (manifest) files.set(`${robot.code}.json`, renderManifest(manifest));
  }
  return files;
}

async function jsonFilesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Writes every manifest that changed and removes manifests of robots that no longer exist. */
export async function writeManifests(
  robots: readonly RobotDefinition[],
  dir: string,
): Promise<{ written: string[]; removed: string[] }> {
  const expected = expectedFiles(robots);
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, text] of expected) {
    const target = path.join(dir, file);
    const current = await readFile(target, 'utf8').catch(() => null);
    if (current === text) continue;
    await writeFile(target, text, 'utf8');
    written.push(file);
  }
  const removed: string[] = [];
  for (const file of await jsonFilesIn(dir)) {
    if (expected.has(file)) continue;
    await rm(path.join(dir, file));
    removed.push(file);
  }
  return { written, removed };
}

/** Compares the committed files with what the robots would generate; empty when everything is up to date. */
export async function checkManifests(robots: readonly RobotDefinition[], dir: string): Promise<ManifestProblem[]> {
  const expected = expectedFiles(robots);
  const problems: ManifestProblem[] = [];
  for (const [file, text] of expected) {
    const current = await readFile(path.join(dir, file), 'utf8').catch(() => null);
    if (current === null) problems.push({ file, problem: 'missing' });
    else if (current !== text) problems.push({ file, problem: 'stale' });
  }
  for (const file of await jsonFilesIn(dir)) {
    if (!expected.has(file)) problems.push({ file, problem: 'extra' });
  }
  return problems;
}
