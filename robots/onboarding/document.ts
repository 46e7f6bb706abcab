/** The company an onboarding robot runs on, from the run's document (`CCrmDocumentCompany`, `COMPANY_<id>`). */
import { RobotError } from '../../src/activities/robot-error';
import type { DocumentRef } from '../../src/activities/types';
import { isB24Error } from '../../src/bitrix/errors';
import type { B24 } from '../../src/bitrix/types';

export function companyIdOf(document: DocumentRef | null): number {
  if (!document || document.kind !== 'company' || !Number.isInteger(document.id) || document.id <= 0) {
    const got = document ? document.raw.join('/') : 'no document';
    throw new RobotError(`the onboarding robots run on a company (CCrmDocumentCompany, COMPANY_<id>), got ${got}`, {
      code: 'NOT_A_COMPANY',
    });
  }
  return document.id;
}

/** crm.company.get; a missing company is a final error (legacy methods answer `"error": ""`, "Not found", PROTOCOL §6.2). */
export async function getCompany(b24: B24, companyId: number): Promise<Record<string, unknown>> {
  try {
    return await b24.call<Record<string, unknown>>('crm.company.get', { id: companyId });
  } catch (error) {
    if (isB24Error(error) && error.status === 400 && /not\s*found/i.test(error.description)) {
      throw new RobotError(`компания ${companyId} не найдена (удалена или нет доступа)`, { code: 'COMPANY_NOT_FOUND', cause: error });
    }
    throw error;
  }
}
