/**
 * Registering robots on a portal as a recorded job: the outcome is kept in the portal's state under
 * `app:registration` ({status, fingerprint, at, …}) so nothing is lost when it fails or the process dies half-way.
 * Before the batch the state says `pending`; `resumePending` (at start-up) finishes every portal whose state is not
 * `done` for the current robots, which also registers robots added by a deploy on every portal.
 */
import { planRegistration, registerApp, type RegistrationReport } from '../activities/registration';
import type { BitrixClient } from '../bitrix/types';
import { redactText, type Logger } from '../logger';
import type { PortalRecord, Store } from '../store/types';
import type { RobotCatalog } from './types';

export const REGISTRATION_STATE_KEY = 'app:registration';

export interface RegistrationState {
  status: 'pending' | 'done' | 'failed' | 'removed';
  fingerprint: string;
  at: string;
  added?: number;
  updated?: number;
  bound?: string[];
  failures?: Array<{ kind: string; code: string; error: string; description: string }>;
}

export interface PortalRegistrar {
  /** Registers every robot, activity and event binding on the portal with its admin's token. Returns null when
   *  nothing had to be done (`force` false and already registered with the same robots). Never throws. */
  register(portal: PortalRecord, options?: { force?: boolean }): Promise<RegistrationReport | null>;
  /** Registers portals whose last registration is missing, failed, or for other robots. */
  resumePending(): Promise<number>;
  /** Marks a portal's registration as gone (uninstall). */
  forget(memberId: string): Promise<void>;
}

export interface RegistrarOptions {
  store: Store;
  client: Pick<BitrixClient, 'forPortal'>;
  registry: RobotCatalog;
  publicUrl: string;
  logger: Logger;
  clock: () => Date;
}

/** app.info LICENSE_FAMILY / LICENSE: `ent` plans get the Enterprise rate limit (PROTOCOL §5.2). */
export function planOfLicense(info: Record<string, unknown> | null | undefined): 'standard' | 'enterprise' | null {
  if (!info) return null;
  const family = String(info.LICENSE_FAMILY ?? '');
  const license = String(info.LICENSE ?? '');
  if (!family && !license) return null;
  return family === 'ent' || /(^|_)ent\d*$/.test(license) ? 'enterprise' : 'standard';
}

export function createPortalRegistrar(options: RegistrarOptions): PortalRegistrar {
  const { store, client, registry, logger, clock } = options;

  async function setState(memberId: string, state: RegistrationState): Promise<void> {
    await store.setState(memberId, REGISTRATION_STATE_KEY, state);
  }

  async function learnPlan(portal: PortalRecord): Promise<void> {
    try {
      const info = await client.forPortal(portal.memberId, { userId: portal.adminUserId }).call('app.info');
      const plan = planOfLicense(info);
      if (plan && plan !== portal.plan) {
        const current = await store.getPortal(portal.memberId);
        if (current) await store.upsertPortal({ ...current, plan, updatedAt: clock() });
        logger.info('portal plan set from app.info', { portal: portal.memberId, plan });
      }
    } catch (error) {
      logger.warn('could not read the portal plan (app.info); keeping the stored one', { portal: portal.memberId, error });
    }
  }

  async function registerNow(portal: PortalRecord, force: boolean): Promise<RegistrationReport | null> {
    const plan = planRegistration(registry.list(), { publicUrl: options.publicUrl, authUserId: portal.adminUserId });
    const previous = await store.getState<RegistrationState>(portal.memberId, REGISTRATION_STATE_KEY);
    if (!force && previous?.status === 'done' && previous.fingerprint === plan.fingerprint) return null;
    await setState(portal.memberId, { status: 'pending', fingerprint: plan.fingerprint, at: clock().toISOString() });
    let report: RegistrationReport;
    try {
      report = await registerApp(client.forPortal(portal.memberId, { userId: portal.adminUserId }), plan);
    } catch (error) {
      const err = error as Error & { code?: string };
      report = {
        added: [],
        updated: [],
        bound: [],
        failed: [{ kind: 'robot', code: '*', error: String(err.code ?? err.name), description: redactText(err.message) }],
        ok: false,
      };
    }
    await setState(portal.memberId, {
      status: report.ok ? 'done' : 'failed',
      fingerprint: plan.fingerprint,
      at: clock().toISOString(),
      added: report.added.length,
      updated: report.updated.length,
      bound: report.bound,
      ...(report.ok ? {} : { failures: report.failed }),
    });
    const meta = {
      portal: portal.memberId,
      domain: portal.domain,
      admin: portal.adminUserId,
      added: report.added.length,
      updated: report.updated.length,
      events: report.bound,
    };
    if (report.ok) logger.info('robots registered', meta);
    else {
      logger.error('robot registration failed: run `b24robots register` once the cause is fixed', { ...meta, failures: report.failed });
    }
    await learnPlan(portal);
    return report;
  }

  return {
    async register(portal, registerOptions = {}) {
      try {
        // One registration per portal at a time, across instances.
        return await store.withLock(`register:${portal.memberId}`, () => registerNow(portal, registerOptions.force ?? false), {
          timeoutMs: 60_000,
        });
      } catch (error) {
        logger.error('robot registration could not run', { portal: portal.memberId, error });
        return { added: [], updated: [], bound: [], failed: [{ kind: 'robot', code: '*', error: 'LOCK', description: redactText((error as Error).message) }], ok: false };
      }
    },
    async resumePending() {
      let count = 0;
      for (const portal of await store.listPortals()) {
        if (portal.uninstalledAt) continue;
        const report = await this.register(portal);
        if (report) count++;
      }
      return count;
    },
    async forget(memberId) {
      const previous = await store.getState<RegistrationState>(memberId, REGISTRATION_STATE_KEY);
      await setState(memberId, { status: 'removed', fingerprint: previous?.fingerprint ?? '', at: clock().toISOString() });
    },
  };
}
