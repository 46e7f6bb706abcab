/**
 * Pieces for running our service on 127.0.0.1 next to the sandbox portal (the demo, the bench, the end-to-end
 * tests): a free loopback port, and the service configuration for it. PUBLIC_URL is the service's own address:
 * Bitrix24 accepts http://127.0.0.1:<port> handlers (a dotted host), which is how the sandbox reaches us.
 */
import { createServer, type AddressInfo } from 'node:net';
import type { Config } from '../config';

/** A port nothing listens on right now: PUBLIC_URL must be known before the service starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface LoopbackConfigOptions {
  port: number;
  oauth: Config['oauth'];
  databaseUrl: string;
  workerConcurrency: number;
  /** `json` unless a person reads the log (the demo: `pretty`). */
  logFormat?: Config['logFormat'];
  nodeEnv?: string;
}

/** The service on 127.0.0.1:`port`, PUBLIC_URL its own address, logging errors only, every role in one process. */
export function loopbackConfig(options: LoopbackConfigOptions): Config {
  return {
    port: options.port,
    host: '127.0.0.1',
    publicUrl: `http://127.0.0.1:${options.port}`,
    oauth: options.oauth,
    databaseUrl: options.databaseUrl,
    logLevel: 'error',
    logFormat: options.logFormat ?? 'json',
    role: 'all',
    workerConcurrency: options.workerConcurrency,
    bodyLimitBytes: 256 * 1024,
    nodeEnv: options.nodeEnv ?? 'test',
  };
}
