/**
 * `POST ${PUBLIC_URL}/robots/:code`: the robot call (PROTOCOL §2). Bitrix24 sends it once and never again, whatever
 * we answer (§2.1), so the only job here is to check it came from an installed portal, store the run durably and
 * answer 200 at once. No REST call happens on this path; the worker does the work.
 *
 * Order: read the body (size limit) → parse the bracket form → authenticate the portal (member_id + constant-time
 * application_token) → resolve the code → validate the fields → store. A refused call stores nothing.
 */
import type { Request, Response } from 'express';
import type { Logger } from '../logger';
import type { NewRun, Store } from '../store/types';
import type { FormObject, FormValue } from '../util/bracket-form';
import { positiveInt, stringField } from './body';
import { tokensOfAuth, type TokenKeeper } from './call-tokens';
import { HttpError, HttpErrorCode, invalidField, missingField } from './errors';
import type { RobotCatalog } from './types';
import { readAuthenticatedForm } from './verify';

export interface ReceiverOptions {
  store: Store;
  registry: RobotCatalog;
  logger: Logger;
  tokens: TokenKeeper;
  limitBytes: number;
  clock: () => Date;
  onRunQueued?: () => void;
}

function requiredString(form: FormObject, key: string): string {
  const value = stringField(form, key);
  if (value === undefined || value === '') throw missingField(key);
  return value;
}

/** A `[module, class, id]` triple of strings (§2.3). */
function triple(form: FormObject, key: string, required: boolean): string[] | null {
  const value: FormValue | undefined = form[key];
  if (value === undefined) {
    if (required) throw missingField(`${key}[0..2]`);
    return null;
  }
  if (!Array.isArray(value) || value.length !== 3 || !value.every((part) => typeof part === 'string' && part !== '')) {
    throw invalidField(key, 'three non-empty strings: module, document class, id (e.g. crm, CCrmDocumentDeal, DEAL_12)');
  }
  return value as string[];
}

function firedAt(form: FormObject, now: Date): Date {
  const ts = Number(stringField(form, 'ts'));
  return Number.isFinite(ts) && ts > 0 ? new Date(ts * 1000) : now;
}

export function robotCallHandler(options: ReceiverOptions) {
  const { store, registry, logger, tokens, clock } = options;
  return async (req: Request, res: Response): Promise<void> => {
    const { form, auth, portal } = await readAuthenticatedForm(req, store, options.limitBytes);

    const routeCode = String(req.params.code ?? '');
    const robot = registry.resolve(routeCode);
    if (!robot) {
      throw new HttpError(404, HttpErrorCode.UNKNOWN_ROBOT, `no robot "${routeCode.slice(0, 128)}": the app does not provide it; run \`b24robots register\` to refresh the portal's robots`);
    }
    const bodyCode = stringField(form, 'code');
    if (bodyCode !== undefined && registry.resolve(bodyCode) !== robot) {
      throw invalidField('code', `the code of the handler URL (${routeCode}) or its activity code`);
    }
    const eventToken = requiredString(form, 'event_token');
    const workflowId = requiredString(form, 'workflow_id');
    const documentId = triple(form, 'document_id', true);
    const documentType = triple(form, 'document_type', false);
    const properties = form.properties ?? {};
    if (typeof properties !== 'object' || Array.isArray(properties)) {
      throw invalidField('properties', 'an object of property codes (properties[<code>]=…)');
    }

    const now = clock();
    const run: NewRun = {
      memberId: portal.memberId,
      robotCode: robot.code,
      source: 'robot',
      // event_token is unique per step execution (§2.4): a second POST of the same call is the same run.
      dedupeKey: eventToken,
      workflowId,
      eventToken,
      documentId,
      documentType,
      properties,
      userId: positiveInt(stringField(auth, 'user_id')),
      useSubscription: stringField(form, 'use_subscription') === 'Y',
      firedAt: firedAt(form, now),
    };
    const { run: stored, created } = await store.enqueueRun(run);
    if (created) options.onRunQueued?.();

    const pair = tokensOfAuth(auth, now);
    if (pair) {
      // Best effort: the run is stored; a failed token save only means the worker uses the older stored pair.
      await tokens.keep(portal.memberId, pair, now).catch((error: Error) => {
        logger.warn('could not save the token pair of a robot call', { portal: portal.memberId, user: pair.userId, error });
      });
    }
    logger.info(created ? 'robot call queued' : 'robot call received again, already queued', {
      portal: portal.memberId,
      domain: portal.domain,
      robot: robot.code,
      code: bodyCode ?? routeCode,
      run: stored.id,
      workflow: workflowId,
    });
    res.status(200).json({ status: 'queued', run: stored.id });
  };
}
