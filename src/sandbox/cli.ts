/**
 * `npm run sandbox`: starts the sandbox portal and runs until Ctrl-C.
 *   npm run sandbox -- --port 4500 --portals 2 --state data/sandbox.json --install-url http://127.0.0.1:3000/b24/install
 */
import { Command, InvalidArgumentError } from 'commander';
import { startSandbox, type Sandbox } from './index';
import type { PortalOptions } from './portal';

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
    return n;
  };
}

export function describe(sandbox: Sandbox): string {
  const lines = [`Bitrix24 sandbox at ${sandbox.url}`, ''];
  for (const portal of sandbox.portals.values()) {
    lines.push(`portal ${portal.domain}`);
    lines.push(`  member_id        ${portal.memberId}`);
    lines.push(`  client_endpoint  ${portal.clientEndpoint}`);
    lines.push(`  plan / time zone ${portal.plan} / ${portal.timeZone}`);
  }
  lines.push('');
  for (const app of sandbox.apps.values()) {
    lines.push(`app "${app.name}"`);
    lines.push(`  client_id        ${app.clientId}`);
    lines.push(`  client_secret    ${app.clientSecret}`);
    lines.push(`  install URL      ${app.installUrl || '(none: pass --install-url)'}`);
  }
  lines.push('');
  lines.push(`OAuth server       ${sandbox.url}/oauth/token/   (server_endpoint ${sandbox.url}/rest/)`);
  lines.push(`sandbox API        ${sandbox.url}/sandbox/   (a token: POST ${sandbox.url}/sandbox/portals/<member_id>/tokens)`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('sandbox')
    .description('An emulated Bitrix24 portal (REST, OAuth, limits, batch, robots) for offline development and tests')
    .option('--port <port>', 'port to listen on (0 = any free port)', integer(0), 4500)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--portals <n>', 'number of portals', integer(1), 1)
    .option('--plan <plan>', 'plan of the portals: standard or enterprise', 'standard')
    .option('--state <file>', 'load state from this JSON file and save it there on exit')
    .option('--install-url <url>', "the app's install handler (ONAPPINSTALL is POSTed there)")
    .option('--no-seed', 'start with empty portals (no generated CRM data)')
    .option('--no-limits', 'switch off the rate bucket and the operating budget')
    .parse(argv);
  const opts = program.opts<{
    port: number;
    host: string;
    portals: number;
    plan: string;
    state?: string;
    installUrl?: string;
    seed: boolean;
    limits: boolean;
  }>();
  if (opts.plan !== 'standard' && opts.plan !== 'enterprise') {
    program.error('--plan must be "standard" or "enterprise"');
  }
  const portals: PortalOptions[] = Array.from({ length: opts.portals }, () => ({
    plan: opts.plan as PortalOptions['plan'],
    seed: opts.seed,
    ...(opts.limits ? {} : { limits: { bucket: { enabled: false }, operating: { enabled: false } } }),
  }));
  const sandbox = await startSandbox({
    port: opts.port,
    host: opts.host,
    portals,
    apps: [{ installUrl: opts.installUrl ?? '' }],
    stateFile: opts.state,
  });
  process.stdout.write(`${describe(sandbox)}\n\nCtrl-C to stop${opts.state ? ` (state is saved to ${opts.state})` : ''}.\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`sandbox: close failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main(process.argv).catch((err: unknown) => {
    process.stderr.write(`sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
