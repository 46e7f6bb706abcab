/**
 * The robots a service instance provides, found by the CODE a call carries: `<code>` for a robot,
 * `<code>_bp` for its activity (PROTOCOL §1.1: one CODE namespace for both).
 */
import { activityCode } from './define-robot';
import type { RobotDefinition } from './types';

export interface RobotRegistry {
  /** The robot for a robot CODE or an activity CODE (`<code>_bp`); null when unknown. */
  resolve(code: string): RobotDefinition | null;
  /** The robot by its own code. */
  get(code: string): RobotDefinition | null;
  list(): RobotDefinition[];
}

export class DuplicateRobotError extends Error {
  readonly code = 'DUPLICATE_ROBOT_CODE';
}

export function createRegistry(robots: readonly RobotDefinition[]): RobotRegistry {
  const byCode = new Map<string, RobotDefinition>();
  const byAnyCode = new Map<string, RobotDefinition>();
  for (const robot of robots) {
    // CODEs are matched case-insensitively by Bitrix24's regex; two codes differing only in case would collide.
    const names = [robot.code, activityCode(robot.code)].map((name) => name.toLowerCase());
    for (const name of names) {
      const other = byAnyCode.get(name);
      if (other) {
        throw new DuplicateRobotError(
          `robot code "${name}" is used by both "${other.code}" and "${robot.code}": give one of them another code`,
        );
      }
    }
    byCode.set(robot.code.toLowerCase(), robot);
    for (const name of names) byAnyCode.set(name, robot);
  }
  return {
    resolve: (code) => byAnyCode.get(String(code).toLowerCase()) ?? null,
    get: (code) => byCode.get(String(code).toLowerCase()) ?? null,
    list: () => [...robots],
  };
}
