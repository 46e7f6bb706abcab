/**
 * Installing, updating and uninstalling an app on a portal, with the notifications the portal POSTs to the app's
 * install URL (PROTOCOL §4.3, b24-docs/api-reference/common/events/):
 *  - ONAPPINSTALL: data VERSION/ACTIVE/INSTALLED/LANGUAGE_ID, the installing admin's tokens with refresh_token,
 *    and the new application_token;
 *  - ONAPPUPDATE: all the app's robots and actions are deleted first (as the real portal does, PROTOCOL §1.1), then
 *    VERSION/PREVIOUS_VERSION/LANGUAGE_ID with full auth, so the app re-registers them;
 *  - ONAPPUNINSTALL: LANGUAGE_ID/CLEAN and an `auth` with no tokens at all, only the portal identity and the
 *    application_token (the only way to check the call, safe-event-handlers.md).
 * The installation record and its application_token belong to the platform's OAuth state (oauth-state.ts).
 */
import type { PortalCore, SandboxApp, SandboxCore } from '../contract';
import type { EncodableValue } from '../../util/bracket-form';
import { createInstallation, getInstallation, removeInstallation } from '../oauth-state';
import { bindingsFor, deleteAppBindings } from './events';
import { eventAuth, eventBody, portalAuth } from './handler-call';
import { postForm } from './outbound';
import type { Delivery } from './outbound';
import { deleteAppRegistrations } from './registration';
import type { OutboundRecord } from './state';

export interface AppNotice {
  applicationToken: string;
  /** The POSTs made: to the install URL first, then to other handlers bound to the event. */
  deliveries: OutboundRecord[];
}

function appOf(sandbox: SandboxCore, clientId: string): SandboxApp {
  const app = sandbox.apps.get(clientId);
  if (!app) throw new Error(`the sandbox has no app "${clientId}": add it to startSandbox({apps: [...]}) first`);
  return app;
}

function adminOf(portal: PortalCore, userId?: number): number {
  if (userId !== undefined) {
    const user = portal.users.find((u) => u.id === userId);
    if (!user || !user.isAdmin) throw new Error(`user ${userId} is not an admin of ${portal.domain}: apps are installed by an admin`);
    return userId;
  }
  const admin = portal.users.find((u) => u.isAdmin && u.active);
  if (!admin) throw new Error(`portal ${portal.domain} has no active admin to install apps`);
  return admin.id;
}

/** POSTs to the install URL and to every other handler the app bound to the event; resolves when all answered. */
async function notify(
  portal: PortalCore,
  app: SandboxApp,
  event: string,
  body: string,
  bound: string[],
): Promise<OutboundRecord[]> {
  // An app without an install URL ('' = nowhere) hears only through handlers it bound with event.bind.
  const urls = new Set([app.installUrl, ...bound].filter((url) => url !== ''));
  const deliveries: Delivery[] = [...urls].map((url) => postForm(portal, { kind: 'app', url, body, event }));
  await Promise.all(deliveries.map((d) => d.done));
  return deliveries.map((d) => d.record);
}

function ts(sandbox: SandboxCore): number {
  return Math.floor(sandbox.now().getTime() / 1000);
}

export async function installApp(
  sandbox: SandboxCore,
  portal: PortalCore,
  clientId: string,
  options: { adminUserId?: number } = {},
): Promise<AppNotice> {
  const app = appOf(sandbox, clientId);
  if (getInstallation(portal, clientId)) {
    throw new Error(`app "${clientId}" is already installed on ${portal.domain}: use updateApp, or uninstallApp first`);
  }
  const adminUserId = adminOf(portal, options.adminUserId);
  const installation = createInstallation(portal, clientId, { installed: true, version: app.version, at: sandbox.now() });
  const tokens = sandbox.issueTokens(portal, clientId, adminUserId, { withRefresh: true });
  const data: Record<string, EncodableValue> = {
    VERSION: String(app.version),
    ACTIVE: 'Y',
    INSTALLED: 'Y',
    LANGUAGE_ID: portal.culture,
  };
  const auth = eventAuth(portal, tokens, installation.applicationToken, true);
  const deliveries = await notify(portal, app, 'ONAPPINSTALL', eventBody('ONAPPINSTALL', data, ts(sandbox), auth), []);
  return { applicationToken: installation.applicationToken, deliveries };
}

/**
 * A new version of the app: `version` (default: the app's current version, or the installed one + 1 when the app
 * was not bumped) becomes the installed version.
 */
export async function updateApp(
  sandbox: SandboxCore,
  portal: PortalCore,
  clientId: string,
  options: { version?: number; adminUserId?: number } = {},
): Promise<AppNotice & { deletedRegistrations: number }> {
  const app = appOf(sandbox, clientId);
  const installation = getInstallation(portal, clientId);
  if (!installation) throw new Error(`app "${clientId}" is not installed on ${portal.domain}: use installApp first`);
  const previous = installation.version;
  const version = options.version ?? (app.version > previous ? app.version : previous + 1);
  app.version = version;
  installation.version = version;
  // onRestAppUpdate calls onRestAppDelete: robots and actions are gone until the app registers them again.
  const deletedRegistrations = deleteAppRegistrations(portal, clientId);
  const tokens = sandbox.issueTokens(portal, clientId, adminOf(portal, options.adminUserId), { withRefresh: true });
  const data: Record<string, EncodableValue> = {
    VERSION: String(version),
    PREVIOUS_VERSION: String(previous),
    LANGUAGE_ID: portal.culture,
  };
  const auth = eventAuth(portal, tokens, installation.applicationToken, true);
  const bound = bindingsFor(portal, 'ONAPPUPDATE', clientId).map((b) => b.handler);
  const deliveries = await notify(portal, app, 'ONAPPUPDATE', eventBody('ONAPPUPDATE', data, ts(sandbox), auth), bound);
  return { applicationToken: installation.applicationToken, deliveries, deletedRegistrations };
}

export async function uninstallApp(
  sandbox: SandboxCore,
  portal: PortalCore,
  clientId: string,
  options: { clean?: boolean } = {},
): Promise<AppNotice> {
  const app = appOf(sandbox, clientId);
  const installation = getInstallation(portal, clientId);
  if (!installation) throw new Error(`app "${clientId}" is not installed on ${portal.domain}`);
  const { applicationToken } = installation;
  const bound = bindingsFor(portal, 'ONAPPUNINSTALL', clientId).map((b) => b.handler);
  // The app is gone before it hears about it: its tokens are revoked, its robots, actions and handlers deleted.
  removeInstallation(portal, clientId);
  deleteAppRegistrations(portal, clientId);
  deleteAppBindings(portal, clientId);
  const data: Record<string, EncodableValue> = { LANGUAGE_ID: portal.culture, CLEAN: options.clean ? 1 : 0 };
  const auth = portalAuth(portal, null, applicationToken);
  const deliveries = await notify(portal, app, 'ONAPPUNINSTALL', eventBody('ONAPPUNINSTALL', data, ts(sandbox), auth), bound);
  return { applicationToken, deliveries };
}
