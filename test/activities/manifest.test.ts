import { defineRobot } from '../../src/activities/define-robot';
import {
  buildActivityPayload,
  buildManifest,
  buildRobotPayload,
  materializeManifest,
  PUBLIC_URL_PLACEHOLDER,
} from '../../src/activities/manifest';

const STANDARD_RETURN_PAYLOADS = {
  Result: {
    Name: { ru: 'Результат', en: 'Result' },
    Description: { ru: 'ok — выполнено, skipped — нечего делать, error — ошибка', en: 'ok, skipped or error' },
    Type: 'select',
    Required: 'N',
    Multiple: 'N',
    Options: { ok: 'Выполнено', skipped: 'Пропущено', error: 'Ошибка' },
  },
  Error: {
    Name: { ru: 'Ошибка', en: 'Error' },
    Description: { ru: 'Текст ошибки', en: 'Error text' },
    Type: 'string',
    Required: 'N',
    Multiple: 'N',
  },
};

/** The robot of the bizproc.robot.add example (b24-docs bizproc-robot-add.md, "Send Message"). */
const sendMessage = defineRobot({
  code: 'test_robot',
  name: { ru: 'Отправить сообщение', en: 'Send Message' },
  description: { ru: 'Отправляет сообщение', en: 'Sends a message' },
  documentTypes: ['deal', 'lead'],
  properties: {
    datetime: { type: 'datetime', name: { ru: 'Когда', en: 'When' } },
    text: { type: 'text', name: { ru: 'Текст', en: 'Text' } },
    user: { type: 'user', name: { ru: 'Кому', en: 'To' }, default: 'Author;' },
  },
  returns: {},
  async handler() {
    return {};
  },
});

describe('bizproc.robot.add payload', () => {
  it('matches the documented example, with names in ru and en and Y/N flags spelled out', () => {
    expect(buildRobotPayload(sendMessage, { publicUrl: 'https://your_domain/' })).toEqual({
      CODE: 'test_robot',
      HANDLER: 'https://your_domain/robots/test_robot',
      AUTH_USER_ID: 1,
      USE_SUBSCRIPTION: 'Y',
      NAME: { ru: 'Отправить сообщение', en: 'Send Message' },
      DESCRIPTION: { ru: 'Отправляет сообщение', en: 'Sends a message' },
      PROPERTIES: {
        datetime: { Name: { ru: 'Когда', en: 'When' }, Type: 'datetime', Required: 'N', Multiple: 'N' },
        text: { Name: { ru: 'Текст', en: 'Text' }, Type: 'text', Required: 'N', Multiple: 'N' },
        user: { Name: { ru: 'Кому', en: 'To' }, Type: 'user', Required: 'N', Multiple: 'N', Default: 'Author;' },
      },
      RETURN_PROPERTIES: STANDARD_RETURN_PAYLOADS,
      DOCUMENT_TYPE: ['crm', 'CCrmDocumentDeal', 'DEAL'],
      FILTER: { INCLUDE: [['crm', 'CCrmDocumentDeal'], ['crm', 'CCrmDocumentLead']] },
    });
  });

  it('writes the PROPERTY objects of the documented examples (select, bool, file, string)', () => {
    const documented = defineRobot({
      code: 'documented_properties',
      name: { ru: 'Документ', en: 'Document' },
      description: { ru: 'Документ', en: 'Document' },
      documentTypes: ['deal'],
      properties: {
        docType: {
          type: 'select',
          name: { ru: 'Тип документа', en: 'Document type' },
          required: true,
          default: 'pdf',
          options: { pdf: 'PDF', docx: 'DOCX' },
        },
        saveDoc: {
          type: 'bool',
          name: { ru: 'Сохранить документ', en: 'Save document' },
          description: { ru: 'Присвоить порядковый номер', en: 'Assign a sequential number' },
          required: true,
          default: true,
        },
        attachment: {
          type: 'file',
          name: { ru: 'Файл', en: 'File' },
          description: { ru: 'Файл для отправки', en: 'File to send' },
          multiple: true,
        },
        Parameters: {
          type: 'string',
          name: { ru: 'Параметры шаблона', en: "Template's parameters" },
          description: { ru: 'ParamID={=ParamValue}', en: 'ParamID={=ParamValue}' },
          multiple: true,
        },
      },
      returns: {},
      async handler() {
        return {};
      },
    });
    const payload = buildRobotPayload(documented, { publicUrl: 'https://your_domain' });
    expect(payload?.PROPERTIES).toEqual({
      docType: {
        Name: { ru: 'Тип документа', en: 'Document type' },
        Required: 'Y',
        Multiple: 'N',
        Default: 'pdf',
        Type: 'select',
        Options: { pdf: 'PDF', docx: 'DOCX' },
      },
      saveDoc: {
        Name: { ru: 'Сохранить документ', en: 'Save document' },
        Description: { ru: 'Присвоить порядковый номер', en: 'Assign a sequential number' },
        Type: 'bool',
        Required: 'Y',
        Multiple: 'N',
        Default: 'Y',
      },
      attachment: {
        Name: { ru: 'Файл', en: 'File' },
        Description: { ru: 'Файл для отправки', en: 'File to send' },
        Type: 'file',
        Required: 'N',
        Multiple: 'Y',
      },
      Parameters: {
        Name: { ru: 'Параметры шаблона', en: "Template's parameters" },
        Description: { ru: 'ParamID={=ParamValue}', en: 'ParamID={=ParamValue}' },
        Type: 'string',
        Required: 'N',
        Multiple: 'Y',
      },
    });
  });

  it('registers defaults in wire form: users as user_<id>, several values as arrays, option labels in Russian', () => {
    const withDefaults = defineRobot({
      code: 'wire_defaults',
      name: { ru: 'Умолчания', en: 'Defaults' },
      description: { ru: 'Умолчания', en: 'Defaults' },
      documentTypes: ['smart_invoice'],
      useSubscription: false,
      properties: {
        watchers: { type: 'user', name: { ru: 'Наблюдатели', en: 'Watchers' }, multiple: true, default: [1, 7] },
        tariff: { type: 'select', name: { ru: 'Тариф', en: 'Tariff' }, options: { basic: { ru: 'Базовый', en: 'Basic' } }, default: 'basic' },
      },
      returns: {},
      async handler() {
        return {};
      },
    });
    const payload = buildRobotPayload(withDefaults, { publicUrl: 'https://robots.example.com' });
    expect(payload?.USE_SUBSCRIPTION).toBe('N');
    expect(payload?.PROPERTIES.watchers.Default).toEqual(['user_1', 'user_7']);
    expect(payload?.PROPERTIES.tariff.Options).toEqual({ basic: 'Базовый' });
    expect(payload?.DOCUMENT_TYPE).toEqual(['crm', 'Bitrix\\Crm\\Integration\\BizProc\\Document\\SmartInvoice', 'SMART_INVOICE']);
  });
});

/** A company rule: an activity only, as in the bizproc.activity.add example ("MD5 generator"). */
const md5 = defineRobot({
  code: 'md5_action',
  name: { ru: 'Генератор MD5', en: 'MD5 generator' },
  description: { ru: 'Возвращает MD5-хеш строки', en: 'Activity returns MD5 hash of input parameter' },
  documentTypes: ['company'],
  properties: {
    inputString: {
      type: 'string',
      name: { ru: 'Строка', en: 'Input string' },
      description: { ru: 'Строка для хеширования', en: 'Input string for hashing' },
      required: true,
      default: '{=Document:NAME}',
    },
  },
  returns: { outputString: { type: 'string', name: { ru: 'MD5', en: 'MD5' } } },
  async handler() {
    return { outputString: '' };
  },
});

describe('bizproc.activity.add payload', () => {
  it('matches the documented example, under the code <code>_bp and the company document type', () => {
    expect(buildActivityPayload(md5, { publicUrl: 'https://your_domain', authUserId: 1 })).toEqual({
      CODE: 'md5_action_bp',
      HANDLER: 'https://your_domain/robots/md5_action',
      AUTH_USER_ID: 1,
      USE_SUBSCRIPTION: 'Y',
      NAME: { ru: 'Генератор MD5', en: 'MD5 generator' },
      DESCRIPTION: { ru: 'Возвращает MD5-хеш строки', en: 'Activity returns MD5 hash of input parameter' },
      PROPERTIES: {
        inputString: {
          Name: { ru: 'Строка', en: 'Input string' },
          Description: { ru: 'Строка для хеширования', en: 'Input string for hashing' },
          Type: 'string',
          Required: 'Y',
          Multiple: 'N',
          Default: '{=Document:NAME}',
        },
      },
      RETURN_PROPERTIES: {
        outputString: { Name: { ru: 'MD5', en: 'MD5' }, Type: 'string', Required: 'N', Multiple: 'N' },
        ...STANDARD_RETURN_PAYLOADS,
      },
      DOCUMENT_TYPE: ['crm', 'CCrmDocumentCompany', 'COMPANY'],
      FILTER: { INCLUDE: [['crm', 'CCrmDocumentCompany']] },
    });
  });

  it('registers no robot for a company-only rule', () => {
    expect(buildRobotPayload(md5, { publicUrl: 'https://your_domain' })).toBeNull();
  });
});

describe('manifest files', () => {
  it('keep the handler as a {PUBLIC_URL} placeholder that registration fills in', () => {
    const manifest = buildManifest(sendMessage);
    expect(manifest?.robot?.HANDLER).toBe(`${PUBLIC_URL_PLACEHOLDER}/robots/test_robot`);
    expect(manifest?.activity?.CODE).toBe('test_robot_bp');
    const ready = materializeManifest(manifest!, { publicUrl: 'https://robots.example.com/', authUserId: 16 });
    expect(ready.robot?.HANDLER).toBe('https://robots.example.com/robots/test_robot');
    expect(ready.activity?.HANDLER).toBe('https://robots.example.com/robots/test_robot');
    expect(ready.robot?.AUTH_USER_ID).toBe(16);
  });

  it('carry a version that changes when the payload changes, and only then', () => {
    const first = buildManifest(sendMessage)!;
    expect(buildManifest(sendMessage)!.version).toBe(first.version);
    const renamed = defineRobot({ ...sendMessage, name: { ru: 'Написать', en: 'Write' } });
    expect(buildManifest(renamed)!.version).not.toBe(first.version);
    expect(first.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('are not written for internal robots that register nothing', () => {
    const internal = defineRobot({ ...md5, code: 'internal_job', documentTypes: [], robot: false, activity: false });
    expect(buildManifest(internal)).toBeNull();
  });
});
