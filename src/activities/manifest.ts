/**
 * Registration payloads: the exact `bizproc.robot.add` and `bizproc.activity.add` params of a robot
 * (PROTOCOL §1.2–1.3). Manifests are committed with the handler URL as `{PUBLIC_URL}/robots/<code>`;
 * registration substitutes the service's public URL and the installing admin.
 */
import { createHash } from 'node:crypto';
import { activityCode, registrationOf } from './define-robot';
import { AUTOMATION_KINDS, DOCUMENT_KINDS } from './document';
import { externalizeValue } from './externalize';
import type { DocumentKind, Localized, PropertyDefinition, PropertyMap, RobotDefinition } from './types';

export const PUBLIC_URL_PLACEHOLDER = '{PUBLIC_URL}';

export type PropertyPayload = {
  Name: Record<string, string>;
  Description?: Record<string, string>;
  Type: string;
  Required: 'Y' | 'N';
  Multiple: 'Y' | 'N';
  Default?: unknown;
  Options?: Record<string, string>;
};

/** A type alias (not an interface) so it can be passed as REST params (`Record<string, unknown>`). */
export type RegistrationPayload = {
  CODE: string;
  HANDLER: string;
  AUTH_USER_ID: number;
  USE_SUBSCRIPTION: 'Y' | 'N';
  NAME: Record<string, string>;
  DESCRIPTION: Record<string, string>;
  PROPERTIES: Record<string, PropertyPayload>;
  RETURN_PROPERTIES: Record<string, PropertyPayload>;
  DOCUMENT_TYPE?: [string, string, string];
  FILTER: { INCLUDE: string[][] };
};

/** One committed file, `manifests/<code>.json`. */
export interface RobotManifest {
  code: string;
  /** Content hash of the two payloads: changes whenever what would be registered changes. */
  version: string;
  robot: RegistrationPayload | null;
  activity: RegistrationPayload | null;
}

export interface PayloadOptions {
  /** e.g. `https://robots.example.com` (no trailing slash needed). */
  publicUrl: string;
  /** The user whose token Bitrix24 sends with each call (default 1; registration passes the installing admin). */
  authUserId?: number;
}

/** bizproc stores PROPERTIES serialized in a column that must stay under 64 KB (§1.2); PHP serialisation is longer
 *  than JSON, so leave room. */
const PROPERTIES_JSON_LIMIT = 60_000;

/** `{ru, en, ...}` with ru and en first, so files diff cleanly. */
function localized(text: Localized): Record<string, string> {
  const { ru, en, ...others } = text;
  return { ru, en, ...others };
}

function propertyPayload(prop: PropertyDefinition): PropertyPayload {
  const payload: PropertyPayload = {
    Name: localized(prop.name),
    Type: prop.type,
    Required: prop.required ? 'Y' : 'N',
    Multiple: prop.multiple ? 'Y' : 'N',
  };
  if (prop.description) payload.Description = localized(prop.description);
  if (prop.default !== undefined) payload.Default = externalizeValue(prop, prop.default, 'UTC');
  if (prop.options) {
    // Option labels are plain strings in Bitrix24 (§1.3); the portals served are Russian-speaking, so ru is shown.
    payload.Options = Object.fromEntries(
      Object.entries(prop.options).map(([key, label]) => [key, typeof label === 'string' ? label : label.ru]),
    );
  }
  return payload;
}

function propertiesPayload(code: string, map: PropertyMap): Record<string, PropertyPayload> {
  const out = Object.fromEntries(Object.entries(map).map(([key, prop]) => [key, propertyPayload(prop)]));
  if (Buffer.byteLength(JSON.stringify(out)) > PROPERTIES_JSON_LIMIT) {
    throw new Error(`robot "${code}": its properties are too large for bizproc (64 KB serialized); shorten descriptions`);
  }
  return out;
}

/** FILTER rule of a kind: the partial document type `[module, class]` (§1.2). */
function filterRule(kind: DocumentKind): string[] {
  return [DOCUMENT_KINDS[kind].module, DOCUMENT_KINDS[kind].className];
}

/** DOCUMENT_TYPE of the first kind that has a fixed triple (dynamic types need a smart-process id, so none). */
function documentType(kinds: DocumentKind[]): [string, string, string] | undefined {
  for (const kind of kinds) {
    const entry = DOCUMENT_KINDS[kind];
    if (entry.type) return [entry.module, entry.className, entry.type];
  }
  return undefined;
}

function basePayload(def: RobotDefinition, code: string, kinds: DocumentKind[], options: PayloadOptions): RegistrationPayload {
  const type = documentType(kinds);
  return {
    CODE: code,
    HANDLER: `${options.publicUrl.replace(/\/+$/, '')}/robots/${def.code}`,
    AUTH_USER_ID: options.authUserId ?? 1,
    // Explicit Y/N: an empty value makes the designer default depend on the portal version (§1.2).
    USE_SUBSCRIPTION: def.useSubscription === false ? 'N' : 'Y',
    NAME: localized(def.name),
    DESCRIPTION: localized(def.description),
    PROPERTIES: propertiesPayload(def.code, def.properties),
    RETURN_PROPERTIES: propertiesPayload(def.code, def.returns),
    ...(type ? { DOCUMENT_TYPE: type } : {}),
    FILTER: { INCLUDE: kinds.map(filterRule) },
  };
}

/** `bizproc.robot.add` params, or null when the robot is not registered as a robot (company/contact-only rules). */
export function buildRobotPayload(def: RobotDefinition, options: PayloadOptions): RegistrationPayload | null {
  if (!registrationOf(def).robot) return null;
  const kinds = def.documentTypes.filter((kind) => AUTOMATION_KINDS.has(kind));
  return basePayload(def, def.code, kinds, options);
}

/** `bizproc.activity.add` params (CODE `<code>_bp`), or null when the robot has no activity. */
export function buildActivityPayload(def: RobotDefinition, options: PayloadOptions): RegistrationPayload | null {
  if (!registrationOf(def).activity) return null;
  return basePayload(def, activityCode(def.code), def.documentTypes, options);
}

/** The manifest of a robot, with the `{PUBLIC_URL}` placeholder; null for internal robots with no registration. */
export function buildManifest(def: RobotDefinition): RobotManifest | null {
  const options = { publicUrl: PUBLIC_URL_PLACEHOLDER };
  const robot = buildRobotPayload(def, options);
  const activity = buildActivityPayload(def, options);
  if (!robot && !activity) return null;
  const version = createHash('sha256').update(JSON.stringify({ robot, activity })).digest('hex').slice(0, 16);
  return { code: def.code, version, robot, activity };
}

/** The payloads of a manifest ready to send: the placeholder replaced by the public URL, AUTH_USER_ID set. */
export function materializeManifest(
  manifest: RobotManifest,
  options: PayloadOptions,
): { robot: RegistrationPayload | null; activity: RegistrationPayload | null } {
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const fill = (payload: RegistrationPayload | null): RegistrationPayload | null => {
    if (!payload) return null;
    return {
      ...payload,
      HANDLER: payload.HANDLER.replace(PUBLIC_URL_PLACEHOLDER, publicUrl),
      AUTH_USER_ID: options.authUserId ?? payload.AUTH_USER_ID,
    };
  };
  return { robot: fill(manifest.robot), activity: fill(manifest.activity) };
}

/** The committed text of a manifest: 2-space JSON and a final newline. */
export function renderManifest(manifest: RobotManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
