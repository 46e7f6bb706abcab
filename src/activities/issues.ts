/**
 * Problems with a robot's input, worded for the workflow log: the property is named by its localized name and its
 * code, in Russian and English, e.g. «Свойство «Тариф» (tariff): обязательное значение не задано».
 */
import type { PropertyDefinition } from './types';

export interface PropertyIssue {
  /** Property code, e.g. `tariff`. */
  property: string;
  ru: string;
  en: string;
}

/** Wraps a problem text with the property's name and code in both languages. */
export function propertyIssue(code: string, prop: Pick<PropertyDefinition, 'name'>, ru: string, en: string): PropertyIssue {
  return {
    property: code,
    ru: `Свойство «${prop.name.ru}» (${code}): ${ru}`,
    en: `Property "${prop.name.en}" (${code}): ${en}`,
  };
}

/** One line per language, every issue listed: what goes to LOG_MESSAGE and `Error`. */
export function issuesMessage(issues: readonly PropertyIssue[]): string {
  const ru = issues.map((issue) => issue.ru).join('; ');
  const en = issues.map((issue) => issue.en).join('; ');
  return `${ru}. ${en}.`;
}

/** Shortens a received value for a message (never more than 60 characters). */
export function shown(value: unknown): string {
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
