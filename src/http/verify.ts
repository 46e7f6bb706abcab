/**
 * Authenticating inbound calls. Bitrix24 signs nothing; every robot call, event and app event carries the per-app,
 * per-portal `application_token` from ONAPPINSTALL, which we compare with the stored one, keyed by `member_id`
 * (PROTOCOL §4.4).
 */
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { PortalRecord, Store } from '../store/types';
import type { FormObject } from '../util/bracket-form';
import { objectField, readForm, stringField } from './body';
import { HttpError, HttpErrorCode, missingField } from './errors';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Constant-time equality of two secrets. Comparing fixed-length SHA-256 digests means neither the content nor the
 * length of the stored token leaks through timing (timingSafeEqual itself needs equal lengths).
 */
export function secretsEqual(received: string, stored: string): boolean {
  const equal = timingSafeEqual(digest(received), digest(stored));
  return equal && stored.length > 0;
}

export interface InboundAuth {
  memberId: string | undefined;
  applicationToken: string | undefined;
}

/**
 * The installed, active portal the call claims to come from, or an HttpError:
 * unknown member_id → 403 PORTAL_NOT_INSTALLED; uninstalled → 410; token mismatch → 401.
 */
export async function authenticatePortal(store: Store, auth: InboundAuth, field = 'auth'): Promise<PortalRecord> {
  if (!auth.memberId) throw missingField(`${field}[member_id]`);
  if (!auth.applicationToken) throw missingField(`${field}[application_token]`);
  const portal = await store.getPortal(auth.memberId);
  if (!portal) {
    throw new HttpError(
      403,
      HttpErrorCode.PORTAL_NOT_INSTALLED,
      `portal ${auth.memberId} is not installed: install the app on the portal (or reinstall it) so ONAPPINSTALL reaches /install`,
    );
  }
  if (!secretsEqual(auth.applicationToken, portal.applicationToken)) {
    throw new HttpError(401, HttpErrorCode.APPLICATION_TOKEN_MISMATCH, `application_token does not match the one stored for portal ${portal.memberId}`);
  }
  if (portal.uninstalledAt) {
    throw new HttpError(410, HttpErrorCode.PORTAL_UNINSTALLED, `the app was uninstalled from portal ${portal.domain}: install it again to use the robots`);
  }
  return portal;
}

/**
 * The form of a robot call or an event delivery and the portal it comes from: the body read within the size limit,
 * then `auth[member_id]` + `auth[application_token]` checked against the store (errors as authenticatePortal).
 */
export async function readAuthenticatedForm(
  req: Request,
  store: Store,
  limitBytes: number,
): Promise<{ form: FormObject; auth: FormObject | undefined; portal: PortalRecord }> {
  const form = await readForm(req, { limitBytes });
  const auth = objectField(form, 'auth');
  const portal = await authenticatePortal(store, {
    memberId: stringField(auth, 'member_id'),
    applicationToken: stringField(auth, 'application_token'),
  });
  return { form, auth, portal };
}
