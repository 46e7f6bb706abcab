import { defineRobot, RobotDefinitionError, registrationOf } from '../../src/activities/define-robot';
import type { RobotDefinition } from '../../src/activities/types';

function robot(overrides: Partial<RobotDefinition> = {}): RobotDefinition {
  return {
    code: 'onboarding_create_deal',
    name: { ru: 'Создать сделку по компании', en: 'Create deal from company' },
    description: { ru: 'Создаёт сделку', en: 'Creates a deal' },
    documentTypes: ['company'],
    properties: { categoryId: { type: 'int', name: { ru: 'Воронка', en: 'Pipeline' }, default: 0 } },
    returns: { DealId: { type: 'int', name: { ru: 'ID сделки', en: 'Deal ID' } } },
    handler: async () => ({}),
    ...overrides,
  };
}

function problem(overrides: Partial<RobotDefinition>): string {
  try {
    defineRobot(robot(overrides));
  } catch (error) {
    expect(error).toBeInstanceOf(RobotDefinitionError);
    return (error as Error).message;
  }
  throw new Error('the definition was accepted');
}

describe('defineRobot checks a robot when it is loaded', () => {
  it('adds Result (ok/skipped/error) and Error to the return values', () => {
    const defined = defineRobot(robot());
    expect(Object.keys(defined.returns)).toEqual(['DealId', 'Result', 'Error']);
    expect(Object.keys(defined.returns.Result.options ?? {})).toEqual(['ok', 'skipped', 'error']);
    expect(defined.returns.Error.type).toBe('string');
  });

  it('accepts camelCase property codes, as Bitrix24 matches the key regex case-insensitively', () => {
    expect(() => defineRobot(robot())).not.toThrow();
  });

  it('can define an already defined robot again', () => {
    expect(Object.keys(defineRobot(defineRobot(robot())).returns)).toEqual(['DealId', 'Result', 'Error']);
  });

  it('rejects codes Bitrix24 refuses', () => {
    expect(problem({ code: 'create deal' })).toContain('^[a-z0-9.\\-_]+$');
    expect(problem({ code: 'сделка' })).toContain('must match');
    expect(problem({ code: 'a'.repeat(126) })).toContain('must fit in 128 characters');
    expect(() => defineRobot(robot({ code: 'a'.repeat(125) }))).not.toThrow();
  });

  it('rejects property codes that do not start with a letter', () => {
    expect(problem({ properties: { '1st': { type: 'int', name: { ru: 'a', en: 'a' } } } })).toContain('property "1st"');
  });

  it('needs names in Russian and English', () => {
    expect(problem({ name: { ru: 'Сделка', en: '' } })).toContain('name needs a non-empty "en" text');
    expect(problem({ properties: { x: { type: 'int', name: { en: 'X' } as never } } })).toContain('property "x" name needs a non-empty "ru"');
  });

  it('wants a select default among its options', () => {
    const message = problem({
      properties: { format: { type: 'select', name: { ru: 'Ф', en: 'F' }, options: { pdf: 'PDF' }, default: 'PDF' } },
    });
    expect(message).toContain('default "PDF" is not one of pdf');
  });

  it('wants defaults of the property type, but lets bizproc expressions through', () => {
    expect(problem({ properties: { n: { type: 'int', name: { ru: 'Ч', en: 'N' }, default: '5' } } })).toContain('is not a int value');
    expect(() =>
      defineRobot(robot({ properties: { n: { type: 'int', name: { ru: 'Ч', en: 'N' }, default: '{=Document:ID}' } } })),
    ).not.toThrow();
  });

  it('reserves Result, Error and LogMessage', () => {
    expect(problem({ returns: { result: { type: 'string', name: { ru: 'Р', en: 'R' } } } })).toContain('reserved');
  });

  it('registers company-only rules as activities, not robots (companies have no automation)', () => {
    expect(registrationOf(robot())).toEqual({ robot: false, activity: true });
    expect(registrationOf(robot({ documentTypes: ['deal', 'company'] }))).toEqual({ robot: true, activity: true });
    expect(problem({ robot: true })).toContain('needs a document type with automation rules');
  });

  it('rejects unknown document types and property types', () => {
    expect(problem({ documentTypes: ['task' as never] })).toContain('unknown document type "task"');
    expect(problem({ properties: { x: { type: 'money' as never, name: { ru: 'x', en: 'x' } } } })).toContain('unknown type "money"');
  });
});
