/**
 * Finds the onboarding pipeline and its first stage. A portal may configure them by id; otherwise they are looked up
 * by name («Работа по бухгалтерскому аутсорсингу» / «Новая»), because ids differ from portal to portal.
 * One resolver per run: the lookups are made at most once per run.
 */
import type { B24 } from '../../src/bitrix/types';
import { RobotError } from '../../src/activities/robot-error';
import type { OnboardingSettings } from './settings';

export interface DealPipeline {
  categoryId: number;
  /** STATUS_ID of the stage, e.g. `C3:NEW` (PROTOCOL §6.1: pipeline N stages are `C<N>:…`). */
  stageId: string;
}

interface Category {
  id: number | string;
  name: string;
}

interface StatusRow {
  STATUS_ID: string;
  NAME: string;
  SORT?: string | number;
  CATEGORY_ID?: string | number | null;
}

const sameName = (a: string, b: string) => a.trim().toLocaleLowerCase('ru') === b.trim().toLocaleLowerCase('ru');

type PipelineSettings = Pick<OnboardingSettings, 'pipelineId' | 'pipelineName' | 'stageId' | 'stageName'>;

export function createPipelineResolver(b24: B24, settings: PipelineSettings): () => Promise<DealPipeline> {
  let pending: Promise<DealPipeline> | null = null;
  return () => (pending ??= resolve(b24, settings));
}

async function resolve(b24: B24, settings: PipelineSettings): Promise<DealPipeline> {
  const categoryId = settings.pipelineId ?? (await findCategory(b24, settings.pipelineName));
  const stageId = settings.stageId ?? (await findStage(b24, categoryId, settings.stageName));
  return { categoryId, stageId };
}

async function findCategory(b24: B24, name: string): Promise<number> {
  // crm.category.list {entityTypeId: 2} → {categories: [{id, name, …}]} (PROTOCOL §6.4); a portal has few pipelines.
  const answer = await b24.call<{ categories?: Category[] }>('crm.category.list', { entityTypeId: 2 });
  const found = (answer?.categories ?? []).find((category) => sameName(category.name, name));
  if (!found) {
    throw new RobotError(
      `Воронка сделок «${name}» не найдена: создайте её или укажите onboarding.pipelineId в настройках портала`,
      { code: 'PIPELINE_NOT_FOUND' },
    );
  }
  return Number(found.id);
}

async function findStage(b24: B24, categoryId: number, name: string): Promise<string> {
  // Stages of the default pipeline are ENTITY_ID DEAL_STAGE, of pipeline N DEAL_STAGE_N (PROTOCOL §6.4).
  const entityId = categoryId === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`;
  const rows = await b24.call<StatusRow[]>('crm.status.list', { filter: { ENTITY_ID: entityId }, order: { SORT: 'ASC' } });
  const found = (rows ?? []).find((row) => sameName(row.NAME, name));
  if (!found) {
    throw new RobotError(
      `Стадия «${name}» не найдена в воронке ${categoryId}: переименуйте стадию или укажите onboarding.stageId в настройках портала`,
      { code: 'STAGE_NOT_FOUND' },
    );
  }
  return found.STATUS_ID;
}
