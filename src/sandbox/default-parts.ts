/**
 * The parts a sandbox runs when `startSandbox` gets no `parts` option: the data part (CRM, tasks, lists, users,
 * drive, notifications) and the bizproc part (robots, workflows, app install and events).
 */
import type { SandboxPart } from './contract';
import { dataPart } from './data';
import { bizprocPart } from './bizproc';

export function loadDefaultParts(): SandboxPart[] {
  return [dataPart, bizprocPart];
}
