import { DEFAULT_SQLITE_FILE, parseDatabaseUrl, redactUrl } from '../../src/store';

describe('DATABASE_URL', () => {
  it('unset or empty means the SQLite file under ./data', () => {
    expect(parseDatabaseUrl(undefined)).toEqual({ engine: 'sqlite', filename: DEFAULT_SQLITE_FILE });
    expect(parseDatabaseUrl('  ')).toEqual({ engine: 'sqlite', filename: './data/b24-robots.sqlite' });
  });

  it('sqlite:, file: and bare paths name a SQLite file; sqlite::memory: a private in-memory database', () => {
    expect(parseDatabaseUrl('sqlite:/var/lib/b24/robots.db')).toEqual({ engine: 'sqlite', filename: '/var/lib/b24/robots.db' });
    expect(parseDatabaseUrl('sqlite:///var/lib/b24/robots.db')).toEqual({ engine: 'sqlite', filename: '/var/lib/b24/robots.db' });
    expect(parseDatabaseUrl('sqlite:data/dev.db')).toEqual({ engine: 'sqlite', filename: 'data/dev.db' });
    expect(parseDatabaseUrl('file:/tmp/robots.db')).toEqual({ engine: 'sqlite', filename: '/tmp/robots.db' });
    expect(parseDatabaseUrl('./robots.db')).toEqual({ engine: 'sqlite', filename: './robots.db' });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ engine: 'sqlite', filename: ':memory:' });
  });

  it('postgres:// and postgresql:// select PostgreSQL', () => {
    expect(parseDatabaseUrl('postgres://postgres@127.0.0.1:5432/test')).toEqual({
      engine: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test',
    });
    expect(parseDatabaseUrl('postgresql://app:pw@db/robots').engine).toBe('postgres');
  });

  it('another engine is refused with a message naming the accepted forms and hiding the password', () => {
    let error: unknown;
    try {
      parseDatabaseUrl('mysql://app:s3cret@db/robots');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'STORE_BAD_URL' });
    expect(String((error as Error).message)).toContain('postgres://');
    expect(String((error as Error).message)).not.toContain('s3cret');
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(expect.objectContaining({ code: 'STORE_BAD_URL' }) as unknown as Error);
    expect(redactUrl('postgres://app:s3cret@db:5432/robots')).toBe('postgres://app:***@db:5432/robots');
  });
});
