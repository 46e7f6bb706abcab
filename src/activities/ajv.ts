/**
 * The ajv instances of the runtime: one for robot input (with the `b24Date` keyword, since coerced dates are Date
 * objects, which JSON Schema cannot describe) and one for per-portal settings (applies schema defaults).
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

function isValidDate(data: unknown): boolean {
  return data instanceof Date && !Number.isNaN(data.getTime());
}

let inputAjv: Ajv | null = null;
let settingsAjv: Ajv | null = null;

/** For compiled input schemas: every error, with the offending data (`verbose`) to quote in messages. */
export function getInputAjv(): Ajv {
  if (!inputAjv) {
    inputAjv = new Ajv({ allErrors: true, verbose: true, strict: true });
    inputAjv.addKeyword({ keyword: 'b24Date', schemaType: 'boolean', validate: (expected: boolean, data: unknown) => !expected || isValidDate(data), errors: false });
  }
  return inputAjv;
}

/** For settings modules: fills in defaults (`useDefaults`), tolerant of annotation keywords authors add. */
export function getSettingsAjv(): Ajv {
  if (!settingsAjv) {
    settingsAjv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
    addFormats(settingsAjv);
  }
  return settingsAjv;
}
