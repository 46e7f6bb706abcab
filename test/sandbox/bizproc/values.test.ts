/**
 * Property values as the handler receives them (PROTOCOL §2.5), designer expressions, the signed event token and
 * the key-case rule of the bizproc REST service.
 */
import { encodeBracketForm } from '../../../src/util/bracket-form';
import { externalizeDate } from '../../../src/sandbox/bizproc/culture-date';
import { evaluate } from '../../../src/sandbox/bizproc/expressions';
import { externalizeProperty } from '../../../src/sandbox/bizproc/externalize';
import { signEventToken, verifyEventToken } from '../../../src/sandbox/bizproc/event-token';
import { upperCaseParams } from '../../../src/sandbox/bizproc/params';
import type { PropertyDef } from '../../../src/sandbox/bizproc/state';

const prop = (Type: string, Multiple: 'Y' | 'N' = 'N', extra: Partial<PropertyDef> = {}): PropertyDef => ({
  Name: { '*': 'x' },
  Type,
  Required: 'N',
  Multiple,
  ...extra,
});
const ru = { culture: 'ru' as const, timeZone: 'Europe/Moscow', document: { ASSIGNED_BY_ID: '5' } };
const en = { ...ru, culture: 'en' as const };

describe('culture-format dates in the portal time zone', () => {
  it('prints ru and en datetimes and dates', () => {
    expect(externalizeDate('2024-12-31T15:00:00Z', 'ru', 'Europe/Moscow', true)).toBe('31.12.2024 18:00:00');
    expect(externalizeDate('2024-12-31T15:00:00Z', 'en', 'Europe/Moscow', true)).toBe('12/31/2024 06:00:00 pm');
    expect(externalizeDate('2025-01-01T00:30:00+03:00', 'en', 'Europe/Moscow', true)).toBe('01/01/2025 12:30:00 am');
    expect(externalizeDate('2024-12-31T22:00:00Z', 'ru', 'Europe/Moscow', false)).toBe('01.01.2025'); // already Jan 1 in Moscow
    expect(externalizeDate('2024-12-31', 'en', 'America/New_York', false)).toBe('12/31/2024');
    expect(externalizeDate('2024-12-31T18:00:00', 'ru', 'Asia/Yekaterinburg', true)).toBe('31.12.2024 18:00:00'); // wall clock
    expect(externalizeDate(new Date(Date.UTC(2024, 5, 1, 9)), 'ru', 'Europe/Berlin', true)).toBe('01.06.2024 11:00:00');
  });

  it('passes a literal the admin typed through unchanged', () => {
    expect(externalizeDate('31.12.2024 18:00:00', 'en', 'Europe/Moscow', true)).toBe('31.12.2024 18:00:00');
  });
});

describe('externalised property values', () => {
  it('sends user codes, Y/N, option keys and numbers as strings', () => {
    expect(externalizeProperty(prop('user'), 7, ru)).toBe('user_7');
    expect(externalizeProperty(prop('user'), 'Author', ru)).toBe('user_5');
    expect(externalizeProperty(prop('user', 'Y'), 'Author;user_3', ru)).toEqual(['user_5', 'user_3']);
    expect(externalizeProperty(prop('user', 'N', { Settings: { EXTERNALEXTRACT: 'Y' } }), 'user_9', ru)).toBe('9');
    expect(externalizeProperty(prop('bool'), 'Y', ru)).toBe('Y');
    expect(externalizeProperty(prop('bool'), 'N', ru)).toBe('N');
    expect(externalizeProperty(prop('bool', 'N', { Settings: { ExternalValues: { Y: 'yes', N: 'no' } } }), 'Y', ru)).toBe('yes');
    expect(externalizeProperty(prop('select'), 'docx', ru)).toBe('docx');
    expect(externalizeProperty(prop('int'), 333, ru)).toBe('333');
    expect(externalizeProperty(prop('double'), 12.5, ru)).toBe('12.5');
    expect(externalizeProperty(prop('datetime', 'Y'), '2024-12-31T15:00:00Z', en)).toEqual(['12/31/2024 06:00:00 pm']);
  });

  it('wraps a multiple scalar, takes the first of a single array, sends null as "" and drops empty arrays', () => {
    expect(externalizeProperty(prop('string', 'Y'), 'one', ru)).toEqual(['one']);
    expect(externalizeProperty(prop('string'), ['first', 'second'], ru)).toBe('first');
    expect(externalizeProperty(prop('string', 'Y'), null, ru)).toBe('');
    expect(externalizeProperty(prop('int'), 0, ru)).toBe('0');
    const form = encodeBracketForm({
      properties: { tags: externalizeProperty(prop('string', 'Y'), [], ru), note: externalizeProperty(prop('string'), null, ru) },
    });
    expect(form).toBe('properties%5Bnote%5D=');
  });
});

describe('designer expressions', () => {
  const scope = {
    document: { TITLE: 'Deal', ASSIGNED_BY_ID: '5', CONTACT_IDS: ['3', '4'] },
    parameters: { Tariff: 'Базовый' },
    constants: { Manager: 'user_1' },
    variables: {},
    results: { A11111_22222_33333_44444: { DealId: 394 } },
  };

  it('keeps the type of a lone expression and stringifies inside text', () => {
    expect(evaluate('{=Document:CONTACT_IDS}', scope)).toEqual(['3', '4']);
    expect(evaluate('{=Document:contact_ids}', scope)).toEqual(['3', '4']);
    expect(evaluate('{=Document:TITLE} for {=Template:Tariff} ({=Document:CONTACT_IDS})', scope)).toBe('Deal for Базовый (3, 4)');
    expect(evaluate('{=A11111_22222_33333_44444:DealId}', scope)).toBe(394);
    expect(evaluate(['{=Constant:Manager}', '{=Document:CONTACT_IDS}'], scope)).toEqual(['user_1', '3', '4']);
    expect(evaluate('{{Title}} / {=Document:ASSIGNED_BY_ID > printable}', scope)).toBe('Deal / 5');
    expect(evaluate('{=Document:MISSING}x', scope)).toBe('x');
  });
});

describe('event tokens', () => {
  it('verify only with the portal secret and an intact signature', () => {
    const token = signEventToken('secret', '664fa13bbbb410.99176768', 'A40364_79843_85254_57332', 'hsyUws1j4XiwqPqN45eH66CcQtEvpUIP');
    expect(verifyEventToken('secret', token)).toEqual({
      workflowId: '664fa13bbbb410.99176768',
      activityName: 'A40364_79843_85254_57332',
      eventId: 'hsyUws1j4XiwqPqN45eH66CcQtEvpUIP',
    });
    expect(verifyEventToken('other', token)).toBeNull();
    expect(verifyEventToken('secret', token.replace('A40364', 'A40365'))).toBeNull();
    expect(verifyEventToken('secret', 'garbage')).toBeNull();
    expect(verifyEventToken('secret', undefined)).toBeNull();
  });
});

describe('key case', () => {
  it('upper-cases every key except the direct children of PROPERTIES, RETURN_PROPERTIES and OPTIONS', () => {
    expect(
      upperCaseParams({
        code: 'x',
        name: { en: 'X' },
        fields: { properties: { myProp: { name: 'N', options: { keyA: 'A' }, settings: { ExternalExtract: 'Y' } } } },
        return_properties: { Out: { type: 'string' } },
      }),
    ).toEqual({
      CODE: 'x',
      NAME: { EN: 'X' },
      FIELDS: { PROPERTIES: { myProp: { NAME: 'N', OPTIONS: { keyA: 'A' }, SETTINGS: { EXTERNALEXTRACT: 'Y' } } } },
      RETURN_PROPERTIES: { Out: { TYPE: 'string' } },
    });
  });
});
