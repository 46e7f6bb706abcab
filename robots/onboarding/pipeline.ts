/**
 * Finds the onboarding pipeline and its first stage. A portal may configure them by id; otherwise they are looked up
 * by name («Работа по бухгалтерскому аутсорсингу» / «Новая»), because ids differ from portal to portal.
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
  ENTITY_ID: string;
  STATUS_ID: string;
  NAME: string;
  SORT?: string | number;
  CATEGORY_ID?: string | number | null;
}

const sameName = (a: string, b: string) => a.trim().toLocaleLowerCase('ru') === b.trim().toLocaleLowerCase('ru');

type PipelineSettings = Pick<OnboardingSettings, 'pipelineId' | 'pipelineName' | 'stageId' | 'stageName'>;

/** The onboarding pipeline's id, looked up by name unless configured (one request at most). */
export async function resolveCategoryId(b24: B24, settings: Pick<OnboardingSettings, 'pipelineId' | 'pipelineName'>): Promise<number> {
  if (settings.pipelineId !== null) return settings.pipelineId;
  return findCategory(await b24.call<{ categories?: Category[] }>('crm.category.list', { entityTypeId: 2 }), settings.pipelineName);
}

/** The pipeline and its first stage, looked up by name unless configured (one batch request at most). */
export async function resolvePipeline(b24: B24, settings: PipelineSettings): Promise<DealPipeline> {
  if (settings.pipelineId !== null && settings.stageId !== null) return { categoryId: settings.pipelineId, stageId: settings.stageId };
  // Pipelines and stages in one batch request. crm.status.list has no paging and a portal has a few hundred
  // statuses at most, so the stages are filtered here rather than in a second request that waits for the id.
  const answer = await b24.batch({
    categories: ['crm.category.list', { entityTypeId: 2 }],
    stages: ['crm.status.list', { order: { SORT: 'ASC' } }],
  });
  for (const [key, failure] of Object.entries(answer.errors)) {
    throw new Error(`${key === 'categories' ? 'crm.category.list' : 'crm.status.list'}: ${failure.error} ${failure.error_description}`);
  }
  const categoryId = settings.pipelineId ?? findCategory(answer.result.categories as { categories?: Category[] }, settings.pipelineName);
  const stageId = settings.stageId ?? findStage(answer.result.stages as StatusRow[], categoryId, settings.stageName);
  return { categoryId, stageId };
}

function findCategory(answer: { categories?: Category[] } | undefined, name: string): number {
  // crm.category.list {entityTypeId: 2} → {categories: [{id, name, …}]} (PROTOCOL §6.4).
  const found = (answer?.categories ?? []).find((category) => sameName(category.name, name));
  if (!found) {
    throw new RobotError(
      `Воронка сделок «${name}» не найдена: создайте её или укажите onboarding.pipelineId в настройках портала`,
      { code: 'PIPELINE_NOT_FOUND' },
    );
  }
  return Number(found.id);
}

function findStage(rows: StatusRow[] | undefined, categoryId: number, name: string): string {
  // Stages of the default pipeline are ENTITY_ID DEAL_STAGE, of pipeline N DEAL_STAGE_N (PROTOCOL §6.4).
  const entityId = categoryId === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`;
  const found = (rows ?? []).find((row) => row.ENTITY_ID === entityId && sameName(row.NAME, name));
  if (!found) {
    throw new RobotError(
      `Стадия «${name}» не найдена в воронке ${categoryId}: переименуйте стадию или укажите onboarding.stageId в настройках портала`,
      { code: 'STAGE_NOT_FOUND' },
    );
  }
  return found.STATUS_ID;
}
