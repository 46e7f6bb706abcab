/**
 * The plan → apply engine in this process, against the sandbox: what the service registered at install counts as
 * recorded, field differences are named, and a portal that changed between plan and apply is handled the Bitrix24
 * way (ERROR_ACTIVITY_ALREADY_INSTALLED → update).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildManifest, type RegistrationPayload, type RobotManifest } from '../../src/activities/manifest';
import { createApp, type App } from '../../src/app';
import { applyActions } from '../../src/cli/apply';
import { payloadDifferences, planActions, readPortalStatus, NOT_RECORDED } from '../../src/cli/plan';
import { readRecords } from '../../src/cli/registered';
import { createSilentLogger } from '../../src/logger';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { installApp } from '../../src/sandbox/bizproc';
import { bizprocState } from '../../src/sandbox/bizproc/state';
import type { PortalRecord } from '../../src/store/types';
import { freePort, loopbackConfig } from '../../src/dev/local-service';
import { CLIENT_ID, CLIENT_SECRET, cliRobots, rest } from './helpers';

const manifests = cliRobots.map((robot) => buildManifest(robot)).filter((m): m is RobotManifest => m !== null);

describe('payload differences', () => {
  const base = (): RegistrationPayload => structuredClone(manifests.find((m) => m.code === 'cli_deal_note')!.robot!);

  it('names the property field that changed, and a property added or removed', () => {
    const changed = base();
    changed.PROPERTIES.text.Name = { ru: 'Текст заметки', en: 'Text' };
    changed.PROPERTIES.extra = { Name: { ru: 'Ещё', en: 'More' }, Type: 'string', Required: 'N', Multiple: 'N' };
    changed.HANDLER = 'https://robots.example.com/robots/cli_deal_note';
    expect(payloadDifferences(base(), changed)).toEqual(['HANDLER', 'PROPERTIES.extra (new)', 'PROPERTIES.text.Name']);
    expect(payloadDifferences(changed, base())).toContain('PROPERTIES.extra (removed)');
  });

  it('key order is not a difference', () => {
    const reordered = Object.fromEntries(Object.entries(base()).reverse()) as unknown as RegistrationPayload;
    expect(payloadDifferences(base(), reordered)).toEqual([]);
  });
});

describe('the plan → apply engine against the sandbox', () => {
  let sandbox: Sandbox;
  let app: App;
  let dir: string;
  let portal: PortalRecord;
  let publicUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'b24robots-plan-'));
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    sandbox = await startSandbox({
      apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, installUrl: `${publicUrl}/install` }],
      portals: [{ domain: 'gamma.bitrix24.test', seed: false }],
      logger: { error: () => undefined },
    });
    const config = loopbackConfig({
      port,
      oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, server: sandbox.url },
      databaseUrl: `sqlite:${path.join(dir, 'db.sqlite')}`,
      workerConcurrency: 1,
    });
    // This time the service registers the robots itself at install.
    app = await createApp({ config, robots: cliRobots, logger: createSilentLogger(), worker: false, scheduler: false, resumeRegistrations: false });
    await installApp(sandbox, sandbox.defaultPortal, CLIENT_ID);
    portal = (await app.store.getPortal(sandbox.defaultPortal.memberId))!;
  });

  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const status = (list = manifests) =>
    readPortalStatus({
      b24: app.client.forPortal(portal.memberId, { userId: portal.adminUserId }),
      store: app.store,
      portal,
      manifests: list,
      publicUrl,
      robots: cliRobots,
    });

  it('what the service registered at install is in sync without any record of the CLI', async () => {
    const current = await status();
    expect(current.entries.map((e) => [e.code, e.state, e.recorded])).toEqual([
      ['cli_company_check_bp', 'in-sync', 'install'],
      ['cli_deal_note', 'in-sync', 'install'],
      ['cli_deal_note_bp', 'in-sync', 'install'],
      ['cli_lead_tag', 'in-sync', 'install'],
    ]);
    expect(planActions(current, 'sync')).toEqual([]);
  });

  it('with other robots than the install registered, an entry with no record is changed (fields unknown)', async () => {
    const edited = structuredClone(manifests);
    edited.find((m) => m.code === 'cli_lead_tag')!.robot!.PROPERTIES.tag.Name = { ru: 'Тег', en: 'Tag' };
    // The install's fingerprint still matches the robots, so its records stand; the edit is a named change.
    const current = await status(edited);
    expect(current.entries.find((e) => e.code === 'cli_lead_tag')).toMatchObject({ state: 'changed', differences: ['PROPERTIES.tag.Name'] });
    await app.store.setState(portal.memberId, 'app:registration', { status: 'done', fingerprint: 'other-robots', at: new Date().toISOString() });
    const unknown = await status(edited);
    expect(unknown.entries.every((e) => e.state === 'changed' && e.differences[0] === NOT_RECORDED)).toBe(true);
  });

  it('an add that meets ERROR_ACTIVITY_ALREADY_INSTALLED is sent as an update and recorded', async () => {
    // The plan sees cli_lead_tag missing; before it is applied, someone registers the code with our app's token.
    const token = sandbox.issueTokens(sandbox.defaultPortal, CLIENT_ID, 1);
    await rest(sandbox.defaultPortal, token.access_token, 'bizproc.robot.delete', { CODE: 'cli_lead_tag' });
    const current = await status();
    const actions = planActions(current, 'register', (e) => e.code === 'cli_lead_tag');
    expect(actions.map((a) => `${a.verb}:${a.code}`)).toEqual(['add:cli_lead_tag']);
    await rest(sandbox.defaultPortal, token.access_token, 'bizproc.robot.add', { CODE: 'cli_lead_tag', HANDLER: 'https://x.example.com/h', NAME: 'Раньше' });

    const result = await applyActions({ b24: app.client.forPortal(portal.memberId, { userId: 1 }), store: app.store, status: current, actions, now: () => new Date() });
    expect(result).toMatchObject({ added: [], updated: ['cli_lead_tag'], failed: [] });
    const registration = bizprocState(sandbox.defaultPortal).registrations.find((r) => r.code === 'cli_lead_tag');
    expect(registration?.handler).toMatch(/\/robots\/cli_lead_tag$/);
    expect((await readRecords(app.store, portal.memberId)).entries.cli_lead_tag).toMatchObject({ by: 'cli', kind: 'robot' });
  });
});
