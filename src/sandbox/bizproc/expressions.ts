/**
 * Designer expressions in property values, evaluated when a step executes (PROTOCOL §2.5: "with template
 * expressions already evaluated"):
 *  - `{=Document:FIELD}` a field of the document (legacy upper-case name, matched case-insensitively);
 *  - `{=Template:Param}` a template parameter, `{=Constant:Name}`, `{=Variable:Name}`;
 *  - `{=A12345_…:Prop}` a return value of an earlier step, by its activity name;
 *  - `{{FIELD}}` the automation designer's short form for a document field.
 * A value that is exactly one expression keeps the field's type (number, array); inside text it is stringified.
 * Modifiers such as `> printable` are accepted and ignored.
 */

export interface ExpressionScope {
  document: Record<string, unknown> | null;
  parameters: Record<string, unknown>;
  constants: Record<string, unknown>;
  variables: Record<string, unknown>;
  results: Record<string, Record<string, unknown>>;
}

const EXPRESSION = /\{=([A-Za-z0-9_]+):([^}]+)\}|\{\{([^}]+)\}\}/g;
const SINGLE = new RegExp(`^(?:${EXPRESSION.source})$`);

function lookup(bag: Record<string, unknown> | null | undefined, key: string): unknown {
  if (!bag) return undefined;
  if (key in bag) return bag[key];
  const lower = key.toLowerCase();
  const found = Object.keys(bag).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : bag[found];
}

function resolve(object: string | undefined, field: string, scope: ExpressionScope): unknown {
  const name = field.split('>')[0].trim();
  if (object === undefined) return lookup(scope.document, name);
  switch (object) {
    case 'Document':
      return lookup(scope.document, name);
    case 'Template':
      return lookup(scope.parameters, name);
    case 'Constant':
      return lookup(scope.constants, name);
    case 'Variable':
      return lookup(scope.variables, name);
    default:
      return lookup(scope.results[object], name);
  }
}

function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(stringify).join(', ');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function evaluateString(text: string, scope: ExpressionScope): unknown {
  const single = SINGLE.exec(text);
  if (single) return resolve(single[1], single[2] ?? single[3], scope);
  return text.replace(EXPRESSION, (_match, object: string | undefined, field: string | undefined, short: string | undefined) =>
    stringify(resolve(object, field ?? short ?? '', scope)),
  );
}

/** Evaluates every expression in a designer value; arrays are evaluated element by element and flattened. */
export function evaluate(value: unknown, scope: ExpressionScope): unknown {
  if (typeof value === 'string') return evaluateString(value, scope);
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const result = evaluate(item, scope);
      return Array.isArray(result) ? result : [result];
    });
  }
  return value;
}
