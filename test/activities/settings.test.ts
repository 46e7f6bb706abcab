import { loadSettings, saveSettings, SettingsError } from '../../src/activities/settings';
import type { SettingsModule } from '../../src/activities/types';
import { createStore } from '../../src/store';
import type { Store } from '../../src/store/types';

interface Onboarding {
  fallbackUserId: number;
  taskDeadlineDays: number;
  tariffs: Record<string, number | null>;
  keywords: string[];
}

const onboarding: SettingsModule<Onboarding> = {
  key: 'onboarding',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      fallbackUserId: { type: 'integer', minimum: 1, default: 1 },
      taskDeadlineDays: { type: 'integer', minimum: 0, default: 3 },
      tariffs: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
      keywords: { type: 'array', items: { type: 'string' } },
    },
  },
  defaults: { fallbackUserId: 1, taskDeadlineDays: 3, tariffs: { Базовый: 3000, Индивидуальный: null }, keywords: ['Хостинг'] },
};

describe('per-portal settings modules', () => {
  let store: Store;
  beforeEach(async () => {
    store = await createStore('sqlite::memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  it('gives the defaults to a portal that stored nothing', async () => {
    expect(await loadSettings(store, 'm1', onboarding)).toEqual(onboarding.defaults);
  });

  it('lays what the portal stored over the defaults, objects merged key by key and lists replaced', async () => {
    await store.saveSettings('m1', { onboarding: { fallbackUserId: 16, tariffs: { Премиум: 12000 }, keywords: ['ТО'] } });
    expect(await loadSettings(store, 'm1', onboarding)).toEqual({
      fallbackUserId: 16,
      taskDeadlineDays: 3,
      tariffs: { Базовый: 3000, Индивидуальный: null, Премиум: 12000 },
      keywords: ['ТО'],
    });
  });

  it('names the key of a bad stored value', async () => {
    await store.saveSettings('m1', { onboarding: { fallbackUserId: 'Иванов' } });
    await expect(loadSettings(store, 'm1', onboarding)).rejects.toThrow(SettingsError);
    await expect(loadSettings(store, 'm1', onboarding)).rejects.toThrow('"onboarding.fallbackUserId" must be integer');
  });

  it('validates before saving and keeps the other modules of the portal', async () => {
    await store.saveSettings('m1', { infra: { reminderDays: 7 } });
    await expect(saveSettings(store, 'm1', onboarding, { taskDeadlineDays: -1 })).rejects.toThrow('"onboarding.taskDeadlineDays" must be >= 0');
    expect(await store.getSettings('m1')).toEqual({ infra: { reminderDays: 7 } });

    const effective = await saveSettings(store, 'm1', onboarding, { taskDeadlineDays: 5 });
    expect(effective.taskDeadlineDays).toBe(5);
    expect(effective.fallbackUserId).toBe(1);
    expect(await store.getSettings('m1')).toEqual({ infra: { reminderDays: 7 }, onboarding: { taskDeadlineDays: 5 } });
  });
});
