/**
 * The CLI's exit codes and its own errors. Every error carries a stable code and a message that names the fix
 * (STYLE.md §5); usage errors exit 2 with the command's help, everything else that fails exits 1.
 */

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A bad argument or option value: exit 2 and the command's help. */
export class UsageError extends CliError {
  constructor(message: string) {
    super('USAGE', message, EXIT_USAGE);
    this.name = 'UsageError';
  }
}

export function portalNotInstalled(portal: string): CliError {
  return new CliError(
    'PORTAL_NOT_INSTALLED',
    `portal "${portal}" is not installed: install the app on it in Bitrix24 (Applications → your app → Install; ` +
      'the install stores the admin token the CLI acts with), then run `b24robots portals` to see it',
  );
}

export function portalUninstalled(domain: string): CliError {
  return new CliError(
    'PORTAL_UNINSTALLED',
    `the app was uninstalled from ${domain}: install it again in Bitrix24 to work on this portal`,
  );
}

export function noPortals(): CliError {
  return new CliError(
    'NO_PORTALS',
    'no portal has the app installed in this database: install the app in Bitrix24 (or `b24robots sandbox` for an ' +
      'emulated portal), and check that DATABASE_URL / --database points at the service\'s database',
  );
}
