/**
 * `GET /healthz`: the process serves HTTP (liveness; never touches the store, so a slow database does not get the
 * container restarted). `GET /readyz`: the store answers and the process is not shutting down (readiness: a load
 * balancer stops sending robot calls before we close).
 */
import type { Request, Response } from 'express';
import type { Store } from '../store/types';

const PING_TIMEOUT_MS = 2000;

export function healthzHandler() {
  return (_req: Request, res: Response): void => {
    res.status(200).json({ status: 'ok' });
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function readyzHandler(options: { store: Store; isClosing?: () => boolean; pingTimeoutMs?: number }) {
  return async (_req: Request, res: Response): Promise<void> => {
    if (options.isClosing?.()) {
      res.status(503).json({ status: 'closing' });
      return;
    }
    try {
      await withTimeout(options.store.ping(), options.pingTimeoutMs ?? PING_TIMEOUT_MS);
      res.status(200).json({ status: 'ready', store: options.store.kind });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', store: options.store.kind, error: (error as Error).message });
    }
  };
}
