/**
 * Validation of coerced input with an ajv schema compiled once per robot from its property definitions:
 * required values, types, select options, multiple values as arrays. Every problem names the property.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { getInputAjv } from './ajv';
import { propertyIssue, shown, type PropertyIssue } from './issues';
import type { PropertyDefinition, PropertyMap, PropertyType } from './types';

function scalarSchema(prop: PropertyDefinition): Record<string, unknown> {
  switch (prop.type) {
    case 'bool':
      return { type: 'boolean' };
    case 'int':
      return { type: 'integer' };
    case 'user':
    case 'file':
      return { type: 'integer', minimum: 1 };
    case 'double':
      return { type: 'number' };
    case 'string':
    case 'text':
      return { type: 'string' };
    case 'select':
      return { type: 'string', enum: Object.keys(prop.options ?? {}) };
    case 'date':
    case 'datetime':
      return { b24Date: true };
  }
}

/** The JSON schema of a robot's coerced input. */
export function inputSchema(properties: PropertyMap): Record<string, unknown> {
  const schemaProperties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [code, prop] of Object.entries(properties)) {
    schemaProperties[code] = prop.multiple
      ? { type: 'array', items: scalarSchema(prop), ...(prop.required ? { minItems: 1 } : {}) }
      : scalarSchema(prop);
    if (prop.required) required.push(code);
  }
  return { type: 'object', properties: schemaProperties, required };
}

const compiled = new WeakMap<PropertyMap, ValidateFunction>();

function validatorFor(properties: PropertyMap): ValidateFunction {
  let validate = compiled.get(properties);
  if (!validate) {
    validate = getInputAjv().compile(inputSchema(properties));
    compiled.set(properties, validate);
  }
  return validate;
}

const EXPECTED: Record<PropertyType, [ru: string, en: string]> = {
  bool: ['ожидается Да или Нет (Y/N)', 'expected yes or no (Y/N)'],
  int: ['ожидается целое число', 'expected an integer'],
  double: ['ожидается число', 'expected a number'],
  user: ['ожидается сотрудник (user_5)', 'expected a user (user_5)'],
  file: ['ожидается файл (номер файла)', 'expected a file (its numeric id)'],
  string: ['ожидается строка', 'expected a string'],
  text: ['ожидается текст', 'expected a text'],
  select: ['ожидается значение из списка', 'expected a value from the list'],
  date: ['ожидается дата, например 31.12.2024', 'expected a date such as 31.12.2024'],
  datetime: ['ожидаются дата и время, например 31.12.2024 18:00:00', 'expected a date and time such as 12/31/2024 06:00:00 pm'],
};

function describe(code: string, prop: PropertyDefinition, error: ErrorObject, segments: string[]): PropertyIssue {
  const item = segments.length > 1 ? Number(segments[1]) : null;
  const where = item === null ? { ru: '', en: '' } : { ru: ` (значение №${item + 1})`, en: ` (value #${item + 1})` };
  if (error.keyword === 'required' || error.keyword === 'minItems') {
    return propertyIssue(code, prop, 'обязательное значение не задано', 'a required value is missing');
  }
  if (!prop.multiple && Array.isArray(error.data)) {
    return propertyIssue(code, prop, 'ожидается одно значение, получено несколько', 'expected one value, got several');
  }
  if (error.keyword === 'enum') {
    const keys = Object.keys(prop.options ?? {}).join(', ');
    return propertyIssue(
      code,
      prop,
      `значение «${shown(error.data)}»${where.ru} не из списка: ${keys}`,
      `"${shown(error.data)}"${where.en} is not one of: ${keys}`,
    );
  }
  const [ru, en] = EXPECTED[prop.type];
  return propertyIssue(code, prop, `${ru}${where.ru}, получено «${shown(error.data)}»`, `${en}${where.en}, got "${shown(error.data)}"`);
}

/** Validates coerced input; one issue per property, in the order the properties are defined. */
export function validateInput(properties: PropertyMap, values: Record<string, unknown>): PropertyIssue[] {
  const validate = validatorFor(properties);
  if (validate(values)) return [];
  const byProperty = new Map<string, PropertyIssue>();
  for (const error of validate.errors ?? []) {
    const segments = error.instancePath
      .split('/')
      .slice(1)
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
    const code = error.keyword === 'required' ? String(error.params.missingProperty) : segments[0];
    const prop = code === undefined ? undefined : properties[code];
    if (!prop || byProperty.has(code)) continue;
    byProperty.set(code, describe(code, prop, error, segments));
  }
  return Object.keys(properties)
    .filter((code) => byProperty.has(code))
    .map((code) => byProperty.get(code) as PropertyIssue);
}
