/**
 * The parts a sandbox runs when `startSandbox` gets no `parts` option: the data part (src/sandbox/data) and the
 * bizproc part (src/sandbox/bizproc). They are loaded at run time so the platform works, and can be tested, while a
 * part is absent; a part that exists but fails to load is an error, not silently skipped.
 */
import type { SandboxPart } from './contract';

const DEFAULT_PARTS: Array<[specifier: string, exportName: string]> = [
  ['./data', 'dataPart'],
  ['./bizproc', 'bizprocPart'],
];

function isMissing(err: unknown, specifier: string): boolean {
  const e = err as NodeJS.ErrnoException;
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${specifier}'`);
}

export function loadDefaultParts(): SandboxPart[] {
  const parts: SandboxPart[] = [];
  for (const [specifier, exportName] of DEFAULT_PARTS) {
    let mod: Record<string, unknown>;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional parts, resolved at run time (see above)
      mod = require(specifier) as Record<string, unknown>;
    } catch (err) {
      if (isMissing(err, specifier)) continue;
      throw err;
    }
    const part = mod[exportName] as SandboxPart | undefined;
    if (!part) throw new Error(`sandbox part module ${specifier} does not export "${exportName}"`);
    parts.push(part);
  }
  return parts;
}
