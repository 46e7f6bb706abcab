/**
 * Every robot the service provides: a plain list, one import per business rule.
 * The registry, the manifests (`npm run manifests`) and the worker read it.
 */
import type { RobotDefinition } from '../src/activities/types';
import onboardingCheckCompany from './onboarding_check_company';
import onboardingCreateDeal from './onboarding_create_deal';

export const robots: RobotDefinition[] = [
  // A. Accounting-outsourcing onboarding (seed 004)
  onboardingCheckCompany,
  onboardingCreateDeal,
];

export default robots;
