/**
 * Every robot the service provides: a plain list, one import per business rule.
 * The registry, the manifests (`npm run manifests`) and the worker read it.
 */
import type { RobotDefinition } from '../src/activities/types';
import onboardingCheckCompany from './onboarding_check_company';
import onboardingCreateDeal from './onboarding_create_deal';
import callsDistribute from './calls_distribute';
import commsCheckSilence from './comms_check_silence';
import commsStamp from './comms_stamp';
import commsSweep from './comms_sweep';

export const robots: RobotDefinition[] = [
  // A. Accounting-outsourcing onboarding (seed 004)
  onboardingCheckCompany,
  onboardingCreateDeal,
  // B. Client communication control and weekly call distribution (seed 001)
  commsStamp,
  commsCheckSilence,
  commsSweep,
  callsDistribute,
];

export default robots;
