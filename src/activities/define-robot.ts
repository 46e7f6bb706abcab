/**
 * `defineRobot(def)`: checks a robot definition when the module loads, so a bad code or property fails the build and
 * the tests, not a registration on a customer's portal. Adds the `Result` and `Error` return values every robot has.
 */
import { AUTOMATION_KINDS, ALL_KINDS } from './document';
import type { DocumentKind, Localized, PropertyDefinition, PropertyMap, PropertyType, RobotDefinition } from './types';

export const PROPERTY_TYPES: readonly PropertyType[] = ['bool', 'date', 'datetime', 'double', 'file', 'int', 'select', 'string', 'text', 'user'];

/** bizproc CODE: `^[a-z0-9.\-_]+$` case-insensitive, ≤ 128 chars (DB column; PROTOCOL §1.2). */
const CODE_PATTERN = /^[a-z0-9.\-_]+$/i;
const CODE_MAX = 128;
/** Property keys: `^[a-z][a-z0-9_]*$`, case-insensitive, so camelCase codes like `categoryId` are accepted (§1.2). */
const PROPERTY_CODE_PATTERN = /^[a-z][a-z0-9_]*$/i;
/** A robot and an activity of one app cannot share a CODE (§1.1), so the activity gets this suffix. */
export const ACTIVITY_SUFFIX = '_bp';

/** Return values every robot has (RULES.md "Common to all robots"). */
export const STANDARD_RETURNS: PropertyMap = {
  Result: {
    type: 'select',
    name: { ru: 'Результат', en: 'Result' },
    description: { ru: 'ok — выполнено, skipped — нечего делать, error — ошибка', en: 'ok, skipped or error' },
    options: {
      ok: { ru: 'Выполнено', en: 'Done' },
      skipped: { ru: 'Пропущено', en: 'Skipped' },
      error: { ru: 'Ошибка', en: 'Error' },
    },
  },
  Error: { type: 'string', name: { ru: 'Ошибка', en: 'Error' }, description: { ru: 'Текст ошибки', en: 'Error text' } },
};

/** Keys of the handler's return object that are not return properties of the robot's own. */
const RESERVED_RETURNS = ['result', 'error', 'logmessage'];

export class RobotDefinitionError extends Error {
  readonly code = 'INVALID_ROBOT_DEFINITION';
  constructor(robot: string, problem: string) {
    super(`robot "${robot}": ${problem}`);
    this.name = 'RobotDefinitionError';
  }
}

/** A bizproc expression such as `{=Document:ASSIGNED_BY_ID}` or `{{Responsible}}`: evaluated by the portal, so it is
 *  registered as the Default but never applied by the service. */
export function isExpressionDefault(value: unknown): value is string {
  return typeof value === 'string' && /^\s*(\{=[\s\S]*\}|\{\{[\s\S]*\}\})\s*$/.test(value);
}

function checkLocalized(robot: string, where: string, text: unknown, required: boolean): void {
  if (text === undefined && !required) return;
  const map = text as Localized;
  if (typeof map !== 'object' || map === null) throw new RobotDefinitionError(robot, `${where} must be {ru, en}`);
  for (const lang of ['ru', 'en']) {
    if (typeof map[lang] !== 'string' || map[lang].trim() === '') {
      throw new RobotDefinitionError(robot, `${where} needs a non-empty "${lang}" text`);
    }
  }
}

/**
 * A default only the portal can evaluate: an expression, or a bizproc user code such as `Author` (the documented
 * example, §1.3) for a user property. Registered as is; the service applies only defaults it can read itself.
 */
export function isPortalDefault(prop: Pick<PropertyDefinition, 'type'>, value: unknown): boolean {
  if (isExpressionDefault(value)) return true;
  if (prop.type === 'user') {
    const values = Array.isArray(value) ? value : [value];
    return values.some((item) => typeof item === 'string' && !/^user_\d+$/i.test(item.trim()));
  }
  return false;
}

function defaultFits(prop: PropertyDefinition, value: unknown): boolean {
  switch (prop.type) {
    case 'bool':
      return typeof value === 'boolean';
    case 'user':
      return Number.isInteger(value) || (typeof value === 'string' && value.trim() !== '');
    case 'int':
    case 'file':
      return Number.isInteger(value);
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
    case 'text':
      return typeof value === 'string';
    case 'select':
      return typeof value === 'string' && Object.prototype.hasOwnProperty.call(prop.options ?? {}, value);
    case 'date':
    case 'datetime':
      return value instanceof Date && !Number.isNaN(value.getTime());
  }
}

function checkProperty(robot: string, group: string, code: string, prop: PropertyDefinition): void {
  const where = `${group} "${code}"`;
  if (!PROPERTY_CODE_PATTERN.test(code)) {
    throw new RobotDefinitionError(robot, `${where}: the code must match ^[a-z][a-z0-9_]*$ (letters, digits, _; a letter first)`);
  }
  if (!PROPERTY_TYPES.includes(prop.type)) {
    throw new RobotDefinitionError(robot, `${where}: unknown type "${prop.type}", use one of ${PROPERTY_TYPES.join(', ')}`);
  }
  checkLocalized(robot, `${where} name`, prop.name, true);
  checkLocalized(robot, `${where} description`, prop.description, false);
  if (prop.type === 'select') {
    const keys = Object.keys(prop.options ?? {});
    if (keys.length === 0) throw new RobotDefinitionError(robot, `${where}: a select needs options {key: label}`);
  } else if (prop.options !== undefined) {
    throw new RobotDefinitionError(robot, `${where}: options are only for select properties`);
  }
  if (prop.default !== undefined && !isExpressionDefault(prop.default)) {
    const values = prop.multiple && Array.isArray(prop.default) ? prop.default : [prop.default];
    for (const value of values) {
      if (!defaultFits(prop, value)) {
        const hint = prop.type === 'select' ? `one of ${Object.keys(prop.options ?? {}).join(', ')}` : `a ${prop.type} value`;
        throw new RobotDefinitionError(robot, `${where}: default ${JSON.stringify(value)} is not ${hint}`);
      }
    }
  }
}

function checkPropertyMap(robot: string, group: string, map: unknown): void {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new RobotDefinitionError(robot, `${group} must be an object {code: property}`);
  }
  const seen = new Set<string>();
  for (const [code, prop] of Object.entries(map as PropertyMap)) {
    checkProperty(robot, group === 'properties' ? 'property' : 'return value', code, prop);
    // event.send matches RETURN_VALUES case-insensitively (§3.1): codes must differ in more than case.
    if (seen.has(code.toLowerCase())) throw new RobotDefinitionError(robot, `${group} has "${code}" twice (case-insensitive)`);
    seen.add(code.toLowerCase());
  }
}

/** Whether the definition registers a robot (bizproc.robot.add) and an activity (bizproc.activity.add). */
export function registrationOf(def: Pick<RobotDefinition, 'documentTypes' | 'robot' | 'activity'>): { robot: boolean; activity: boolean } {
  const hasAutomation = def.documentTypes.some((kind) => AUTOMATION_KINDS.has(kind));
  return { robot: def.robot ?? hasAutomation, activity: def.activity ?? true };
}

/** The CODE of the activity registration of a robot. */
export function activityCode(code: string): string {
  return `${code}${ACTIVITY_SUFFIX}`;
}

/**
 * Checks and completes a robot definition. Throws RobotDefinitionError naming the robot and what to fix.
 * The returned definition has `Result` and `Error` added to `returns`.
 */
export function defineRobot<const P extends PropertyMap, S = any>(def: RobotDefinition<P, S>): RobotDefinition<P, S> {
  const code = String(def.code ?? '');
  if (!CODE_PATTERN.test(code)) {
    throw new RobotDefinitionError(code, 'the code must match ^[a-z0-9.\\-_]+$ (letters, digits, dot, hyphen, underscore)');
  }
  if (activityCode(code).length > CODE_MAX) {
    throw new RobotDefinitionError(code, `the code is too long: "${activityCode(code)}" must fit in ${CODE_MAX} characters`);
  }
  checkLocalized(code, 'name', def.name, true);
  checkLocalized(code, 'description', def.description, true);
  if (!Array.isArray(def.documentTypes)) throw new RobotDefinitionError(code, 'documentTypes must be an array');
  for (const kind of def.documentTypes) {
    if (!ALL_KINDS.includes(kind as DocumentKind)) {
      throw new RobotDefinitionError(code, `unknown document type "${kind}", use one of ${ALL_KINDS.join(', ')}`);
    }
  }
  const registration = registrationOf(def);
  if (registration.robot && !def.documentTypes.some((kind) => AUTOMATION_KINDS.has(kind))) {
    throw new RobotDefinitionError(code, 'robot: true needs a document type with automation rules (lead, deal, quote, smart_invoice, dynamic)');
  }
  if ((registration.robot || registration.activity) && def.documentTypes.length === 0) {
    throw new RobotDefinitionError(code, 'documentTypes is empty: name where the robot may be used, or set robot: false, activity: false');
  }
  checkPropertyMap(code, 'properties', def.properties);
  // Defining an already defined robot again is harmless: its standard returns are taken off and added back.
  const ownReturns = Object.fromEntries(
    Object.entries(def.returns ?? {}).filter(([name, prop]) => STANDARD_RETURNS[name] !== prop),
  ) as PropertyMap;
  checkPropertyMap(code, 'returns', ownReturns);
  for (const name of Object.keys(ownReturns)) {
    if (RESERVED_RETURNS.includes(name.toLowerCase())) {
      throw new RobotDefinitionError(code, `returns: "${name}" is reserved (Result, Error and LogMessage are added by the runtime)`);
    }
  }
  if (typeof def.handler !== 'function') throw new RobotDefinitionError(code, 'handler must be an async function');
  if (def.settings !== undefined) {
    const module = def.settings;
    if (typeof module.key !== 'string' || !/^[a-z][a-zA-Z0-9_]*$/.test(module.key) || typeof module.schema !== 'object') {
      throw new RobotDefinitionError(code, 'settings needs a key (e.g. "onboarding"), a JSON schema and defaults');
    }
  }
  return Object.freeze({ ...def, returns: { ...ownReturns, ...STANDARD_RETURNS } }) as RobotDefinition<P, S>;
}
