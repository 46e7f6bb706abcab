import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkManifests, writeManifests } from '../../src/activities/manifest-files';
import { runManifestsCommand } from '../../src/cli/manifests';
import { everyTypeRobot, tariffRobot } from './robot-fixtures';

describe('committed manifests are checked against the robots', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'manifests-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports nothing right after writing', async () => {
    const { written } = await writeManifests([everyTypeRobot, tariffRobot], dir);
    expect(written).toEqual(['test_every_type.json', 'test_tariff.json']);
    expect(await checkManifests([everyTypeRobot, tariffRobot], dir)).toEqual([]);
    const file = JSON.parse(await readFile(path.join(dir, 'test_tariff.json'), 'utf8'));
    expect(file.code).toBe('test_tariff');
    expect(file.robot).toBeNull();
    expect(file.activity.CODE).toBe('test_tariff_bp');
  });

  it('finds a stale, a missing and a left-over file, and rewriting fixes all three', async () => {
    await writeManifests([everyTypeRobot, tariffRobot], dir);
    const edited = path.join(dir, 'test_every_type.json');
    await writeFile(edited, (await readFile(edited, 'utf8')).replace('Все типы', 'Старое имя'));
    await rm(path.join(dir, 'test_tariff.json'));
    await writeFile(path.join(dir, 'removed_robot.json'), '{}\n');

    expect(await checkManifests([everyTypeRobot, tariffRobot], dir)).toEqual([
      { file: 'test_every_type.json', problem: 'stale' },
      { file: 'test_tariff.json', problem: 'missing' },
      { file: 'removed_robot.json', problem: 'extra' },
    ]);

    const { written, removed } = await writeManifests([everyTypeRobot, tariffRobot], dir);
    expect(written.sort()).toEqual(['test_every_type.json', 'test_tariff.json']);
    expect(removed).toEqual(['removed_robot.json']);
    expect(await checkManifests([everyTypeRobot, tariffRobot], dir)).toEqual([]);
  });

  it('`manifests --check` exits 1 on a stale directory and 0 once written', async () => {
    const lines: string[] = [];
    const out = { log: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    expect(await runManifestsCommand({ check: true, dir, robots: [tariffRobot], out })).toBe(1);
    expect(lines.join('\n')).toContain('test_tariff.json is missing');
    expect(await runManifestsCommand({ check: false, dir, robots: [tariffRobot], out })).toBe(0);
    expect(await runManifestsCommand({ check: true, dir, robots: [tariffRobot], out })).toBe(0);
  });
});
