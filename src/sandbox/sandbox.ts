/**
 * The sandbox: portals, apps, the method table and the token issuer, composed once by `startSandbox` (index.ts).
 * HTTP lives in http-app.ts; this class is the state and the operations the sandbox API and the parts use.
 */
import type { IssuedTokens, PortalCore, SandboxCore, SandboxPart } from './contract';
import type { DispatchHost, SandboxLogger } from './dispatch';
import { mergeLimits, type LimitsPatch } from './limits';
import type { JournalSnapshot } from './journal';
import { createWebhook, expireAccessTokens, getInstallation, mintAuthCode, mintTokens, randomHex, randomToken, type WebhookRecord } from './oauth-state';
import { SandboxPortal, assertDomain, defaultAdmin, mergeFaults, newPortalSnapshot, type PortalOptions, type PortalSnapshot } from './portal';
import { MethodTable } from './registry';
import { seededRandom } from './rng';
import type { PlatformApp } from './system-methods';
import type { PortalFaults } from './contract';

export interface AppOptions {
  /** `local.<14 hex>.<8 digits>` by default, like a local app. */
  clientId?: string;
  clientSecret?: string;
  name?: string;
  /** Where the bizproc part POSTs ONAPPINSTALL / ONAPPUPDATE / ONAPPUNINSTALL ('' = nowhere). */
  installUrl?: string;
  scope?: string[] | string;
  version?: number;
  code?: string;
  status?: string;
}

/** Everything a local robots app may ask for (PROTOCOL §6). */
export const DEFAULT_SCOPE = ['crm', 'bizproc', 'task', 'tasks', 'lists', 'user', 'department', 'disk', 'im', 'placement', 'entity'];

export interface FaultsPatch extends Partial<PortalFaults> {
  /** Also sets `limits.tokenTtlSeconds` (short-lived tokens). */
  tokenTtlSeconds?: number;
  /** Re-seeds the portal's fault RNG. */
  seed?: number;
}

export class SandboxState implements SandboxCore, DispatchHost {
  readonly portals = new Map<string, SandboxPortal>();
  readonly apps = new Map<string, PlatformApp>();
  readonly methods = new MethodTable();
  baseUrl = '';
  private portalCount = 0;

  constructor(
    readonly parts: SandboxPart[],
    private readonly clock: () => Date,
    readonly logger: SandboxLogger,
    private readonly randomSeed: number | undefined,
  ) {}

  get url(): string {
    return this.baseUrl;
  }

  get core(): SandboxCore {
    return this;
  }

  now(): Date {
    return this.clock();
  }

  findPortal(memberIdOrDomain: string): SandboxPortal | undefined {
    const direct = this.portals.get(memberIdOrDomain);
    if (direct) return direct;
    const domain = memberIdOrDomain.toLowerCase();
    for (const p of this.portals.values()) if (p.domain === domain) return p;
    return undefined;
  }

  portal(memberIdOrDomain: string): SandboxPortal {
    const found = this.findPortal(memberIdOrDomain);
    if (!found) {
      const known = [...this.portals.values()].map((p) => `${p.domain} (${p.memberId})`).join(', ');
      throw new RangeError(`no portal "${memberIdOrDomain}" in this sandbox; known: ${known || 'none'}`);
    }
    return found;
  }

  portalByDomain(domain: string): { portal: SandboxPortal; moved: boolean } | undefined {
    for (const p of this.portals.values()) {
      if (p.domain === domain) return { portal: p, moved: false };
    }
    for (const p of this.portals.values()) {
      if (p.previousDomains.includes(domain)) return { portal: p, moved: true };
    }
    return undefined;
  }

  private domainTaken(domain: string, except?: SandboxPortal): boolean {
    for (const p of this.portals.values()) {
      if (p === except) continue;
      if (p.domain === domain || p.previousDomains.includes(domain)) return true;
    }
    return false;
  }

  private nextRandom() {
    const n = this.portalCount++;
    return seededRandom(this.randomSeed === undefined ? Math.floor(Math.random() * 2 ** 32) : this.randomSeed + n);
  }

  /** Sets up a portal from a snapshot: the parts' initPortal, then a default admin if no part brought users. */
  private attach(snapshot: PortalSnapshot, seed: PortalOptions['seed'], restored: boolean): SandboxPortal {
    if (this.portals.has(snapshot.memberId)) throw new RangeError(`a portal with member_id ${snapshot.memberId} already exists`);
    if (this.domainTaken(snapshot.domain)) throw new RangeError(`domain ${snapshot.domain} is already used by another portal`);
    const portal = new SandboxPortal(snapshot, () => this.baseUrl, this.nextRandom());
    this.portals.set(portal.memberId, portal);
    try {
      for (const part of this.parts) part.initPortal(portal, this, { seed }, restored);
    } catch (err) {
      this.portals.delete(portal.memberId);
      throw err;
    }
    if (portal.users.length === 0) portal.users.push(defaultAdmin(portal.culture));
    return portal;
  }

  addPortal(options: PortalOptions = {}): SandboxPortal {
    return this.attach(newPortalSnapshot(options), options.seed, false);
  }

  restorePortal(snapshot: PortalSnapshot): SandboxPortal {
    return this.attach(snapshot, undefined, true);
  }

  addApp(options: AppOptions = {}): PlatformApp {
    const clientId = options.clientId ?? `local.${randomHex(14)}.${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    if (this.apps.has(clientId)) throw new RangeError(`an app with client_id ${clientId} already exists`);
    const scope = typeof options.scope === 'string' ? options.scope.split(',').map((s) => s.trim()).filter(Boolean) : options.scope;
    const app: PlatformApp = {
      clientId,
      clientSecret: options.clientSecret ?? randomToken(50),
      name: options.name ?? 'b24-robots',
      installUrl: options.installUrl ?? '',
      scope: [...(scope ?? DEFAULT_SCOPE)],
      version: options.version ?? 1,
      id: this.apps.size + 1,
      code: options.code ?? clientId,
      // local apps have status L (PROTOCOL §4.1)
      status: options.status ?? (clientId.startsWith('local.') ? 'L' : 'F'),
    };
    this.apps.set(clientId, app);
    return app;
  }

  restoreApp(app: PlatformApp): void {
    this.apps.set(app.clientId, { ...app, scope: [...app.scope] });
  }

  /** The portal's address changes; the old domain keeps answering with 302 to the new one. */
  renamePortal(memberIdOrDomain: string, domain: string): SandboxPortal {
    const portal = this.portal(memberIdOrDomain);
    const next = String(domain).toLowerCase();
    assertDomain(next);
    if (next === portal.domain) return portal;
    if (this.domainTaken(next, portal)) throw new RangeError(`domain ${next} is already used by another portal`);
    portal.previousDomains = portal.previousDomains.filter((d) => d !== next);
    portal.previousDomains.push(portal.domain);
    portal.domain = next;
    return portal;
  }

  setLimits(memberIdOrDomain: string, patch: LimitsPatch): SandboxPortal {
    const portal = this.portal(memberIdOrDomain);
    portal.limits = mergeLimits(portal.limits, patch);
    return portal;
  }

  setFaults(memberIdOrDomain: string, patch: FaultsPatch): SandboxPortal {
    const portal = this.portal(memberIdOrDomain);
    const { tokenTtlSeconds, seed, ...faults } = patch;
    const nextFaults = mergeFaults(portal.faults, faults);
    const nextLimits = tokenTtlSeconds === undefined ? portal.limits : mergeLimits(portal.limits, { tokenTtlSeconds });
    portal.faults = nextFaults;
    portal.limits = nextLimits;
    if (seed !== undefined) portal.reseed(Number(seed));
    return portal;
  }

  journal(memberIdOrDomain: string): JournalSnapshot {
    return this.portal(memberIdOrDomain).journal.snapshot();
  }

  grantTokens(portal: SandboxPortal, clientId: string, userId: number, scope: string[], withRefresh: boolean): IssuedTokens {
    const app = this.apps.get(clientId);
    if (!app) throw new RangeError(`no app with client_id ${clientId} in this sandbox`);
    const ttl = portal.limits.tokenTtlSeconds;
    const minted = mintTokens(portal, { clientId, userId, scope, ttlSeconds: ttl, withRefresh }, this.now().getTime());
    return {
      access_token: minted.accessToken,
      // events get no refresh token (PROTOCOL §4.3): '' then
      refresh_token: minted.refreshToken ?? '',
      expires: Math.floor(minted.expiresMs / 1000),
      expires_in: ttl,
      scope: scope.join(','),
      // the portal's domain, as in install/event payloads; the OAuth server's own answer puts its host here instead
      domain: portal.domain,
      server_endpoint: `${this.baseUrl}/rest/`,
      client_endpoint: portal.clientEndpoint,
      member_id: portal.memberId,
      user_id: userId,
      status: app.status,
    };
  }

  issueTokens(portal: PortalCore, clientId: string, userId: number, options: { withRefresh?: boolean } = {}): IssuedTokens {
    const app = this.apps.get(clientId);
    if (!app) throw new RangeError(`no app with client_id ${clientId} in this sandbox`);
    return this.grantTokens(this.portal(portal.memberId), clientId, userId, app.scope, options.withRefresh ?? true);
  }

  applicationToken(portal: PortalCore, clientId: string): string | null {
    return getInstallation(portal, clientId)?.applicationToken ?? null;
  }

  /** Makes every access token of a portal expire now ("expiring tokens" fault); refresh tokens keep working. */
  expireTokens(memberIdOrDomain: string): number {
    return expireAccessTokens(this.portal(memberIdOrDomain), this.now().getTime());
  }

  /** An incoming webhook: `<url>/<domain>/rest/<userId>/<code>/<method>`; no app context. */
  createWebhook(memberIdOrDomain: string, options: { userId?: number; scope?: string[] } = {}): WebhookRecord & { url: string } {
    const portal = this.portal(memberIdOrDomain);
    const hook = createWebhook(portal, options.userId ?? 1, options.scope ?? DEFAULT_SCOPE);
    return { ...hook, url: `${portal.clientEndpoint}${hook.userId}/${hook.code}/` };
  }

  /** A one-time authorization code (30 s) for the `authorization_code` grant. */
  createAuthCode(memberIdOrDomain: string, clientId: string, userId = 1): string {
    if (!this.apps.has(clientId)) throw new RangeError(`no app with client_id ${clientId} in this sandbox`);
    return mintAuthCode(this.portal(memberIdOrDomain), clientId, userId, this.now().getTime());
  }
}
