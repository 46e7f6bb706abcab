/**
 * The built `b24robots` binary against the sandbox portal and a real SQLite store (issue 4, "done when"): register on
 * two portals, list shows them in sync, a changed property shows as changed and `sync` updates it, `unregister`
 * removes only ours, a repeated `sync` reports nothing to do, `--json` parses, bad arguments exit 2 with help.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeManifests } from '../../src/activities/manifest-files';
import { installApp } from '../../src/sandbox/bizproc';
import { bizprocState, type Registration } from '../../src/sandbox/bizproc/state';
import type { SandboxPortal } from '../../src/sandbox';
import { CLIENT_ID, cliRobots, ensureBuilt, rest, runBuiltCli, startWorld, type World } from './helpers';

const OTHER_APP = 'local.0000000000000a.99999999';

function ours(portal: SandboxPortal): Registration[] {
  return bizprocState(portal).registrations.filter((r) => r.clientId === CLIENT_ID);
}

function codes(registrations: Registration[]): string[] {
  return registrations.map((r) => `${r.isRobot ? 'robot' : 'activity'}:${r.code}`).sort();
}

const ALL_OURS = ['activity:cli_company_check_bp', 'activity:cli_deal_note_bp', 'robot:cli_deal_note', 'robot:cli_lead_tag'];

describe('b24robots (built) manages robots on installed portals', () => {
  let world: World;
  let manifests: string;
  let acme: SandboxPortal;
  let beta: SandboxPortal;
  const cli = (...args: string[]) => runBuiltCli(['--manifests', manifests, ...args], world.env);

  beforeAll(async () => {
    ensureBuilt();
    world = await startWorld();
    [acme, beta] = world.portals;
    manifests = path.join(world.dir, 'manifests');
    await writeManifests(cliRobots, manifests);
  }, 180_000);

  afterAll(async () => {
    await world?.close();
  });

  it('bad arguments exit 2 with the help of the command', async () => {
    const missing = await cli('register', '--portal');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("option '--portal <portal>' argument missing");
    expect(missing.stderr).toContain('Usage: b24robots register');

    const unknownOption = await cli('list', '--bogus');
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain('Usage: b24robots list');

    const badState = await cli('runs', '--state', 'sleeping');
    expect(badState.code).toBe(2);
    expect(badState.stderr).toContain('--state must be one of queued, running, waiting, done, failed');
    expect(badState.stderr).toContain('Usage: b24robots runs');

    const unknownRobot = await cli('register', 'no_such_robot', '--all');
    expect(unknownRobot.code).toBe(2);
    expect(unknownRobot.stderr).toContain('not in the manifests: no_such_robot');

    // Two portals are installed: which one must be said.
    const ambiguous = await cli('register');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('pass --portal <member_id|domain> or --all');

    const help = await cli('sync', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
  });

  it('an unknown portal exits 1 and says how to install the app', async () => {
    const result = await cli('list', '--portal', 'nowhere.bitrix24.test');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/portal "nowhere\.bitrix24\.test" is not installed: install the app on it in Bitrix24/);
  });

  it('portals lists both installations with a working admin token', async () => {
    const result = await cli('portals', '--json');
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout);
    expect(rows.map((r: { domain: string }) => r.domain)).toEqual(['acme.bitrix24.test', 'beta.bitrix24.test']);
    for (const row of rows) {
      expect(row).toMatchObject({ plan: 'standard', robots: 0, activities: 0, token: { health: 'ok' } });
      expect(row.limits).toEqual({ burst: 50, drainPerSecond: 2, operatingLimitSeconds: 480 });
    }
  });

  it('register --all adds every robot and activity on both portals, with the plan printed first', async () => {
    const result = await cli('register', '--all');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('acme.bitrix24.test');
    expect(result.stdout).toMatch(/plan: 4 to add, 0 to update, 0 to remove/);
    expect(result.stdout.indexOf('+ add')).toBeLessThan(result.stdout.indexOf('done: 4 added'));
    for (const portal of [acme, beta]) {
      expect(codes(ours(portal))).toEqual(ALL_OURS);
      const note = ours(portal).find((r) => r.code === 'cli_deal_note');
      expect(note).toMatchObject({ handler: `${world.publicUrl}/robots/cli_deal_note`, authUserId: 1, useSubscription: 'Y' });
      // The portal upper-cases the language keys of name maps (PROTOCOL §1.1).
      expect(note?.properties.text.Name).toEqual({ RU: 'Текст', EN: 'Text' });
    }
  });

  it('list shows every entry in sync, and --json parses', async () => {
    const result = await cli('list', '--json');
    expect(result.code).toBe(0);
    const portals = JSON.parse(result.stdout);
    expect(portals).toHaveLength(2);
    for (const status of portals) {
      expect(status.inSync).toBe(true);
      expect(status.entries).toHaveLength(4);
      expect(status.entries.every((e: { state: string; recorded: string }) => e.state === 'in-sync' && e.recorded === 'cli')).toBe(true);
    }
  });

  it('registering again changes nothing and says so', async () => {
    const result = await cli('register', '--all');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('acme.bitrix24.test (');
    expect(result.stdout.match(/nothing to do, 4 in sync/g)).toHaveLength(2);
    expect(result.stdout).not.toContain('done:');
  });

  describe('with another app and a hand-made robot on the portal', () => {
    beforeAll(async () => {
      // Another app on acme registers its own robot; our own app's admin token registers one by hand.
      world.sandbox.addApp({ clientId: OTHER_APP, installUrl: '' });
      await installApp(world.sandbox, acme, OTHER_APP);
      const other = world.sandbox.issueTokens(acme, OTHER_APP, 1);
      await rest(acme, other.access_token, 'bizproc.robot.add', { CODE: 'other_robot', HANDLER: 'https://other.example.com/robot', NAME: 'Чужой робот' });
      const ourToken = world.sandbox.issueTokens(acme, CLIENT_ID, 1);
      await rest(acme, ourToken.access_token, 'bizproc.robot.add', { CODE: 'hand_made', HANDLER: `${world.publicUrl}/robots/hand_made`, NAME: 'Вручную' });
    });

    it('list shows the hand-made code as unknown to us and never shows the other app\'s robot', async () => {
      const result = await cli('list', '--portal', 'acme.bitrix24.test', '--json');
      const [status] = JSON.parse(result.stdout);
      expect(status.entries.find((e: { code: string }) => e.code === 'hand_made')).toMatchObject({ state: 'unknown', inManifests: false, recorded: null });
      expect(status.entries.some((e: { code: string }) => e.code === 'other_robot')).toBe(false);
      expect(status.inSync).toBe(true);
    });

    it('a changed property shows as changed, by field, and sync updates it', async () => {
      const file = path.join(manifests, 'cli_deal_note.json');
      const manifest = JSON.parse(await readFile(file, 'utf8'));
      manifest.robot.PROPERTIES.text.Name.ru = 'Текст заметки';
      manifest.activity.PROPERTIES.text.Name.ru = 'Текст заметки';
      await writeFile(file, JSON.stringify(manifest, null, 2));

      const listed = await cli('list', '--portal', 'acme.bitrix24.test');
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/cli_deal_note +robot +yes +yes +changed +PROPERTIES\.text\.Name/);
      expect(listed.stdout).toContain('differs from the manifests');

      const dry = await cli('sync', '--portal', 'acme.bitrix24.test', '--dry-run');
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/~ update +robot +cli_deal_note +PROPERTIES\.text\.Name/);
      expect(dry.stdout).toContain('dry run: nothing was sent');
      expect(ours(acme).find((r) => r.code === 'cli_deal_note')?.properties.text.Name.RU).toBe('Текст');

      const synced = await cli('sync', '--portal', 'acme.bitrix24.test');
      expect(synced.code).toBe(0);
      expect(synced.stdout).toContain('done: 0 added, 2 updated, 0 removed');
      expect(ours(acme).find((r) => r.code === 'cli_deal_note')?.properties.text.Name.RU).toBe('Текст заметки');
      expect(ours(acme).find((r) => r.code === 'cli_deal_note_bp')?.properties.text.Name.RU).toBe('Текст заметки');
    });

    it('sync removes ours that left the manifests, empties properties that were dropped, and leaves the rest alone', async () => {
      await rm(path.join(manifests, 'cli_company_check.json'));
      const file = path.join(manifests, 'cli_lead_tag.json');
      const manifest = JSON.parse(await readFile(file, 'utf8'));
      manifest.robot.PROPERTIES = {};
      await writeFile(file, JSON.stringify(manifest, null, 2));

      const result = await cli('sync', '--all', '--json');
      expect(result.code).toBe(0);
      const outcome = JSON.parse(result.stdout);
      const acmeOutcome = outcome.portals.find((p: { domain: string }) => p.domain === 'acme.bitrix24.test');
      expect(acmeOutcome.result).toMatchObject({ removed: ['cli_company_check_bp'], updated: ['cli_lead_tag'], failed: [] });
      expect(acmeOutcome.leftAlone).toEqual(['hand_made']);
      for (const portal of [acme, beta]) {
        expect(codes(ours(portal))).not.toContain('activity:cli_company_check_bp');
        // An empty PROPERTIES vanishes from a batch command's query string: it must still clear the old ones.
        expect(ours(portal).find((r) => r.code === 'cli_lead_tag')?.properties).toEqual({});
      }
      expect(codes(ours(acme))).toContain('robot:hand_made');
      expect(bizprocState(acme).registrations.some((r) => r.clientId === OTHER_APP && r.code === 'other_robot')).toBe(true);
    });

    it('a repeated sync reports nothing to do', async () => {
      const text = await cli('sync', '--all');
      expect(text.code).toBe(0);
      expect(text.stdout.match(/nothing to do/g)).toHaveLength(2);
      expect(text.stdout).toContain('2 portals: 0 changed, 2 already in sync');

      const json = JSON.parse((await cli('sync', '--all', '--json')).stdout);
      expect(json.portals.every((p: { plan: unknown[]; result: unknown }) => p.plan.length === 0 && p.result === null)).toBe(true);
    });

    it('unregister removes only ours: the hand-made robot and the other app\'s robot survive', async () => {
      const result = await cli('unregister', '--portal', 'acme.bitrix24.test');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/plan: 0 to add, 0 to update, 3 to remove/);
      expect(codes(ours(acme))).toEqual(['robot:hand_made']);
      expect(bizprocState(acme).registrations.some((r) => r.clientId === OTHER_APP && r.code === 'other_robot')).toBe(true);
      expect(codes(ours(beta))).toHaveLength(3);

      const refused = await cli('unregister', 'hand_made', '--portal', 'acme.bitrix24.test');
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('hand_made: registered outside b24robots');
      expect(codes(ours(acme))).toEqual(['robot:hand_made']);
    });

    it('list --check exits 1 while a portal differs from the manifests', async () => {
      const result = await cli('list', '--check');
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/cli_deal_note +robot +yes +no +missing on portal/);
      const registered = await cli('register', 'cli_deal_note', '--portal', 'acme.bitrix24.test');
      expect(registered.stdout).toContain('done: 2 added');
      expect(codes(ours(acme))).toEqual(['activity:cli_deal_note_bp', 'robot:cli_deal_note', 'robot:hand_made']);
    });
  });

  it('manifests writes and checks a manifests directory (what `npm run manifests:check` runs)', async () => {
    const dir = path.join(world.dir, 'fresh-manifests');
    const missing = await runBuiltCli(['manifests', '--check', '--dir', dir], world.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('is missing');
    expect((await runBuiltCli(['manifests', '--dir', dir], world.env)).code).toBe(0);
    const checked = await runBuiltCli(['manifests', '--check', '--dir', dir], world.env);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('is up to date');
  });
});
