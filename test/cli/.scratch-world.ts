import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeManifests } from '../../src/activities/manifest-files';
import { cliRobots, startWorld } from './helpers';
(async () => {
  const world = await startWorld();
  const manifests = path.join(world.dir, 'manifests');
  await writeManifests(cliRobots, manifests);
  writeFileSync('/tmp/cliwork/env.sh', Object.entries({ ...world.env, M: manifests, DIR: world.dir }).map(([k, v]) => `export ${k}='${v}'`).join('\n') + '\n');
  console.log('ready', world.dir);
  process.on('SIGTERM', () => world.close().then(() => process.exit(0)));
})();
