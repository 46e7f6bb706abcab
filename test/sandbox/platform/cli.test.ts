import { describe as describeSandbox } from '../../../src/sandbox/cli';
import type { Sandbox } from '../../../src/sandbox';
import { startTestSandbox } from './helpers';

describe('npm run sandbox banner', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    ({ sandbox } = await startTestSandbox({
      portals: [{ domain: 'one.bitrix24.test' }, { domain: 'two.bitrix24.test', plan: 'enterprise' }],
      apps: [{ installUrl: 'http://127.0.0.1:3000/b24/install' }],
    }));
  });
  afterAll(() => sandbox.close());

  test('prints the URL, every portal with its member_id, and the app keys a developer needs', () => {
    const text = describeSandbox(sandbox);
    expect(text).toContain(`Bitrix24 sandbox at ${sandbox.url}`);
    for (const portal of sandbox.portals.values()) {
      expect(text).toContain(`portal ${portal.domain}`);
      expect(text).toContain(portal.memberId);
      expect(text).toContain(portal.clientEndpoint);
    }
    // a local app's client_id looks like local.<hex>.<digits>
    expect(sandbox.app.clientId).toMatch(/^local\.[0-9a-f]{14}\.\d{8}$/);
    expect(text).toContain(sandbox.app.clientId);
    expect(text).toContain(sandbox.app.clientSecret);
    expect(text).toContain('http://127.0.0.1:3000/b24/install');
    expect(text).toContain(`${sandbox.url}/oauth/token/`);
  });
});
