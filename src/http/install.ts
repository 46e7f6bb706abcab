/**
 * `POST ${PUBLIC_URL}/install`: ONAPPINSTALL, ONAPPUPDATE, ONAPPUNINSTALL and the install page.
 *
 * Trust rules (PROTOCOL §4.3–4.4):
 *  - A portal we do not know (or that was uninstalled) is accepted only after the OAuth server confirms the access
 *    token belongs to our app on that very portal (install-verifier.ts). Its REST address comes from that answer.
 *  - An installed portal's record changes only for a request carrying its stored application_token (constant-time
 *    compare), so a forged install cannot redirect it or take it over. One exception, because the docs say ONAPPUPDATE
 *    brings an "updated application_token" and an uninstall event may be lost before a reinstall (events are sent at
 *    most once): a different application_token is accepted from ONAPPINSTALL/ONAPPUPDATE when the OAuth server
 *    verifies the token for this portal AND the portal itself, asked on its stored address, says the token's user
 *    is an admin. A forger holds no such token; an admin could uninstall the app anyway.
 *  - ONAPPUNINSTALL carries no token at all: the stored application_token is the only proof (docs, safe handlers).
 *
 * Registration runs inline, after the portal and the admin's tokens are stored and before we answer: it is one or
 * two `batch` requests, the install page must show its outcome, and the recorded state (portal-registrar.ts)
 * lets start-up finish a registration that a crash cut short.
 */
import type { Request, Response } from 'express';
import type { Logger } from '../logger';
import type { PortalRecord, Store } from '../store/types';
import { readForm } from './body';
import { HttpError, HttpErrorCode, missingField } from './errors';
import type { VerifiedInstall, VerifyInstallToken, WhoAmI } from './install-verifier';
import { readInstallRequest, type InstallClaimRequest, type UninstallRequest } from './install-request';
import type { PortalRegistrar } from './portal-registrar';
import { secretsEqual } from './verify';

/** Until a portal's time zone is set (`b24robots settings`), robots read dates in Moscow time: the seeds' portals. */
export const DEFAULT_TIME_ZONE = 'Europe/Moscow';
export const DEFAULT_CULTURE = 'ru';

export interface InstallOptions {
  store: Store;
  registrar: PortalRegistrar;
  verifyInstallToken: VerifyInstallToken;
  whoAmI: WhoAmI;
  logger: Logger;
  clock: () => Date;
  limitBytes: number;
  oauthServer: string;
}

function tokenMismatch(memberId: string): HttpError {
  return new HttpError(
    403,
    HttpErrorCode.APPLICATION_TOKEN_MISMATCH,
    `portal ${memberId} is installed and this request does not carry its application_token: the record is left as it is`,
  );
}

/** The installed record after this install: what was verified wins; otherwise what was stored; never the request's endpoint. */
function portalRecord(
  claim: InstallClaimRequest,
  existing: PortalRecord | null,
  verified: VerifiedInstall | null,
  adminUserId: number,
  now: Date,
  oauthServer: string,
): PortalRecord {
  const active = existing && !existing.uninstalledAt ? existing : null;
  return {
    memberId: claim.memberId,
    domain: verified?.domain ?? (existing as PortalRecord).domain,
    clientEndpoint: verified?.clientEndpoint ?? (existing as PortalRecord).clientEndpoint,
    serverEndpoint: existing?.serverEndpoint ?? `${oauthServer}/rest/`,
    applicationToken: claim.applicationToken,
    status: verified?.status ?? claim.status ?? existing?.status ?? 'L',
    scope: claim.scope || existing?.scope || '',
    plan: existing?.plan ?? 'standard',
    timeZone: existing?.timeZone ?? DEFAULT_TIME_ZONE,
    // The culture decides how robots receive dates (PROTOCOL §2.5); set once at install, `b24robots settings` changes it.
    culture: (active ? active.culture : claim.language) ?? DEFAULT_CULTURE,
    adminUserId,
    appVersion: claim.version ?? verified?.version ?? existing?.appVersion ?? 1,
    installedAt: active?.installedAt ?? now,
    updatedAt: now,
    uninstalledAt: null,
    lastActivityAt: existing?.lastActivityAt ?? null,
  };
}

function installPage(robots: number, ok: boolean): string {
  const text = ok
    ? `b24-robots is installed: ${robots} robots and activities are registered.`
    : 'b24-robots is installed, but registering the robots failed; open the app again or run `b24robots register`.';
  // BX24.installFinish(): a UI app counts as installed only after it is called from the install frame (PROTOCOL §4.1).
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>b24-robots</title>',
    '<script src="//api.bitrix24.com/api/v1/"></script></head>',
    `<body><p>${text}</p>`,
    '<script>if (window.BX24) { BX24.init(function () { BX24.installFinish(); }); }</script>',
    '</body></html>',
  ].join('\n');
}

export function installHandler(options: InstallOptions) {
  const { store, registrar, logger, clock } = options;

  async function uninstall(request: UninstallRequest, res: Response): Promise<void> {
    if (!request.memberId) throw missingField('auth[member_id]');
    if (!request.applicationToken) throw missingField('auth[application_token]');
    const portal = await store.getPortal(request.memberId);
    if (!portal) {
      throw new HttpError(403, HttpErrorCode.PORTAL_NOT_INSTALLED, `portal ${request.memberId} is not installed: nothing to uninstall`);
    }
    if (!secretsEqual(request.applicationToken, portal.applicationToken)) throw tokenMismatch(portal.memberId);
    if (portal.uninstalledAt) {
      res.status(200).json({ status: 'uninstalled', cancelledRuns: 0 });
      return;
    }
    const now = clock();
    await store.markPortalUninstalled(portal.memberId, now);
    const cancelled = await store.cancelPortalRuns(portal.memberId, 'the app was uninstalled from the portal (ONAPPUNINSTALL)');
    await registrar.forget(portal.memberId);
    logger.info('app uninstalled: all work for the portal stopped', {
      portal: portal.memberId,
      domain: portal.domain,
      cancelledRuns: cancelled,
      clean: request.clean,
    });
    res.status(200).json({ status: 'uninstalled', cancelledRuns: cancelled });
  }

  /** Decides whether to trust the claim; returns what the OAuth server verified (null when the stored token matched). */
  async function authenticate(claim: InstallClaimRequest, existing: PortalRecord | null): Promise<VerifiedInstall | null> {
    const claimed = { accessToken: claim.accessToken, memberId: claim.memberId, domain: claim.domain ?? undefined };
    if (!existing || existing.uninstalledAt) return options.verifyInstallToken(claimed);
    if (secretsEqual(claim.applicationToken, existing.applicationToken)) return null;
    if (claim.source === 'page') throw tokenMismatch(existing.memberId);
    let verified: VerifiedInstall;
    try {
      verified = await options.verifyInstallToken(claimed);
      const who = await options.whoAmI(existing.clientEndpoint, claim.accessToken);
      if (!who.isAdmin) throw tokenMismatch(existing.memberId);
    } catch (error) {
      if (error instanceof HttpError && error.code === HttpErrorCode.VERIFIER_UNAVAILABLE) throw error;
      throw tokenMismatch(existing.memberId);
    }
    logger.warn('application_token of an installed portal replaced after verifying an admin token', {
      portal: existing.memberId,
      event: claim.source,
    });
    return verified;
  }

  async function install(claim: InstallClaimRequest, res: Response): Promise<void> {
    const existing = await store.getPortal(claim.memberId);
    const verified = await authenticate(claim, existing);
    const fresh = !existing || existing.uninstalledAt !== null;
    const endpoint = verified?.clientEndpoint ?? (existing as PortalRecord).clientEndpoint;
    // The page form does not name the token's user; ask the (now trusted) portal.
    const userId = claim.userId ?? verified?.userId ?? (await options.whoAmI(endpoint, claim.accessToken)).userId;
    // Events come from the admin who installs or updates; a page may be opened by anyone once installed.
    const adminUserId = claim.source === 'page' && !fresh ? (existing as PortalRecord).adminUserId : userId;
    const now = clock();
    const portal = portalRecord(claim, existing, verified, adminUserId, now, options.oauthServer);
    await store.upsertPortal(portal);
    if (claim.refreshToken) {
      await store.saveToken({
        memberId: portal.memberId,
        userId,
        accessToken: claim.accessToken,
        refreshToken: claim.refreshToken,
        expiresAt: claim.expiresAt,
        scope: claim.scope,
        updatedAt: now,
      });
    }
    logger.info(fresh ? 'portal installed' : claim.source === 'ONAPPUPDATE' ? 'app updated on portal' : 'portal install refreshed', {
      portal: portal.memberId,
      domain: portal.domain,
      event: claim.source,
      admin: adminUserId,
      version: portal.appVersion,
    });
    // Bitrix24 deletes every robot of the app on install/update (PROTOCOL §1.1): register them again now.
    const force = fresh || claim.source !== 'page' || verified !== null;
    const report = await registrar.register(portal, { force });
    const registered = report ? report.added.length + report.updated.length : null;
    const ok = report ? report.ok : true;
    if (claim.source === 'page') {
      res.status(200).type('html').send(installPage(registered ?? 0, ok));
      return;
    }
    res.status(200).json({
      status: 'installed',
      portal: portal.memberId,
      registration: report ? { ok: report.ok, added: report.added.length, updated: report.updated.length, events: report.bound, failed: report.failed } : 'unchanged',
    });
  }

  return async (req: Request, res: Response): Promise<void> => {
    const form = await readForm(req, { limitBytes: options.limitBytes, allowJson: true });
    const request = readInstallRequest(form, req.query as Record<string, unknown>, clock());
    if (request.source === 'ONAPPUNINSTALL') await uninstall(request, res);
    else await install(request, res);
  };
}
