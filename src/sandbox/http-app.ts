/**
 * The sandbox's single HTTP listener: `/sandbox/…` (sandbox API and the parts' routes), `/oauth/token/` (the OAuth
 * server), and REST for every portal (`/rest/…`, `/<domain>/rest/…`).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { sendJson } from './envelope';
import { oauthTokenHandler } from './oauth-http';
import { restHandler } from './rest-http';
import type { SandboxState } from './sandbox';

export function createHttpApp(state: SandboxState, router: Router): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use('/sandbox', router);
  const oauth = oauthTokenHandler(state);
  app.get('/oauth/token', oauth);
  app.post('/oauth/token', oauth);
  app.use(restHandler(state));
  app.use((req: Request, res: Response) => {
    sendJson(res, 404, { error: 'NOT_FOUND', error_description: `The sandbox has no route ${req.method} ${req.path}` });
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    state.logger.error(`sandbox: ${req.method} ${req.path} failed`, {
      error: err instanceof Error ? err.stack ?? err.message : String(err),
    });
    if (!res.headersSent) sendJson(res, 500, { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' });
  });
  return app;
}
