/**
 * A robot call's raw `properties` → the handler's typed `input`, or the problems that stop the run before any work
 * (RULES.md: "a bad value ends the robot with a clear LOG_MESSAGE naming the property").
 */
import { coerceInput, type CoerceOptions } from './coerce';
import { issuesMessage, type PropertyIssue } from './issues';
import type { PropertyMap } from './types';
import { validateInput } from './validate';

export type InputResult =
  | { ok: true; input: Record<string, unknown> }
  | { ok: false; issues: PropertyIssue[]; message: string };

export function prepareInput(properties: PropertyMap, raw: Record<string, unknown> | null | undefined, options: CoerceOptions): InputResult {
  const coerced = coerceInput(properties, raw, options);
  const flagged = new Set(coerced.issues.map((issue) => issue.property));
  const issues = [...coerced.issues];
  // Coercion's own wording wins for a property it already flagged.
  for (const issue of validateInput(properties, coerced.values)) {
    if (!flagged.has(issue.property)) issues.push(issue);
  }
  if (issues.length === 0) return { ok: true, input: coerced.values };
  const order = Object.keys(properties);
  issues.sort((a, b) => order.indexOf(a.property) - order.indexOf(b.property));
  return { ok: false, issues, message: issuesMessage(issues) };
}
