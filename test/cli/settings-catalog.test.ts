/**
 * What `b24robots settings` accepts: module values against their schema, `schedules.<job>` as a cron expression or
 * "off", and nothing else — every problem naming its key.
 */
import { defineRobot } from '../../src/activities/define-robot';
import { effectiveSettings, settingsCatalog, settingsProblems } from '../../src/cli/settings-catalog';
import { parseAssignment } from '../../src/cli/settings';

const name = (ru: string, en: string) => ({ ru, en });
const sweep = defineRobot({
  code: 'cli_sweep',
  name: name('Обход', 'Sweep'),
  description: name('Еженедельный обход', 'Weekly sweep'),
  documentTypes: ['deal'],
  properties: {},
  returns: {},
  schedule: { cron: '0 9 * * 1' },
  settings: {
    key: 'sweep',
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        keywords: { type: 'array', items: { type: 'string', minLength: 1 }, default: ['счёт'] },
        pipelineId: { type: 'integer', minimum: 0, default: 0 },
      },
    },
    defaults: { keywords: ['счёт'], pipelineId: 0 },
  },
  async handler() {
    return {};
  },
});
const catalog = settingsCatalog([sweep]);

describe('settings validation', () => {
  it('a schedule is a cron expression or "off", for a job that exists', () => {
    expect(settingsProblems(catalog, { schedules: { cli_sweep: '30 8 * * 1-5' } })).toEqual([]);
    expect(settingsProblems(catalog, { schedules: { cli_sweep: 'off' } })).toEqual([]);
    expect(settingsProblems(catalog, { schedules: { cli_sweep: 'every monday' } })).toEqual([
      '"schedules.cli_sweep" must be a cron expression such as "0 9 * * 1", or "off"',
    ]);
    expect(settingsProblems(catalog, { schedules: { nightly: '0 3 * * *' } })).toEqual([
      '"schedules.nightly" is not a scheduled job (jobs: cli_sweep)',
    ]);
  });

  it('module values are checked against the module schema, naming the key', () => {
    expect(settingsProblems(catalog, { sweep: { keywords: ['счёт', 'оплата'] } })).toEqual([]);
    expect(settingsProblems(catalog, { sweep: { pipelineId: -1 } })).toEqual(['"sweep.pipelineId" must be >= 0']);
    expect(settingsProblems(catalog, { pipelines: {} })[0]).toBe('"pipelines" is not a settings key (keys: schedules, sweep)');
  });

  it('effective settings put the defaults and every job\'s cron under what the portal stored', () => {
    expect(effectiveSettings(catalog, { sweep: { pipelineId: 3 } })).toEqual({
      sweep: { keywords: ['счёт'], pipelineId: 3 },
      schedules: { cli_sweep: '0 9 * * 1' },
    });
  });

  it('key=value reads JSON when it parses and text otherwise', () => {
    expect(parseAssignment('sweep.pipelineId=3').value).toBe(3);
    expect(parseAssignment('sweep.keywords=["счёт","акт"]').value).toEqual(['счёт', 'акт']);
    expect(parseAssignment('schedules.cli_sweep=0 9 * * 1')).toMatchObject({ segments: ['schedules', 'cli_sweep'], value: '0 9 * * 1' });
    expect(() => parseAssignment('sweep.pipelineId')).toThrow('is not key=value');
  });
});
