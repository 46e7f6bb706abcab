/**
 * Reads the committed manifests (`manifests/<code>.json`, written by `b24robots manifests`): they, not the robot code,
 * say what `register`/`sync` put on a portal, so what is reviewed in a pull request is exactly what gets registered.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RegistrationPayload, RobotManifest } from '../activities/manifest';
import { CliError } from './errors';

function isPayload(value: unknown): value is RegistrationPayload {
  const payload = value as Partial<RegistrationPayload> | null;
  return (
    typeof payload === 'object' &&
    payload !== null &&
    typeof payload.CODE === 'string' &&
    typeof payload.HANDLER === 'string' &&
    payload.NAME !== undefined
  );
}

function badManifest(file: string, problem: string): CliError {
  return new CliError('MANIFEST_INVALID', `${file} ${problem}: regenerate the manifests with \`b24robots manifests\``);
}

function parseManifest(file: string, text: string): RobotManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badManifest(file, 'is not valid JSON');
  }
  const manifest = value as Partial<RobotManifest> | null;
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.code !== 'string') {
    throw badManifest(file, 'has no "code"');
  }
  for (const key of ['robot', 'activity'] as const) {
    const payload = manifest[key];
    if (payload !== null && payload !== undefined && !isPayload(payload)) {
      throw badManifest(file, `has a "${key}" without CODE, HANDLER and NAME`);
    }
  }
  return {
    code: manifest.code,
    version: String(manifest.version ?? ''),
    robot: manifest.robot ?? null,
    activity: manifest.activity ?? null,
  };
}

/** Every manifest in `dir`, sorted by code. A missing directory is an error naming the fix. */
export async function loadManifests(dir: string): Promise<RobotManifest[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError('MANIFESTS_MISSING', `no manifests directory at ${dir}: run \`b24robots manifests\` or pass --manifests <dir>`);
    }
    throw error;
  }
  const manifests: RobotManifest[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    manifests.push(parseManifest(file, await readFile(file, 'utf8')));
  }
  return manifests.sort((a, b) => a.code.localeCompare(b.code));
}
