/** The robot/activity runtime: what robots, the receiver, the worker and the CLI import. */
export * from './types';
export { defineRobot, registrationOf, activityCode, isExpressionDefault, isPortalDefault, RobotDefinitionError, STANDARD_RETURNS, PROPERTY_TYPES, ACTIVITY_SUFFIX } from './define-robot';
export { RobotError, isRobotError } from './robot-error';
export { coerceInput, coerceValue, type CoerceOptions, type CoerceResult } from './coerce';
export { validateInput, inputSchema } from './validate';
export { prepareInput, type InputResult } from './input';
export { propertyIssue, issuesMessage, type PropertyIssue } from './issues';
export { externalizeValue, externalizeReturns } from './externalize';
export { parseWireDate, type ParseDateOptions } from './wire-date';
export {
  isValidTimeZone,
  toWallTime,
  fromWallTime,
  startOfDay,
  zoneOffsetMinutes,
  formatIsoDate,
  formatIsoDateTime,
  type WallTime,
} from './time-zone';
export { parseDocumentId, DOCUMENT_KINDS, AUTOMATION_KINDS } from './document';
export {
  buildManifest,
  buildRobotPayload,
  buildActivityPayload,
  materializeManifest,
  renderManifest,
  PUBLIC_URL_PLACEHOLDER,
  type RobotManifest,
  type RegistrationPayload,
  type PropertyPayload,
  type PayloadOptions,
} from './manifest';
export { writeManifests, checkManifests, type ManifestProblem } from './manifest-files';
export { loadSettings, saveSettings, resolveSettings, SettingsError } from './settings';
export { buildContext, childLogger, runLogMeta, portalInfo, type ContextOptions } from './context';
export { createRegistry, DuplicateRobotError, type RobotRegistry } from './registry';
