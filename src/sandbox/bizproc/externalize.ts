/**
 * Property values as `CBPRestActivity::execute` hands them to the handler (PROTOCOL §2.5):
 *  - null/unset → '' (even for a multiple property); other falsy values (0, '0', '', []) are sent as they are,
 *    so an empty multiple value disappears from the form;
 *  - truthy values go through the type: bool → Y/N, user → `user_N`, date/datetime → culture format in the
 *    portal's time zone, select → the option key, numbers → strings;
 *  - a multiple property is always an array (a scalar is wrapped); a single one takes the first element.
 */
import type { EncodableValue } from '../../util/bracket-form';
import { externalizeDate } from './culture-date';
import { isPhpArray, isTruthy } from './params';
import type { Culture } from './culture-date';
import type { PropertyDef } from './state';

export interface ExternalizeContext {
  culture: Culture;
  timeZone: string;
  /** The document's fields, for the `Author` user group (its responsible, ASSIGNED_BY_ID; unconfirmed mapping). */
  document: Record<string, unknown> | null;
}

/** A falsy value is sent as it is: null → '', false → '0' (http_build_query), an empty array disappears. */
function falsy(value: unknown): EncodableValue {
  if (isPhpArray(value)) return [];
  return value === false ? '0' : String(value ?? '');
}

function lookupSetting(settings: Record<string, unknown> | undefined, key: string): unknown {
  if (!settings) return undefined;
  const found = Object.keys(settings).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : settings[found];
}

/** Splits `'Author;user_3'` style user lists the designer stores. */
function userItems(value: unknown): unknown[] {
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item) =>
    typeof item === 'string' && /[;,]/.test(item)
      ? item
          .split(/[;,]/)
          .map((part) => part.trim())
          .filter((part) => part !== '')
      : [item],
  );
}

function userCode(item: unknown, context: ExternalizeContext, numeric: boolean): EncodableValue {
  let code: string;
  const text = String(item).trim();
  if (/^\d+$/.test(text)) code = `user_${Number(text)}`;
  else if (text.toLowerCase() === 'author') {
    const responsible = context.document?.ASSIGNED_BY_ID;
    code = responsible === undefined || responsible === null ? '' : `user_${Number(responsible)}`;
  } else code = text;
  // Settings.ExternalExtract (undocumented) asks for bare ids.
  return numeric && code.startsWith('user_') ? code.slice(5) : code;
}

function externalizeOne(property: PropertyDef, value: unknown, context: ExternalizeContext): EncodableValue {
  if (!isTruthy(value)) return falsy(value);
  switch (property.Type.toLowerCase()) {
    case 'bool': {
      const yes = value === true || value === 1 || ['y', 'yes', 'true', '1'].includes(String(value).toLowerCase());
      const mapped = lookupSetting(lookupSetting(property.Settings, 'ExternalValues') as Record<string, unknown>, yes ? 'Y' : 'N');
      return mapped === undefined ? (yes ? 'Y' : 'N') : String(mapped);
    }
    case 'user':
      return userCode(value, context, isTruthy(lookupSetting(property.Settings, 'ExternalExtract')));
    case 'date':
      return externalizeDate(value, context.culture, context.timeZone, false);
    case 'datetime':
      return externalizeDate(value, context.culture, context.timeZone, true);
    case 'int': {
      const number = Number(value);
      return Number.isFinite(number) && String(value).trim() !== '' ? String(Math.trunc(number)) : String(value);
    }
    default:
      if (value instanceof Date) return externalizeDate(value, context.culture, context.timeZone, true);
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
  }
}

export function externalizeProperty(property: PropertyDef, value: unknown, context: ExternalizeContext): EncodableValue {
  // Falsy values skip the type and are sent as they are: null → '', an empty array disappears from the form.
  if (!isTruthy(value)) return falsy(value);
  const items = property.Type.toLowerCase() === 'user' ? userItems(value) : Array.isArray(value) ? value : [value];
  if (property.Multiple === 'Y') return items.map((item) => externalizeOne(property, item, context));
  return externalizeOne(property, items[0], context);
}
