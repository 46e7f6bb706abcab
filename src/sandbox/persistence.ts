/**
 * Saving and loading a sandbox: apps, and per portal its identity, limits, faults, users and every part's JSON
 * state (`portal.state`). Written atomically (temporary file, then rename).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { PortalSnapshot } from './portal';
import type { PlatformApp } from './system-methods';

export interface SandboxFile {
  version: 1;
  savedAt: string;
  apps: PlatformApp[];
  portals: PortalSnapshot[];
}

export async function loadSandboxFile(file: string): Promise<SandboxFile | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let data: Partial<SandboxFile>;
  try {
    data = JSON.parse(text) as Partial<SandboxFile>;
  } catch {
    throw new Error(`sandbox state file ${file} is not JSON: delete it or point --state at another file`);
  }
  if (data.version !== 1 || !Array.isArray(data.apps) || !Array.isArray(data.portals)) {
    throw new Error(`sandbox state file ${file} is not a version 1 sandbox state: delete it or point --state at another file`);
  }
  return data as SandboxFile;
}

export async function saveSandboxFile(file: string, data: SandboxFile): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(data, null, 1), 'utf8');
  await fs.rename(tmp, file);
}
