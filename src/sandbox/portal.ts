/**
 * One emulated portal: identity (member_id, domain and the domains it had before), culture, plan, limits, faults,
 * users, and the parts' JSON state. Platform-only runtime state (rate bucket, operating budget, journal, fault RNG)
 * lives here too but is not saved.
 */
import { EventEmitter } from 'node:events';
import type { DocumentAccess, PortalCore, PortalEvents, PortalFaults, PortalLimits, SandboxUser } from './contract';
import { Journal } from './journal';
import { LeakyBucket, OperatingBudget, defaultLimits, mergeLimits, type LimitsPatch, type Plan } from './limits';
import { randomHex, randomToken } from './oauth-state';
import { seededRandom, type Random } from './rng';
import { assertTimeZone } from './time-format';

export interface PortalOptions {
  /** 32 hex by default, like a real member_id. */
  memberId?: string;
  /** `b24-<random>.bitrix24.test` by default. */
  domain?: string;
  timeZone?: string;
  culture?: 'ru' | 'en';
  plan?: Plan;
  /** Changes to the plan's default limits (burst/drain, operating budget, token lifetime). */
  limits?: LimitsPatch;
  faults?: Partial<PortalFaults>;
  /** Passed to the parts' initPortal (the data part's seed). */
  seed?: boolean | Record<string, unknown>;
}

/** What is saved to the state file for a portal. */
export interface PortalSnapshot {
  memberId: string;
  domain: string;
  previousDomains: string[];
  timeZone: string;
  culture: 'ru' | 'en';
  plan: Plan;
  limits: PortalLimits;
  faults: PortalFaults;
  users: SandboxUser[];
  state: Record<string, any>;
}

/** The user every portal has when no part brings its own: id 1, a portal admin (who installs apps). */
export function defaultAdmin(culture: 'ru' | 'en'): SandboxUser {
  return {
    id: 1,
    name: culture === 'ru' ? 'Администратор' : 'Admin',
    lastName: culture === 'ru' ? 'Песочницы' : 'Sandbox',
    email: 'admin@sandbox.test',
    active: true,
    isAdmin: true,
    departments: [1],
    position: culture === 'ru' ? 'Администратор' : 'Administrator',
    userType: 'employee',
  };
}

const DOMAIN_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i;

export function assertDomain(domain: string): void {
  if (typeof domain !== 'string' || !DOMAIN_RE.test(domain)) {
    throw new RangeError(`portal domain "${String(domain)}" is not a host name such as acme.bitrix24.test`);
  }
}

export function mergeFaults(base: PortalFaults, patch: Partial<PortalFaults> = {}): PortalFaults {
  const out = { ...base };
  const share = (v: unknown, name: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new RangeError(`fault "${name}" is a share from 0 to 1, got ${String(v)}`);
    return n;
  };
  if (patch.errorRate !== undefined) out.errorRate = share(patch.errorRate, 'errorRate');
  if (patch.dropHandlerCalls !== undefined) out.dropHandlerCalls = share(patch.dropHandlerCalls, 'dropHandlerCalls');
  if (patch.latencyMs !== undefined) {
    const n = Number(patch.latencyMs);
    if (!Number.isFinite(n) || n < 0) throw new RangeError(`fault "latencyMs" must be ≥ 0, got ${String(patch.latencyMs)}`);
    out.latencyMs = n;
  }
  return out;
}

const noDocuments: DocumentAccess = {
  get: () => null,
  update: () => {
    throw new Error('no part provides CRM documents on this portal: start the sandbox with the data part');
  },
};

export class SandboxPortal implements PortalCore {
  memberId: string;
  domain: string;
  previousDomains: string[];
  timeZone: string;
  culture: 'ru' | 'en';
  plan: Plan;
  limits: PortalLimits;
  faults: PortalFaults;
  users: SandboxUser[];
  readonly events = new EventEmitter<PortalEvents>();
  documents: DocumentAccess = noDocuments;
  state: Record<string, any>;

  readonly bucket = new LeakyBucket();
  readonly budget = new OperatingBudget();
  readonly journal = new Journal();
  random: Random;

  constructor(snapshot: PortalSnapshot, private readonly baseUrl: () => string, random: Random) {
    this.memberId = snapshot.memberId;
    this.domain = snapshot.domain;
    this.previousDomains = [...snapshot.previousDomains];
    this.timeZone = snapshot.timeZone;
    this.culture = snapshot.culture;
    this.plan = snapshot.plan;
    this.limits = snapshot.limits;
    this.faults = snapshot.faults;
    this.users = snapshot.users;
    this.state = snapshot.state;
    this.random = random;
  }

  /**
   * `<sandbox url>/<domain>/rest/`. The domain sits in the path so that a domain change can be emulated: an old
   * domain's path answers 302 to the new one (PROTOCOL §4.5). `<sandbox url>/rest/` works for every portal as well
   * (the portal is found from the token), and is also the OAuth server's endpoint.
   */
  get clientEndpoint(): string {
    return `${this.baseUrl()}/${this.domain}/rest/`;
  }

  user(id: number): SandboxUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  snapshot(): PortalSnapshot {
    return {
      memberId: this.memberId,
      domain: this.domain,
      previousDomains: [...this.previousDomains],
      timeZone: this.timeZone,
      culture: this.culture,
      plan: this.plan,
      limits: this.limits,
      faults: this.faults,
      users: this.users,
      state: this.state,
    };
  }
}

/** A new portal's snapshot from options, validating everything up front. */
export function newPortalSnapshot(options: PortalOptions): PortalSnapshot {
  const plan: Plan = options.plan ?? 'standard';
  if (plan !== 'standard' && plan !== 'enterprise') throw new RangeError(`plan must be "standard" or "enterprise", got "${String(plan)}"`);
  const culture = options.culture ?? 'ru';
  if (culture !== 'ru' && culture !== 'en') throw new RangeError(`culture must be "ru" or "en", got "${String(culture)}"`);
  const timeZone = options.timeZone ?? 'Europe/Moscow';
  assertTimeZone(timeZone);
  const domain = (options.domain ?? `b24-${randomToken(6)}.bitrix24.test`).toLowerCase();
  assertDomain(domain);
  const memberId = options.memberId ?? randomHex(32);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(memberId)) throw new RangeError(`member_id "${memberId}" must be 1-64 letters, digits, "_", "-" or "."`);
  return {
    memberId,
    domain,
    previousDomains: [],
    timeZone,
    culture,
    plan,
    limits: mergeLimits(defaultLimits(plan), options.limits),
    faults: mergeFaults({ errorRate: 0, latencyMs: 0, dropHandlerCalls: 0 }, options.faults),
    users: [],
    state: {},
  };
}
