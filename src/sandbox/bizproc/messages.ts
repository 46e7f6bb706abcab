/**
 * Workflow log and error texts in the portal's language. The real texts are localized phrases from the bizproc
 * module; these are close renderings (the exact wording is unconfirmed and nothing should parse it).
 */
import type { Culture } from './culture-date';

const TEXTS = {
  started: { ru: 'Бизнес-процесс запущен', en: 'Workflow started' },
  called: { ru: 'Вызван обработчик приложения «{code}»', en: 'Application handler "{code}" called' },
  waiting: { ru: 'Ожидание ответа приложения', en: 'Waiting for the application response' },
  closed: { ru: 'Действие «{code}» выполнено', en: 'Action "{code}" completed' },
  defaultLog: { ru: 'Получен ответ приложения', en: 'Application response received' },
  returned: { ru: 'Получены значения: {values}', en: 'Values received: {values}' },
  timeout: { ru: 'Истекло время ожидания ответа приложения', en: 'Timed out waiting for the application response' },
  completed: { ru: 'Бизнес-процесс завершён', en: 'Workflow completed' },
  leftStage: { ru: 'Элемент перешёл на другую стадию', en: 'The item moved to another stage' },
  documentDeleted: { ru: 'Документ удалён', en: 'The document was deleted' },
  notInstalled: { ru: 'Действие «{code}» не установлено', en: 'Action "{code}" is not installed' },
  // CBPRestActivity throws this text as is (PROTOCOL §2.1).
  appNotFound: { ru: 'Rest application not found.', en: 'Rest application not found.' },
  noDocument: { ru: 'Документ не найден', en: 'Document not found' },
  instanceNotFound: { ru: 'Бизнес-процесс не найден', en: 'Workflow instance not found' },
} as const;

export type MessageKey = keyof typeof TEXTS;

export function message(culture: Culture, key: MessageKey, values: Record<string, string> = {}): string {
  return TEXTS[key][culture].replace(/\{(\w+)\}/g, (_m, name: string) => values[name] ?? '');
}
