/**
 * Every robot the service provides: a plain list, one import per business rule.
 * The registry, the manifests (`npm run manifests`) and the worker read it.
 */
import type { RobotDefinition } from '../src/activities/types';

export const robots: RobotDefinition[] = [];

export default robots;
