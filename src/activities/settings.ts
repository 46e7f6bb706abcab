/**
 * Per-portal settings modules: what a portal stored for a module (e.g. `onboarding`), merged over the module's
 * defaults and validated with its JSON schema. A bad value names its key, so the admin knows what to fix.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Store } from '../store/types';
import { getSettingsAjv } from './ajv';
import type { SettingsModule } from './types';

export class SettingsError extends Error {
  readonly code = 'INVALID_SETTINGS';
  constructor(
    readonly module: string,
    readonly problems: string[],
  ) {
    super(`settings "${module}" are not valid: ${problems.join('; ')}. Fix them on the app page or with the CLI`);
    this.name = 'SettingsError';
  }
}

const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(module: SettingsModule): ValidateFunction {
  let validate = compiled.get(module.schema);
  if (!validate) {
    validate = getSettingsAjv().compile(module.schema);
    compiled.set(module.schema, validate);
  }
  return validate;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Objects merge key by key; arrays and scalars from `over` replace those in `base`. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}

function describe(module: string, error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') path.push(String(error.params.missingProperty));
  return `"${[module, ...path].join('.')}" ${error.message ?? 'is not valid'}`;
}

/** Defaults, then what the portal stored; validated (schema defaults filled in). Throws SettingsError. */
export function resolveSettings<S>(module: SettingsModule<S>, stored: unknown): S {
  const merged = deepMerge(module.defaults ?? {}, stored ?? undefined);
  const validate = validatorFor(module);
  if (!validate(merged)) throw new SettingsError(module.key, (validate.errors ?? []).map((error) => describe(module.key, error)));
  return merged as S;
}

/** The portal's settings of a module, ready for a handler. */
export async function loadSettings<S>(store: Pick<Store, 'getSettings'>, memberId: string, module: SettingsModule<S>): Promise<S> {
  const all = await store.getSettings(memberId);
  return resolveSettings(module, all?.[module.key]);
}

/** Validates the module's new values (merged over defaults) and stores them; returns the effective settings. */
export async function saveSettings<S>(
  store: Pick<Store, 'getSettings' | 'saveSettings'>,
  memberId: string,
  module: SettingsModule<S>,
  value: Partial<S> | Record<string, unknown>,
): Promise<S> {
  const effective = resolveSettings(module, value);
  const all = await store.getSettings(memberId);
  // What the portal chose is stored, not the merged result, so later changes to defaults still reach it.
  await store.saveSettings(memberId, { ...(all ?? {}), [module.key]: value });
  return effective;
}
