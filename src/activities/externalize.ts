/**
 * Typed → wire: how values go back to Bitrix24 in `bizproc.event.send` RETURN_VALUES and in registered Defaults
 * (PROTOCOL §3.2 item 5): bool as `Y`/`N`, users as `user_<id>`, dates as ISO 8601 with the portal's offset,
 * multiple values as arrays.
 */
import { formatIsoDate, formatIsoDateTime } from './time-zone';
import type { PropertyDefinition, PropertyMap } from './types';

function externalizeScalar(prop: PropertyDefinition, value: unknown, timeZone: string): unknown {
  switch (prop.type) {
    case 'bool':
      return typeof value === 'boolean' ? (value ? 'Y' : 'N') : value;
    case 'user':
      return typeof value === 'number' ? `user_${value}` : value;
    case 'date':
      return value instanceof Date ? formatIsoDate(value, timeZone) : value;
    case 'datetime':
      return value instanceof Date ? formatIsoDateTime(value, timeZone) : value;
    default:
      return value instanceof Date ? formatIsoDateTime(value, timeZone) : value;
  }
}

/** One value in wire form; undefined for null/undefined (nothing to send). */
export function externalizeValue(prop: PropertyDefinition, value: unknown, timeZone: string): unknown {
  if (value === undefined || value === null) return undefined;
  if (prop.multiple) {
    const list = Array.isArray(value) ? value : [value];
    return list.filter((item) => item !== undefined && item !== null).map((item) => externalizeScalar(prop, item, timeZone));
  }
  return externalizeScalar(prop, value, timeZone);
}

/** Return values in wire form: only declared return properties (event.send drops the others, §3.1). */
export function externalizeReturns(
  returns: PropertyMap,
  values: Record<string, unknown>,
  timeZone: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [code, prop] of Object.entries(returns)) {
    const wire = externalizeValue(prop, values[code], timeZone);
    if (wire !== undefined) out[code] = wire;
  }
  return out;
}
