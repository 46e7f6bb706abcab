import path from 'node:path';
import { checkManifests } from '../../src/activities/manifest-files';
import { robots } from '../../robots';

describe('manifests/ is up to date with robots/', () => {
  it('has exactly one current file per registered robot (run `npm run manifests` if this fails)', async () => {
    expect(await checkManifests(robots, path.join(__dirname, '../../manifests'))).toEqual([]);
  });
});
