import { resolveSettings, SettingsError } from '../../../src/activities/settings';
import { onboardingDefaults, onboardingSettings } from '../../../robots/onboarding/settings';

describe('onboarding settings', () => {
  it('a portal with nothing stored gets the seed defaults', () => {
    const settings = resolveSettings(onboardingSettings, undefined);
    expect(settings).toEqual(onboardingDefaults);
    expect(settings.pipelineName).toBe('Работа по бухгалтерскому аутсорсингу');
    expect(settings.stageName).toBe('Новая');
  });

  it("a portal's own tariff table replaces the default one instead of mixing into it", () => {
    const settings = resolveSettings(onboardingSettings, { tariffs: [{ name: 'Эконом', price: 1500 }] });
    expect(settings.tariffs).toEqual([{ name: 'Эконом', price: 1500 }]);
    expect(settings.companyTariffField).toBe('UF_CRM_TARIFF_TYPE');
  });

  it('pipeline and stage may be configured by id', () => {
    const settings = resolveSettings(onboardingSettings, { pipelineId: 0, stageId: 'PREPARATION' });
    expect(settings).toMatchObject({ pipelineId: 0, stageId: 'PREPARATION' });
  });

  it.each([
    [{ tariffs: [{ name: 'Базовый', price: -1 }] }, 'onboarding.tariffs.0.price'],
    [{ tariffs: [] }, 'onboarding.tariffs'],
    [{ companyTariffField: 'uf_crm tariff' }, 'onboarding.companyTariffField'],
    [{ fallbackUserId: 0 }, 'onboarding.fallbackUserId'],
    [{ pipelineId: 'Работа' }, 'onboarding.pipelineId'],
  ])('a bad value is rejected naming its key (%j)', (stored, key) => {
    expect(() => resolveSettings(onboardingSettings, stored)).toThrow(SettingsError);
    expect(() => resolveSettings(onboardingSettings, stored)).toThrow(key);
  });
});
