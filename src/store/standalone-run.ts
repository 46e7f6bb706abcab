/**
 * A run no workflow step waits for: a schedule tick, an admin's rerun, a bench or demo run. It carries no
 * event_token, so the worker sends no bizproc.event.send for it (PROTOCOL: only a waiting step takes an answer),
 * and no user's token: REST goes through the portal's stored tokens.
 */
import type { NewRun } from './types';

export type StandaloneRunFields = Pick<NewRun, 'memberId' | 'robotCode' | 'source' | 'dedupeKey' | 'firedAt'> &
  Partial<Pick<NewRun, 'documentId' | 'documentType' | 'properties' | 'availableAt'>>;

export function standaloneRun(fields: StandaloneRunFields): NewRun {
  return {
    workflowId: null,
    eventToken: null,
    documentId: null,
    documentType: null,
    properties: {},
    userId: null,
    useSubscription: false,
    ...fields,
  };
}
