/**
 * `POST ${PUBLIC_URL}/events`: deliveries of the events bound at install (event.bind), e.g. ONCRMCOMPANYADD.
 * The form has `event`, `data[FIELDS][ID]`, `ts` and `auth[...]` with the application_token (and at most a one-off
 * access token without refresh token, which we do not keep). Verified like a robot call; each robot that declares
 * the event gets a run on the event's entity. Like robot calls, events are never resent (docs: "No retries").
 */
import type { Request, Response } from 'express';
import type { Logger } from '../logger';
import type { Store } from '../store/types';
import { objectField, positiveInt, stringField } from './body';
import { HttpError, HttpErrorCode, invalidField, missingField } from './errors';
import type { RobotCatalog } from './types';
import { readAuthenticatedForm } from './verify';

/** Document classes of the CRM entities whose events carry `data[FIELDS][ID]` (PROTOCOL §2.3). */
const EVENT_DOCUMENTS: Record<string, { className: string; prefix: string }> = {
  LEAD: { className: 'CCrmDocumentLead', prefix: 'LEAD' },
  DEAL: { className: 'CCrmDocumentDeal', prefix: 'DEAL' },
  CONTACT: { className: 'CCrmDocumentContact', prefix: 'CONTACT' },
  COMPANY: { className: 'CCrmDocumentCompany', prefix: 'COMPANY' },
  // Activities are no bizproc document; the pseudo class keeps the activity id readable as document.id.
  ACTIVITY: { className: 'CCrmActivity', prefix: 'ACTIVITY' },
};

/** `ONCRMCOMPANYUPDATE` + 12 → ['crm', 'CCrmDocumentCompany', 'COMPANY_12']; null for other events. */
export function documentIdOfEvent(event: string, id: number): string[] | null {
  const match = /^ONCRM(LEAD|DEAL|CONTACT|COMPANY|ACTIVITY)(ADD|UPDATE|DELETE)$/.exec(event);
  if (!match) return null;
  const doc = EVENT_DOCUMENTS[match[1]];
  return ['crm', doc.className, `${doc.prefix}_${id}`];
}

export interface EventsOptions {
  store: Store;
  registry: RobotCatalog;
  logger: Logger;
  limitBytes: number;
  clock: () => Date;
  onRunQueued?: () => void;
}

export function eventsHandler(options: EventsOptions) {
  const { store, registry, logger, clock } = options;
  return async (req: Request, res: Response): Promise<void> => {
    const { form, auth, portal } = await readAuthenticatedForm(req, store, options.limitBytes);
    const event = stringField(form, 'event')?.toUpperCase();
    if (!event) throw missingField('event');
    const robots = registry.list().filter((robot) => (robot.events ?? []).some((name) => name.toUpperCase() === event));
    if (robots.length === 0) {
      // A binding left from an older version: answer 2xx so the queue does not slow our deliveries down.
      logger.info('event with no subscribed robot ignored', { portal: portal.memberId, event });
      res.status(200).json({ status: 'ignored', runs: [] });
      return;
    }
    const idText = stringField(objectField(objectField(form, 'data'), 'FIELDS'), 'ID');
    if (idText === undefined) throw missingField('data[FIELDS][ID]');
    if (!/^\d+$/.test(idText)) throw invalidField('data[FIELDS][ID]', 'a numeric id');
    const id = Number(idText);
    const now = clock();
    const ts = stringField(form, 'ts');
    const firedAt = ts && /^\d+$/.test(ts) ? new Date(Number(ts) * 1000) : now;
    const documentId = documentIdOfEvent(event, id);
    if (!documentId) {
      throw new HttpError(400, HttpErrorCode.UNKNOWN_EVENT, `event ${event} has no document mapping: subscribe robots only to ONCRM<ENTITY>ADD|UPDATE|DELETE events`);
    }
    const userId = positiveInt(stringField(auth, 'user_id'));
    const runs: string[] = [];
    for (const robot of robots) {
      const { run, created } = await store.enqueueRun({
        memberId: portal.memberId,
        robotCode: robot.code,
        source: 'event',
        // The same delivery twice (same event, entity and second) is one run per robot.
        dedupeKey: `event:${event}:${id}:${ts ?? firedAt.getTime()}:${robot.code}`,
        workflowId: null,
        eventToken: null,
        documentId,
        documentType: documentId.slice(0, 2).concat(documentId[2].replace(/_\d+$/, '')),
        properties: {},
        userId,
        useSubscription: false,
        firedAt,
      });
      runs.push(run.id);
      logger.info(created ? 'event run queued' : 'event received again, already queued', {
        portal: portal.memberId,
        robot: robot.code,
        run: run.id,
        event,
        entity: id,
      });
    }
    options.onRunQueued?.();
    res.status(200).json({ status: 'queued', runs });
  };
}
