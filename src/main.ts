/**
 * `npm start`: receiver, worker and scheduler in one process (ROLE splits them). Reads the config once, starts the
 * app on PORT, and on SIGTERM/SIGINT stops taking calls, lets the runs in progress finish, then exits.
 */
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

/** A second signal, or a shutdown that hangs, ends the process anyway. */
const SHUTDOWN_LIMIT_MS = 30_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`b24-robots: ${error.message}\nSee .env.example and the README for every variable.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, json: config.logFormat === 'json' });
  process.on('unhandledRejection', (reason) => logger.error('unhandled promise rejection', { error: reason }));

  const app = await createApp({ config, logger });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      logger.error('shutdown took too long: exiting', { limitMs: SHUTDOWN_LIMIT_MS });
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (error) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  const logger = createLogger({ json: process.env.NODE_ENV === 'production' });
  logger.error('b24-robots failed to start', { error });
  process.exitCode = 1;
});
