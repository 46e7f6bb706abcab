/**
 * `bizproc.robot.add|update|delete|list` and `bizproc.activity.add|update|delete|list` (PROTOCOL §1.1–1.6).
 * Robots and actions share one table keyed by (app client_id, CODE); update/delete/list filter by type.
 */
import { RestError } from '../contract';
import type { MethodContext, MethodRegistry, PortalCore } from '../contract';
import { checkHandlerUrl, MAX_HANDLER_LENGTH } from './handler-url';
import { isEmpty, isPhpArray, isPlainObject, toYN, upperCaseParams } from './params';
import { bizprocState } from './state';
import type { PropertyDef, Registration } from './state';

const CODE_RE = /^[a-z0-9.\-_]+$/i;
const PROPERTY_KEY_RE = /^[a-z][a-z0-9_]*$/i;
/** CODE is a varchar(128) column; the properties columns are serialized text < 64 KB (PROTOCOL §1.2). */
const MAX_CODE_LENGTH = 128;
const MAX_SERIALIZED_BYTES = 65535;

const UPDATABLE = [
  'HANDLER',
  'AUTH_USER_ID',
  'USE_SUBSCRIPTION',
  'NAME',
  'DESCRIPTION',
  'PROPERTIES',
  'RETURN_PROPERTIES',
  'DOCUMENT_TYPE',
  'FILTER',
  'USE_PLACEMENT',
  'PLACEMENT_HANDLER',
];

/** Document classes the document service knows, by module (PROTOCOL §1.2 list of DOCUMENT_TYPE values). */
const DOCUMENT_CLASSES: Record<string, string[]> = {
  crm: [
    'CCrmDocumentLead',
    'CCrmDocumentDeal',
    'CCrmDocumentContact',
    'CCrmDocumentCompany',
    'Bitrix\\Crm\\Integration\\BizProc\\Document\\Quote',
    'Bitrix\\Crm\\Integration\\BizProc\\Document\\SmartInvoice',
    'Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic',
    'Bitrix\\Crm\\Integration\\BizProc\\Document\\Order',
  ],
  lists: ['BizprocDocument', 'Bitrix\\Lists\\BizprocDocumentLists'],
  disk: ['Bitrix\\Disk\\BizProcDocument'],
};

function validationError(description: string): RestError {
  return new RestError(400, 'ERROR_ACTIVITY_VALIDATION_FAILURE', description);
}

function saveError(): RestError {
  return new RestError(400, 'ERROR_ACTIVITY_ADD_FAILURE', 'Activity save error!');
}

function notFound(): RestError {
  // The docs print "Activity or Automation rule not found!"; the code says "Robot" (PROTOCOL §1.4).
  return new RestError(400, 'ERROR_ACTIVITY_NOT_FOUND', 'Activity or Robot not found!');
}

function validateCode(code: unknown): string {
  if (isEmpty(code)) throw validationError('Empty activity code!');
  if (typeof code !== 'string' || !CODE_RE.test(code)) throw validationError('Wrong activity code!');
  return code;
}

function validateProperties(properties: unknown): void {
  if (!isPhpArray(properties)) throw validationError('Wrong properties array!');
  for (const [key, property] of Object.entries(properties)) {
    if (!PROPERTY_KEY_RE.test(key)) throw validationError(`Wrong property key (${key})!`);
    const name = isPlainObject(property) ? (property.NAME ?? property.Name) : undefined;
    if (isEmpty(name)) throw validationError(`Empty property NAME (${key})!`);
  }
}

function validateDocumentType(documentType: unknown): void {
  const valid =
    Array.isArray(documentType) &&
    documentType.length === 3 &&
    documentType.every((part) => typeof part === 'string' && part !== '') &&
    (DOCUMENT_CLASSES[documentType[0] as string] ?? []).includes(documentType[1] as string);
  if (!valid) throw validationError('Wrong activity DOCUMENT_TYPE!');
}

/** `NAME: 'text'` is stored as `{'*': text}`; a map keeps its (already upper-cased) language keys. */
function localized(value: unknown): Record<string, string> {
  if (isPlainObject(value)) {
    const out: Record<string, string> = {};
    for (const [lang, text] of Object.entries(value)) out[lang] = String(text ?? '');
    return out;
  }
  return { '*': String(value ?? '') };
}

/** A PROPERTY object with canonical keys; positional 0..3 mean Type, Multiple, Required, Options (PROTOCOL §1.3). */
function normalizeProperty(raw: Record<string, unknown>): PropertyDef {
  const pick = (key: string, position: number) => (raw[key] !== undefined ? raw[key] : raw[String(position)]);
  const property: PropertyDef = {
    Name: localized(raw.NAME),
    Type: String(pick('TYPE', 0) ?? 'string') || 'string',
    Required: toYN(pick('REQUIRED', 2)),
    Multiple: toYN(pick('MULTIPLE', 1)),
  };
  if (raw.DESCRIPTION !== undefined) property.Description = localized(raw.DESCRIPTION);
  const options = pick('OPTIONS', 3);
  if (isPhpArray(options)) property.Options = { ...options };
  if (raw.DEFAULT !== undefined) property.Default = raw.DEFAULT;
  if (isPlainObject(raw.SETTINGS)) property.Settings = raw.SETTINGS;
  return property;
}

function normalizeProperties(value: unknown): Record<string, PropertyDef> {
  const out: Record<string, PropertyDef> = {};
  if (!isPhpArray(value)) return out;
  for (const [key, property] of Object.entries(value)) out[key] = normalizeProperty(property as Record<string, unknown>);
  return out;
}

function checkSize(registration: Registration): void {
  if (registration.code.length > MAX_CODE_LENGTH) throw saveError();
  if (registration.handler.length > MAX_HANDLER_LENGTH) throw saveError();
  for (const value of [registration.properties, registration.returnProperties]) {
    if (Buffer.byteLength(JSON.stringify(value)) >= MAX_SERIALIZED_BYTES) throw saveError();
  }
}

function appOf(ctx: MethodContext): string {
  // The platform already refused calls without app context (appOnly); this keeps the type narrow.
  if (!ctx.auth.clientId) throw new RestError(403, 'ACCESS_DENIED', 'Access denied! Application context required');
  return ctx.auth.clientId;
}

export function findRegistration(
  portal: PortalCore,
  clientId: string,
  code: string,
  isRobot?: boolean,
): Registration | undefined {
  return bizprocState(portal).registrations.find(
    // md5(client_id@CODE) is case-sensitive, so `Robot` and `robot` are different codes.
    (r) => r.clientId === clientId && r.code === code && (isRobot === undefined || r.isRobot === isRobot),
  );
}

function add(ctx: MethodContext, isRobot: boolean): true {
  const clientId = appOf(ctx);
  const params = upperCaseParams(ctx.params);
  if (isEmpty(params)) throw validationError('Empty data!');
  const code = validateCode(params.CODE);
  checkHandlerUrl(params.HANDLER);
  if (isEmpty(params.NAME)) throw validationError('Empty activity NAME!');
  // PHP `isset`: a present non-null value must be an array.
  if (params.PROPERTIES != null) validateProperties(params.PROPERTIES);
  if (params.RETURN_PROPERTIES != null) validateProperties(params.RETURN_PROPERTIES);
  // validateRobot does not check DOCUMENT_TYPE in the current code, although the docs list the error (PROTOCOL §1.2).
  if (!isRobot && !isEmpty(params.DOCUMENT_TYPE)) validateDocumentType(params.DOCUMENT_TYPE);
  if (!isEmpty(params.FILTER) && !isPhpArray(params.FILTER)) throw validationError('Wrong activity FILTER!');

  // The internal key md5(client_id@CODE) is shared by robots and actions (PROTOCOL §1.1).
  if (findRegistration(ctx.portal, clientId, code)) {
    throw new RestError(400, 'ERROR_ACTIVITY_ALREADY_INSTALLED', 'Activity or Robot already installed!');
  }
  const usePlacement = params.USE_PLACEMENT === 'Y' ? 'Y' : 'N';
  if (usePlacement === 'Y') checkHandlerUrl(params.PLACEMENT_HANDLER);
  const registration: Registration = {
    clientId,
    code,
    isRobot,
    handler: params.HANDLER,
    authUserId: Number.parseInt(String(params.AUTH_USER_ID ?? 0), 10) || 0,
    useSubscription: params.USE_SUBSCRIPTION === undefined || params.USE_SUBSCRIPTION === null ? '' : String(params.USE_SUBSCRIPTION),
    name: localized(params.NAME),
    description: isEmpty(params.DESCRIPTION) ? null : localized(params.DESCRIPTION),
    properties: normalizeProperties(params.PROPERTIES),
    returnProperties: normalizeProperties(params.RETURN_PROPERTIES),
    documentType: isEmpty(params.DOCUMENT_TYPE) ? null : (params.DOCUMENT_TYPE as unknown[]),
    filter: isEmpty(params.FILTER) ? null : params.FILTER,
    usePlacement,
    placementHandler: usePlacement === 'Y' ? params.PLACEMENT_HANDLER : null,
  };
  checkSize(registration);
  bizprocState(ctx.portal).registrations.push(registration);
  return true;
}

function update(ctx: MethodContext, isRobot: boolean): true {
  const clientId = appOf(ctx);
  const params = upperCaseParams(ctx.params);
  const code = validateCode(params.CODE);
  const existing = findRegistration(ctx.portal, clientId, code, isRobot);
  if (!existing) throw notFound();
  const fields = isPlainObject(params.FIELDS) ? params.FIELDS : {};
  const keys = UPDATABLE.filter((key) => key in fields);
  if (keys.length === 0) throw validationError('No fields to update');

  const next: Registration = { ...existing };
  for (const key of keys) {
    const value = fields[key];
    switch (key) {
      case 'HANDLER':
        next.handler = checkHandlerUrl(value);
        break;
      case 'AUTH_USER_ID':
        next.authUserId = Number.parseInt(String(value ?? 0), 10) || 0;
        break;
      case 'USE_SUBSCRIPTION':
        next.useSubscription = value === null || value === undefined ? '' : String(value);
        break;
      case 'NAME':
        if (isEmpty(value)) throw validationError('Empty activity NAME!');
        next.name = localized(value);
        break;
      case 'DESCRIPTION':
        next.description = isEmpty(value) ? null : localized(value);
        break;
      case 'PROPERTIES':
      case 'RETURN_PROPERTIES': {
        // Replaced as a whole, never merged (PROTOCOL §1.4).
        if (value != null) validateProperties(value);
        const normalized = normalizeProperties(value);
        if (key === 'PROPERTIES') next.properties = normalized;
        else next.returnProperties = normalized;
        break;
      }
      case 'DOCUMENT_TYPE':
        // An empty value clears it.
        if (!isRobot && !isEmpty(value)) validateDocumentType(value);
        next.documentType = isEmpty(value) ? null : (value as unknown[]);
        break;
      case 'FILTER':
        if (!isEmpty(value) && !isPhpArray(value)) throw validationError('Wrong activity FILTER!');
        next.filter = isEmpty(value) ? null : value;
        break;
      case 'USE_PLACEMENT':
        next.usePlacement = value === 'Y' ? 'Y' : 'N';
        break;
      case 'PLACEMENT_HANDLER':
        next.placementHandler = isEmpty(value) ? null : checkHandlerUrl(value);
        break;
    }
  }
  if (next.usePlacement === 'Y') checkHandlerUrl(next.placementHandler);
  // USE_PLACEMENT=N deletes the settings placement.
  if (next.usePlacement === 'N') next.placementHandler = null;
  checkSize(next);
  Object.assign(existing, next);
  return true;
}

function remove(ctx: MethodContext, isRobot: boolean): true {
  const clientId = appOf(ctx);
  const params = upperCaseParams(ctx.params);
  const code = validateCode(params.CODE);
  const state = bizprocState(ctx.portal);
  const existing = findRegistration(ctx.portal, clientId, code, isRobot);
  if (!existing) throw notFound();
  state.registrations = state.registrations.filter((r) => r !== existing);
  return true;
}

function list(ctx: MethodContext, isRobot: boolean): string[] {
  const clientId = appOf(ctx);
  // Codes only: no details and no paging (PROTOCOL §1.1).
  return bizprocState(ctx.portal)
    .registrations.filter((r) => r.clientId === clientId && r.isRobot === isRobot)
    .map((r) => r.code);
}

/** Drops every robot and action of an app (app update and uninstall do this, PROTOCOL §1.1). Returns how many. */
export function deleteAppRegistrations(portal: PortalCore, clientId: string): number {
  const state = bizprocState(portal);
  const before = state.registrations.length;
  state.registrations = state.registrations.filter((r) => r.clientId !== clientId);
  return before - state.registrations.length;
}

export function registerRegistrationMethods(registry: MethodRegistry): void {
  // App context and a portal admin are required for all of them (PROTOCOL §1.1).
  const options = { scope: 'bizproc', appOnly: true, adminOnly: true };
  for (const [prefix, isRobot] of [
    ['bizproc.robot', true],
    ['bizproc.activity', false],
  ] as const) {
    registry.register(`${prefix}.add`, (ctx) => add(ctx, isRobot), options);
    registry.register(`${prefix}.update`, (ctx) => update(ctx, isRobot), options);
    registry.register(`${prefix}.delete`, (ctx) => remove(ctx, isRobot), options);
    registry.register(`${prefix}.list`, (ctx) => list(ctx, isRobot), options);
  }
}
