/**
 * The request pipeline every REST call goes through: the stored portal (never a URL from a request), a token,
 * the operating budget and the leaky bucket, one HTTP request, then refresh-and-repeat on `expired_token`,
 * waiting and repeating on limits, retrying reads on transient failures. A 302 updates the stored portal.
 */
import { B24Error } from './errors';
import { normaliseSection, parseBatchEnvelope, type BatchAnswer } from './batch';
import { commandMethod, decideRetry, isReadCall, type RetryPolicy } from './retry';
import type { ClientLogger, Clock, Sleep } from './runtime';
import type { OperatingBudget } from './operating-budget';
import type { RateLimiter } from './rate-limiter';
import type { TokenManager } from './tokens';
import type { MovedPortal, Transport } from './transport';
import type { LimitConfig, RestParams, RestResponse } from './types';
import type { PortalRecord, Store } from '../store/types';

/** `expired_token` twice in a row for one call means something else is wrong; stop there. */
const MAX_REFRESHES_PER_CALL = 2;

export interface Scope {
  memberId: string;
  userId: number | null;
}

export interface Executor {
  execute<T = unknown>(scope: Scope, method: string, params?: RestParams): Promise<RestResponse<T>>;
  /** One `batch` request of ≤ 50 `cmd` strings, parsed. */
  sendBatch(scope: Scope, cmd: Record<string, string>, halt: boolean): Promise<BatchAnswer>;
  loadPortal(memberId: string, method?: string): Promise<PortalRecord>;
  /** How long a request to the portal made now would wait in the rate limiter's line (0 when a portal is unknown). */
  slotDelayMs(memberId: string): Promise<number>;
}

/**
 * The portal's new domain: the new host, or — when the old endpoint carried the domain as a path segment rather than
 * as its host (a gateway layout such as the sandbox's `<url>/<domain>/rest/`) — the segment at the same place.
 */
export function movedDomain(portal: PortalRecord, moved: MovedPortal): string {
  const before = new URL(portal.clientEndpoint);
  const after = new URL(moved.clientEndpoint);
  if (before.host !== portal.domain) {
    const index = before.pathname.split('/').indexOf(portal.domain);
    const segment = index > 0 ? after.pathname.split('/')[index] : undefined;
    if (segment && segment.toLowerCase() !== 'rest') return segment;
  }
  return moved.domain;
}

export function createExecutor(options: {
  store: Store;
  tokens: TokenManager;
  transport: Transport;
  limiter: RateLimiter;
  budget: OperatingBudget;
  limits: (portal: PortalRecord) => LimitConfig;
  policy: RetryPolicy;
  clock: Clock;
  sleep: Sleep;
  logger: ClientLogger;
  portalCacheMs: number;
}): Executor {
  const { store, tokens, transport, limiter, budget, policy, clock, sleep, logger } = options;
  const portals = new Map<string, { portal: PortalRecord; at: number }>();

  async function loadPortal(memberId: string, method = ''): Promise<PortalRecord> {
    const cached = portals.get(memberId);
    if (cached && clock().getTime() - cached.at < options.portalCacheMs) return cached.portal;
    const portal = await store.getPortal(memberId);
    if (!portal) throw B24Error.portalNotInstalled(memberId, method);
    if (portal.uninstalledAt) throw B24Error.portalUninstalled(memberId, portal.domain, method);
    portals.set(memberId, { portal, at: clock().getTime() });
    return portal;
  }

  async function onMoved(portal: PortalRecord, moved: MovedPortal): Promise<PortalRecord> {
    if (moved.clientEndpoint === portal.clientEndpoint) return portal;
    // Re-read so a concurrent change (uninstall, plan) is not overwritten by our cached copy.
    const fresh = (await store.getPortal(portal.memberId)) ?? portal;
    const domain = movedDomain(portal, moved);
    const updated: PortalRecord = { ...fresh, domain, clientEndpoint: moved.clientEndpoint, updatedAt: clock() };
    await store.upsertPortal(updated);
    portals.set(portal.memberId, { portal: updated, at: clock().getTime() });
    logger.warn('bitrix24 portal moved to a new domain', { portal: portal.memberId, from: portal.domain, to: domain });
    return updated;
  }

  /** Batch sub-calls count against their own methods' budgets (PROTOCOL §5.3). */
  function recordBatch(memberId: string, params: RestParams | undefined, answer: BatchAnswer, limits: LimitConfig) {
    const cmd = normaliseSection<string>((params as { cmd?: unknown } | undefined)?.cmd);
    for (const [key, time] of Object.entries(answer.time)) {
      if (typeof cmd[key] === 'string') budget.record(memberId, commandMethod(cmd[key]), time, limits);
    }
    for (const [key, failure] of Object.entries(answer.errors)) {
      if (failure.error === 'OPERATION_TIME_LIMIT' && typeof cmd[key] === 'string') {
        budget.park(memberId, commandMethod(cmd[key]));
      }
    }
  }

  async function execute<T>(scope: Scope, method: string, params?: RestParams): Promise<RestResponse<T>> {
    const { memberId } = scope;
    const read = isReadCall(method, params);
    const isBatch = method.toLowerCase() === 'batch';
    const subMethods = isBatch
      ? Object.values(normaliseSection<string>((params as { cmd?: unknown } | undefined)?.cmd)).map(commandMethod)
      : [];
    let portal = await loadPortal(memberId, method);
    let attempt = 1;
    let limitAttempts = 0;
    let refreshes = 0;
    let invalidRefreshed = false;

    while (true) {
      const limits = options.limits(portal);
      for (const m of isBatch ? new Set(subMethods) : [method]) await budget.ready(memberId, m);
      await limiter.acquire(memberId, limits);
      // The token is read once our turn in the bucket's line has come, not before: the wait can outlast an access
      // token, and a caller ahead in the line may have refreshed it already. A token read before the wait would
      // reach the portal expired and send this call to the back of the line again after each refresh.
      const token = await tokens.current(portal, scope.userId);
      try {
        const response = await transport.post<T>({
          clientEndpoint: portal.clientEndpoint,
          method,
          params,
          accessToken: token.accessToken,
          memberId,
        });
        if (response.moved) portal = await onMoved(portal, response.moved);
        if (isBatch) recordBatch(memberId, params, parseBatchEnvelope(response.envelope), limits);
        else budget.record(memberId, method, response.envelope.time, limits);
        return response.envelope;
      } catch (error) {
        if (!(error instanceof B24Error)) throw error;
        // PROTOCOL §4.7: expired_token → refresh, then repeat the same call; invalid_token → refresh once.
        if (error.code === 'expired_token' && refreshes < MAX_REFRESHES_PER_CALL) {
          refreshes += 1;
          // The refreshed pair is stored before refresh() returns; the next attempt reads it (or a newer one).
          await tokens.refresh(portal, token, method);
          continue;
        }
        if (error.code === 'invalid_token' && !invalidRefreshed) {
          invalidRefreshed = true;
          await tokens.refresh(portal, token, method);
          continue;
        }
        if (error.code === 'QUERY_LIMIT_EXCEEDED') limiter.markFull(memberId, options.limits(portal));
        if (error.code === 'OPERATION_TIME_LIMIT') budget.park(memberId, method, error.operatingResetAt);
        const decision = decideRetry(error, { read, attempt, limitAttempts, policy });
        if (!decision.retry) throw error;
        if (decision.kind === 'transient') attempt += 1;
        else limitAttempts += 1;
        logger.debug('bitrix24 call will be retried', {
          portal: memberId,
          method,
          code: error.code,
          status: error.status,
          kind: decision.kind,
          delayMs: decision.delayMs,
        });
        if (decision.delayMs > 0) await sleep(decision.delayMs);
      }
    }
  }

  return {
    execute,
    async sendBatch(scope, cmd, halt) {
      const envelope = await execute(scope, 'batch', { halt: halt ? 1 : 0, cmd });
      return parseBatchEnvelope(envelope);
    },
    loadPortal,
    async slotDelayMs(memberId) {
      const portal = await loadPortal(memberId).catch(() => null);
      return portal ? limiter.delayMs(memberId, options.limits(portal)) : 0;
    },
  };
}
