/**
 * `b24robots settings [--portal P] [get [key] | set key=value… | edit]`: per-portal settings (pipelines, field codes,
 * keywords, schedules). Every change is validated against the modules' schemas before it is saved; a problem names
 * its key (`"onboarding.taskDeadlineDays" must be <= 365`) and nothing is saved.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from './context';
import { CliError, UsageError } from './errors';
import { effectiveSettings, settingsCatalog, settingsProblems } from './settings-catalog';

interface PortalOption {
  portal?: string;
}

function pathOf(key: string): string[] {
  const segments = key.split('.');
  if (segments.some((segment) => segment === '')) throw new UsageError(`"${key}" is not a settings key: use dotted names like onboarding.taskDeadlineDays`);
  return segments;
}

function getPath(value: unknown, segments: string[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object' || !(segment in (current as Record<string, unknown>))) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function setPath(target: Record<string, unknown>, segments: string[], value: unknown): void {
  let current: any = target;
  segments.slice(0, -1).forEach((segment, i) => {
    if (current[segment] === null || typeof current[segment] !== 'object') current[segment] = /^\d+$/.test(segments[i + 1]) ? [] : {};
    current = current[segment];
  });
  current[segments[segments.length - 1]] = value;
}

/** `key=value`: the value is JSON when it parses (numbers, null, arrays, objects), otherwise the text itself. */
export function parseAssignment(text: string): { key: string; segments: string[]; value: unknown } {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`"${text}" is not key=value (e.g. onboarding.taskDeadlineDays=5)`);
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  return { key, segments: pathOf(key), value };
}

function show(ctx: CliContext, value: unknown, json: boolean): void {
  if (!json && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) ctx.out.print(String(value));
  else ctx.out.json(value);
}

async function openPortal(ctx: CliContext, options: PortalOption) {
  const [portal] = await ctx.selectPortals({ portal: options.portal });
  const store = await ctx.store();
  const stored = await store.getSettings(portal.memberId);
  return { portal, store, stored: structuredClone(stored ?? {}), catalog: settingsCatalog(ctx.robots()) };
}

function refuse(problems: string[], kept?: string): CliError {
  const where = kept ? `; your edit is kept in ${kept}` : '';
  return new CliError('INVALID_SETTINGS', `not saved: ${problems.join('; ')}${where}`);
}

async function edit(ctx: CliContext, options: PortalOption): Promise<void> {
  const { portal, store, stored, catalog } = await openPortal(ctx, options);
  const editor = ctx.env.VISUAL || ctx.env.EDITOR;
  if (!editor) throw new CliError('NO_EDITOR', 'no editor: set EDITOR (e.g. EDITOR=nano), or change values with `b24robots settings set key=value`');
  const dir = await mkdtemp(path.join(tmpdir(), 'b24robots-settings-'));
  const file = path.join(dir, `${portal.domain}.json`);
  const before = `${JSON.stringify(stored, null, 2)}\n`;
  await writeFile(file, before, 'utf8');
  ctx.out.warn(`editing the stored settings of ${portal.domain} (defaults apply under them: \`b24robots settings get\` shows the result)`);
  const status = spawnSync(`${editor} "${file}"`, { shell: true, stdio: 'inherit' });
  if (status.status !== 0) throw new CliError('EDITOR_FAILED', `the editor (${editor}) exited with ${status.status ?? status.signal}: nothing saved; your edit is in ${file}`);
  const after = await readFile(file, 'utf8');
  if (after === before) {
    await rm(dir, { recursive: true, force: true });
    ctx.out.print('no changes');
    return;
  }
  let next: unknown;
  try {
    next = JSON.parse(after);
  } catch (error) {
    throw refuse([`the file is not valid JSON (${(error as Error).message})`], file);
  }
  if (typeof next !== 'object' || next === null || Array.isArray(next)) throw refuse(['the settings must be a JSON object'], file);
  const problems = settingsProblems(catalog, next as Record<string, unknown>);
  if (problems.length) throw refuse(problems, file);
  await store.saveSettings(portal.memberId, next as Record<string, unknown>);
  await rm(dir, { recursive: true, force: true });
  ctx.out.print(`saved the settings of ${portal.domain}`);
}

export function registerSettingsCommand(program: Command, context: () => CliContext): void {
  const settings = program
    .command('settings')
    .description('per-portal settings (pipelines, field codes, keywords, schedules), validated before saving')
    .option('--portal <portal>', 'member_id or domain (default: the only installed portal)')
    .addHelpText(
      'after',
      `
Keys are dotted: <module>.<field> (e.g. onboarding.taskDeadlineDays) and schedules.<job> (cron or "off").
Values are JSON when they parse (5, null, ["a","b"]), otherwise text.

Examples:
  $ b24robots settings --portal acme.bitrix24.ru get
  $ b24robots settings --portal acme.bitrix24.ru get onboarding.pipelineName
  $ b24robots settings --portal acme.bitrix24.ru set onboarding.taskDeadlineDays=5 onboarding.stageName="Новая"
  $ b24robots settings --portal acme.bitrix24.ru set 'onboarding.tariffs=[{"name":"Базовый","price":3500}]'
  $ EDITOR=nano b24robots settings --portal acme.bitrix24.ru edit`,
    );

  settings
    .command('get', { isDefault: true })
    .argument('[key]', 'one dotted key (default: everything)')
    .description('print the effective settings (defaults under what the portal stored), or one key')
    .option('--stored', 'only what the portal stored, without defaults')
    .option('--json', 'JSON output, also for a single text value')
    .addHelpText('after', '\nExamples:\n  $ b24robots settings --portal acme.bitrix24.ru get\n  $ b24robots settings --portal acme.bitrix24.ru get onboarding.tariffs --json\n  $ b24robots settings --portal acme.bitrix24.ru get --stored')
    .action(async (key: string | undefined, options: { stored?: boolean; json?: boolean }, command: Command) => {
      const ctx = context();
      const { stored, catalog } = await openPortal(ctx, command.optsWithGlobals<PortalOption>());
      const shown = options.stored ? stored : effectiveSettings(catalog, stored);
      if (key === undefined) return show(ctx, shown, true);
      const value = getPath(shown, pathOf(key));
      if (value === undefined) {
        throw new CliError('SETTING_UNKNOWN', `no setting "${key}"${options.stored ? ' stored' : ''}: top-level keys are ${catalog.keys().join(', ') || 'none'}`);
      }
      show(ctx, value, Boolean(options.json));
    });

  settings
    .command('set')
    .argument('<assignments...>', 'key=value pairs')
    .description('change values; all are validated together and saved only if every one is valid')
    .addHelpText(
      'after',
      `
Examples:
  $ b24robots settings --portal acme.bitrix24.ru set onboarding.taskDeadlineDays=5
  $ b24robots settings --portal acme.bitrix24.ru set schedules.calls_distribute="0 10 * * 1"
  $ b24robots settings --portal acme.bitrix24.ru set schedules.comms_sweep=off`,
    )
    .action(async (assignments: string[], _options: unknown, command: Command) => {
      const ctx = context();
      const parsed = assignments.map(parseAssignment);
      const { portal, store, stored, catalog } = await openPortal(ctx, command.optsWithGlobals<PortalOption>());
      for (const { segments, value } of parsed) setPath(stored, segments, value);
      const problems = settingsProblems(catalog, stored);
      if (problems.length) throw refuse(problems);
      await store.saveSettings(portal.memberId, stored);
      for (const { key, value } of parsed) ctx.out.print(`${portal.domain}: ${key} = ${JSON.stringify(value)}`);
    });

  settings
    .command('edit')
    .description('edit the stored settings as JSON in $VISUAL / $EDITOR; validated before saving')
    .addHelpText('after', '\nExamples:\n  $ EDITOR=nano b24robots settings --portal acme.bitrix24.ru edit\n  $ VISUAL="code --wait" b24robots settings edit')
    .action(async (_options: unknown, command: Command) => edit(context(), command.optsWithGlobals<PortalOption>()));
}
