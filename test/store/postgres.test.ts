import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { StoreError, createStore } from '../../src/store';
import { PostgresStore } from '../../src/store/postgres-store';
import { describeStoreContract } from './contract';

const url = process.env.TEST_DATABASE_URL;
/** PostgreSQL tests run when TEST_DATABASE_URL is set (.ci/run sets it) and show as skipped otherwise. */
const describePostgres = url ? describe : describe.skip;
const title = url ? 'PostgreSQL' : 'PostgreSQL (skipped: set TEST_DATABASE_URL)';

// Every test gets its own schema under a per-file prefix, so jest workers and CI runs never share tables.
const prefix = `test_store_${randomBytes(4).toString('hex')}`;
const created = new Set<string>();
let admin: Client | undefined;
let next = 0;

async function dropSchema(schema: string): Promise<void> {
  await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  created.delete(schema);
}

describePostgres(title, () => {
  beforeAll(async () => {
    admin = new Client({ connectionString: url });
    await admin.connect();
  });

  afterAll(async () => {
    for (const schema of [...created]) await dropSchema(schema);
    await admin?.end();
  });

  describeStoreContract('PostgreSQL', async () => {
    const schema = `${prefix}_${++next}`;
    created.add(schema);
    return {
      open: (options) => createStore(url, { ...options, schema }),
      drop: () => dropSchema(schema),
    };
  });

  it('puts every table in the schema it was given', async () => {
    const schema = `${prefix}_tables`;
    created.add(schema);
    const store = await createStore(url, { schema });
    try {
      expect(store.kind).toBe('postgres');
      const { rows } = await admin!.query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      );
      expect(rows.map((r) => r.table_name)).toEqual([
        'locks', 'portal_state', 'portals', 'runs', 'schedule_ticks', 'schedules', 'schema_migrations', 'settings',
        'steps', 'tokens',
      ]);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });
});

describe('PostgreSQL options', () => {
  it('refuses a schema name that is not a plain identifier, before connecting', () => {
    expect(() => new PostgresStore('postgres://postgres@127.0.0.1:1/none', { schema: 'x; DROP TABLE runs' })).toThrow(
      expect.objectContaining({ code: 'STORE_BAD_SCHEMA' }) as unknown as StoreError,
    );
  });
});
