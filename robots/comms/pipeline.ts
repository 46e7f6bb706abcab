/**
 * The client-service deal pipeline (seed 001: «в воронке клиентского сервиса создается сделка»): by id from the
 * settings, or looked up by name («Клиентский сервис»), since pipeline ids differ from portal to portal. A new deal
 * without STAGE_ID lands in the pipeline's first stage, so the stage is only sent when the settings name one.
 */
import { RobotError } from '../../src/activities/robot-error';
import type { B24 } from '../../src/bitrix/types';
import type { CommsSettings } from './settings';

export interface ServicePipeline {
  categoryId: number;
  stageId: string | null;
}

const sameName = (a: string, b: string) => a.trim().toLocaleLowerCase('ru') === b.trim().toLocaleLowerCase('ru');

export async function resolveServicePipeline(
  b24: B24,
  settings: Pick<CommsSettings, 'servicePipelineId' | 'servicePipelineName' | 'serviceStageId'>,
): Promise<ServicePipeline> {
  if (settings.servicePipelineId !== null) return { categoryId: settings.servicePipelineId, stageId: settings.serviceStageId };
  // crm.category.list {entityTypeId: 2} → {categories: [{id, name, …}]} (PROTOCOL §6.4); a portal has few pipelines.
  const answer = await b24.call<{ categories?: Array<{ id: number | string; name: string }> }>('crm.category.list', { entityTypeId: 2 });
  const found = (answer?.categories ?? []).find((category) => sameName(category.name, settings.servicePipelineName));
  if (!found) {
    throw new RobotError(
      `Воронка сделок «${settings.servicePipelineName}» не найдена: создайте её или укажите comms.servicePipelineId в настройках портала`,
      { code: 'PIPELINE_NOT_FOUND' },
    );
  }
  return { categoryId: Number(found.id), stageId: settings.serviceStageId };
}
