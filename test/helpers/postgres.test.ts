// The PostgreSQL test helper: when PostgreSQL tests run, skip or fail (CI never skips them), the
// names and URLs of the fresh databases, and (with a server) that a fresh database is created
// empty and dropped even while a connection to it is still open.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseName, describePostgres, freshPostgresDatabase, postgresServerUrl, postgresTestMode, queryDatabase, withDatabase } from './postgres.js';

describe('PostgreSQL test mode', () => {
  it('runs when TEST_DATABASE_URL is set, in CI or not', () => {
    expect(postgresTestMode({ TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' })).toBe('run');
    expect(postgresTestMode({ TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', CI: 'true' })).toBe('run');
  });

  it('skips on a developer machine without TEST_DATABASE_URL (blank counts as unset)', () => {
    expect(postgresTestMode({})).toBe('skip');
    expect(postgresTestMode({ TEST_DATABASE_URL: '  ' })).toBe('skip');
    expect(postgresServerUrl({ TEST_DATABASE_URL: '' })).toBeUndefined();
  });

  it('fails instead of skipping in CI without TEST_DATABASE_URL', () => {
    expect(postgresTestMode({ CI: 'true' })).toBe('fail');
    expect(postgresTestMode({ CI: '1' })).toBe('fail');
  });
});

describe('fresh database names and URLs', () => {
  it('names a database educred_<prefix>_<random>, a valid unquoted identifier within 63 bytes', () => {
    const a = databaseName('Multi-Node');
    const b = databaseName('Multi-Node');
    expect(a).toMatch(/^educred_multi_node_[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    expect(databaseName('x'.repeat(200)).length).toBeLessThanOrEqual(63);
  });

  it('refuses a prefix with nothing usable in it', () => {
    expect(() => databaseName('')).toThrow(/prefix/);
  });

  it('points the server URL at the new database, keeping user, host, port and query', () => {
    expect(withDatabase('postgres://postgres@127.0.0.1:5432/test?sslmode=disable', 'educred_a_1')).toBe('postgres://postgres@127.0.0.1:5432/educred_a_1?sslmode=disable');
    expect(() => withDatabase('mysql://root@127.0.0.1/test', 'x')).toThrow(/postgres:\/\//);
  });
});

describePostgres('fresh PostgreSQL databases', () => {
  it('creates an empty database and drops it, even with a connection still open', async () => {
    const db = await freshPostgresDatabase('helper');
    const server = postgresServerUrl()!;
    const exists = async () => (await queryDatabase(server, 'SELECT 1 FROM pg_database WHERE datname = $1', [db.name])).length === 1;
    expect(await exists()).toBe(true);
    expect(await queryDatabase(db.url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).toEqual([]);
    // A server killed mid-test leaves its sessions open: drop() must still remove the database.
    const lingering = new pg.Client({ connectionString: db.url });
    lingering.on('error', () => {});
    await lingering.connect();
    await db.drop();
    expect(await exists()).toBe(false);
    await lingering.end().catch(() => {});
  });
});
