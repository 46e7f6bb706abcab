/**
 * Our store made to know a sandbox portal without going through the install flow (the bench, the comms demo, robot
 * test worlds): the portal record as ONAPPINSTALL would have stored it, and the admin's (user 1) OAuth tokens, so
 * the client reaches the sandbox's REST at once.
 */
import type { Sandbox } from '../sandbox';
import type { PortalCore } from '../sandbox/contract';
import type { PortalRecord, Store } from '../store/types';

export interface AttachPortalOptions {
  now: Date;
  /** The install's application_token (events and ONAPPUNINSTALL carry it). */
  applicationToken: string;
  /** The app's scope as the portal granted it; default `crm,task,user,lists,bizproc`. */
  scope?: string;
  /** The app whose tokens are issued; default the sandbox's first app. */
  clientId?: string;
  /** When the store takes the access token to expire; default as the sandbox issued it. */
  expiresAt?: Date;
}

export async function attachSandboxPortal(
  store: Store,
  sandbox: Sandbox,
  portal: PortalCore,
  options: AttachPortalOptions,
): Promise<PortalRecord> {
  const { now } = options;
  const record: PortalRecord = {
    memberId: portal.memberId,
    domain: portal.domain,
    clientEndpoint: portal.clientEndpoint,
    serverEndpoint: `${sandbox.url}/rest/`,
    applicationToken: options.applicationToken,
    status: 'L',
    scope: options.scope ?? 'crm,task,user,lists,bizproc',
    plan: 'standard',
    timeZone: portal.timeZone,
    culture: portal.culture,
    adminUserId: 1,
    appVersion: 1,
    installedAt: now,
    updatedAt: now,
    uninstalledAt: null,
    lastActivityAt: null,
  };
  await store.upsertPortal(record);
  const tokens = sandbox.issueTokens(portal, options.clientId ?? sandbox.app.clientId, 1);
  await store.saveToken({
    memberId: portal.memberId,
    userId: 1,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt: options.expiresAt ?? new Date(tokens.expires * 1000),
    scope: tokens.scope,
    updatedAt: now,
  });
  return record;
}
