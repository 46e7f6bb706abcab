/**
 * What the HTTP edge needs from the rest of the service, as narrow structural types, so tests pass small real
 * things and the composition root passes the production ones.
 */
import type { RobotRegistry } from '../activities/registry';
import type { BitrixClient } from '../bitrix/types';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Store } from '../store/types';
import type { HttpMetrics } from './metrics';
import type { VerifyInstallToken, WhoAmI } from './install-verifier';
import type { PortalRegistrar } from './portal-registrar';

/** The robots of the app, found by the CODE Bitrix24 knows them by (robot code or `<code>_bp`). */
export type RobotCatalog = Pick<RobotRegistry, 'resolve' | 'list'>;

export interface HttpAppOptions {
  store: Store;
  registry: RobotCatalog;
  /** The Bitrix24 client: registration of robots at install runs through it with the admin's stored token. */
  client: Pick<BitrixClient, 'forPortal'> & Partial<Pick<BitrixClient, 'metrics'>>;
  logger: Logger;
  config: Pick<Config, 'publicUrl' | 'oauth' | 'bodyLimitBytes'>;
  metrics?: HttpMetrics;
  clock?: () => Date;
  /** Checks an install's access token with the OAuth server (default: `app.info` on `config.oauth.server`). */
  verifyInstallToken?: VerifyInstallToken;
  /** Learns whose token it is on an already verified endpoint (default: `profile`). */
  whoAmI?: WhoAmI;
  /** Registers robots on portals (default: one built from store, client, registry and publicUrl). */
  registrar?: PortalRegistrar;
  /** Called after a run is stored (the composition root wakes the worker). */
  onRunQueued?: () => void;
  /** True while the process shuts down: /readyz answers 503. */
  isClosing?: () => boolean;
}
