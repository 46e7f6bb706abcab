import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createStore } from '../../src/store';
import { describeStoreContract } from './contract';
import { robotCall, memberId } from './fixtures/records';

const root = mkdtempSync(join(tmpdir(), 'b24-store-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let next = 0;
describeStoreContract('SQLite file', async () => {
  const file = join(root, `case-${++next}`, 'b24-robots.sqlite');
  return {
    open: (options) => createStore(`sqlite:${file}`, options),
    drop: async () => rmSync(join(file, '..'), { recursive: true, force: true }),
  };
});

describe('SQLite specifics', () => {
  it('creates the directory of the file and keeps the file in WAL mode', async () => {
    const file = join(root, 'nested', 'deeper', 'robots.db');
    const store = await createStore(`sqlite://${file}`);
    try {
      expect(store.kind).toBe('sqlite');
      await store.ping();
    } finally {
      await store.close();
    }
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual([
        'locks', 'portal_state', 'portals', 'runs', 'schedule_ticks', 'schedules', 'schema_migrations', 'settings',
        'steps', 'tokens',
      ]);
    } finally {
      raw.close();
    }
  });

  it('with no DATABASE_URL the store is ./data/b24-robots.sqlite, directory created', async () => {
    const cwd = process.cwd();
    const workdir = join(root, 'default-cwd');
    mkdirSync(workdir);
    process.chdir(workdir);
    try {
      const store = await createStore(undefined);
      await store.close();
      expect(existsSync(join(workdir, 'data', 'b24-robots.sqlite'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it('sqlite::memory: gives a working private store for unit tests', async () => {
    const store = await createStore('sqlite::memory:');
    try {
      const { run } = await store.enqueueRun(robotCall(memberId()));
      expect(await store.getRun(run.id)).toEqual(run);
    } finally {
      await store.close();
    }
  });

  it('closing the store still commits robot calls it has accepted', async () => {
    const url = `sqlite:${join(root, 'close-pending.db')}`;
    const store = await createStore(url);
    const call = robotCall(memberId());
    const pending = store.enqueueRun(call);
    await store.close();
    const { run } = await pending;
    const reopened = await createStore(url);
    try {
      expect(await reopened.getRun(run.id)).toMatchObject({ id: run.id, dedupeKey: call.dedupeKey });
    } finally {
      await reopened.close();
    }
  });

  it('closing twice is harmless', async () => {
    const store = await createStore(`file:${join(root, 'close-twice.db')}`);
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });
});
