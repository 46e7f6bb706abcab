/** Robot definitions shared by the runtime tests: one property of every Bitrix24 type. */
import { defineRobot } from '../../src/activities/define-robot';

export const everyTypeRobot = defineRobot({
  code: 'test_every_type',
  name: { ru: 'Все типы', en: 'Every type' },
  description: { ru: 'Свойства всех типов', en: 'Properties of every type' },
  documentTypes: ['deal', 'company'],
  properties: {
    text: { type: 'text', name: { ru: 'Текст', en: 'Text' } },
    title: { type: 'string', name: { ru: 'Заголовок', en: 'Title' }, default: 'Без названия' },
    when: { type: 'datetime', name: { ru: 'Когда', en: 'When' } },
    day: { type: 'date', name: { ru: 'День', en: 'Day' } },
    to: { type: 'user', name: { ru: 'Кому', en: 'To' }, multiple: true },
    owner: { type: 'user', name: { ru: 'Ответственный', en: 'Owner' } },
    categoryId: { type: 'int', name: { ru: 'Воронка', en: 'Pipeline' }, default: 0 },
    amount: { type: 'double', name: { ru: 'Сумма', en: 'Amount' } },
    notify: { type: 'bool', name: { ru: 'Уведомить', en: 'Notify' }, default: false },
    format: {
      type: 'select',
      name: { ru: 'Формат', en: 'Format' },
      options: { pdf: 'PDF', docx: 'DOCX' },
      default: 'pdf',
    },
    attachment: { type: 'file', name: { ru: 'Файл', en: 'File' } },
    tags: { type: 'string', name: { ru: 'Метки', en: 'Tags' }, multiple: true },
  },
  returns: {},
  async handler() {
    return {};
  },
});

export const tariffRobot = defineRobot({
  code: 'test_tariff',
  name: { ru: 'Тариф', en: 'Tariff' },
  description: { ru: 'Проверка тарифа', en: 'Tariff check' },
  documentTypes: ['company'],
  properties: {
    tariff: {
      type: 'select',
      name: { ru: 'Тариф', en: 'Tariff' },
      required: true,
      options: { basic: { ru: 'Базовый', en: 'Basic' }, premium: { ru: 'Премиум', en: 'Premium' } },
    },
    managers: { type: 'user', name: { ru: 'Менеджеры', en: 'Managers' }, multiple: true, required: true },
    cost: { type: 'double', name: { ru: 'Стоимость', en: 'Cost' } },
    start: { type: 'date', name: { ru: 'Начало', en: 'Start' } },
  },
  returns: {},
  async handler() {
    return {};
  },
});
