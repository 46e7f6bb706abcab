/**
 * The express app of the service: robot calls, install/app events, event deliveries, health and metrics.
 * Routes live under the path of PUBLIC_URL (a service published at https://host/b24 serves /b24/robots/<code>),
 * so the handler URLs registered on portals and the routes always agree.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { HttpError, HttpErrorCode, sendError } from './errors';
import { eventsHandler } from './events';
import { healthzHandler, readyzHandler } from './health';
import { installHandler } from './install';
import { createInstallVerifier, createWhoAmI } from './install-verifier';
import { createHttpMetrics, increment, metricsHandler } from './metrics';
import { createPortalRegistrar } from './portal-registrar';
import { robotCallHandler } from './receiver';
import { createTokenKeeper } from './call-tokens';
import type { HttpAppOptions } from './types';

/** The path part of PUBLIC_URL, without a trailing slash ('' at the root). */
export function basePath(publicUrl: string): string {
  return new URL(publicUrl).pathname.replace(/\/+$/, '');
}

export function createHttpApp(options: HttpAppOptions): express.Express {
  const { store, registry, logger, config } = options;
  const clock = options.clock ?? (() => new Date());
  const metrics = options.metrics ?? createHttpMetrics();
  const startedAt = clock();
  const limitBytes = config.bodyLimitBytes;
  const registrar =
    options.registrar ?? createPortalRegistrar({ store, client: options.client, registry, publicUrl: config.publicUrl, logger, clock });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  // Counts every answer by route pattern (not the raw path: unbounded label values would blow up /metrics).
  app.use((req, res, next) => {
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      increment(metrics.responses, `${route}|${res.statusCode}`);
    });
    next();
  });

  const base = basePath(config.publicUrl);
  // Express 5 passes a rejected handler promise to the error handler below.
  const router = express.Router();
  router.post(
    '/robots/:code',
    robotCallHandler({ store, registry, logger, tokens: createTokenKeeper(store), limitBytes, clock, onRunQueued: options.onRunQueued }),
  );
  router.post('/events', eventsHandler({ store, registry, logger, limitBytes, clock, onRunQueued: options.onRunQueued }));
  router.post(
    '/install',
    installHandler({
      store,
      registrar,
      verifyInstallToken:
        options.verifyInstallToken ?? createInstallVerifier({ oauthServer: config.oauth.server, clientId: config.oauth.clientId }),
      whoAmI: options.whoAmI ?? createWhoAmI(),
      logger,
      clock,
      limitBytes,
      oauthServer: config.oauth.server,
    }),
  );
  const health = express.Router();
  health.get('/healthz', healthzHandler());
  health.get('/readyz', readyzHandler({ store, isClosing: options.isClosing }));
  health.get(
    '/metrics',
    metricsHandler({ store, client: options.client.metrics ? { metrics: options.client.metrics } : null, http: metrics, startedAt, now: clock }),
  );

  app.use(health);
  if (base) app.use(base, health);
  app.use(base || '/', router);

  app.use((req: Request, res: Response) => {
    sendError(res, new HttpError(404, HttpErrorCode.NOT_FOUND, `no route ${req.method} ${req.path.slice(0, 200)}`));
  });

  // Express recognises an error handler by its four parameters.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const meta = { method: req.method, route: (req.route?.path as string | undefined) ?? req.path.slice(0, 200) };
    if (error instanceof HttpError) {
      increment(metrics.rejections, error.code);
      // Our own messages never carry secrets; the logger redacts anyway.
      logger.warn('request refused', { ...meta, status: error.status, code: error.code, reason: error.message });
      if (!res.headersSent) sendError(res, error);
      return;
    }
    logger.error('request failed', { ...meta, error });
    if (!res.headersSent) {
      sendError(res, new HttpError(500, HttpErrorCode.INTERNAL_ERROR, 'internal error: see the service log'));
    }
  });

  return app;
}
