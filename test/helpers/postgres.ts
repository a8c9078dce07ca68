// PostgreSQL for the tests that need a server (the store contract suite, the multi-node tests):
// TEST_DATABASE_URL names a database on a server where tests may CREATE and DROP databases; each
// test file gets its own fresh `educred_<prefix>_<random>` and drops it at the end. Without
// TEST_DATABASE_URL these tests skip with one message, except in CI (CI=true), where a missing
// server is a failure: CI never skips them (.ci/run starts or installs PostgreSQL).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';

export const POSTGRES_SKIP_REASON =
  'PostgreSQL tests skipped: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test (a server where tests may create databases) to run them';

export const POSTGRES_REQUIRED_IN_CI = 'TEST_DATABASE_URL is not set, and CI never skips the PostgreSQL tests: .ci/run exports it after starting PostgreSQL';

type Env = Record<string, string | undefined>;

/** The server URL tests may create databases through, or undefined when none is configured. */
export function postgresServerUrl(env: Env = process.env): string | undefined {
  const url = env.TEST_DATABASE_URL?.trim();
  return url ? url : undefined;
}

/** What a PostgreSQL test file does here: run, skip with a message, or fail (CI without a server). */
export function postgresTestMode(env: Env = process.env): 'run' | 'skip' | 'fail' {
  if (postgresServerUrl(env)) return 'run';
  return env.CI === 'true' || env.CI === '1' ? 'fail' : 'skip';
}

/** A database name for `prefix`: `educred_<prefix>_<12 hex>`, lower case, at most 63 bytes (PostgreSQL's NAMEDATALEN - 1). */
export function databaseName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 40);
  if (!clean) throw new Error(`a database prefix needs a letter or a digit (got ${JSON.stringify(prefix)})`);
  return `educred_${clean}_${randomBytes(6).toString('hex')}`;
}

/** The same server URL with another database (the path), credentials and query kept. */
export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new Error(`TEST_DATABASE_URL must be a postgres:// URL (got ${url.protocol})`);
  url.pathname = `/${database}`;
  return url.toString();
}

export interface FreshDatabase {
  /** postgres://… of the new, empty database. */
  url: string;
  name: string;
  /** Drops it (closing other sessions first: a killed server may leave connections behind). */
  drop(): Promise<void>;
}

async function onServer<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database on the TEST_DATABASE_URL server; the caller drops it. */
export async function freshPostgresDatabase(prefix: string, serverUrl = postgresServerUrl()): Promise<FreshDatabase> {
  if (!serverUrl) throw new Error(POSTGRES_SKIP_REASON);
  const name = databaseName(prefix);
  // The name is ours (letters, digits, underscores): quoting it is enough, identifiers take no parameters.
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  return {
    url: withDatabase(serverUrl, name),
    name,
    async drop() {
      await onServer(serverUrl, async (client) => {
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        await client.query(`DROP DATABASE IF EXISTS "${name}"`);
      });
    },
  };
}

/** Runs SQL on one database (a test's own checks, e.g. of schema_migrations) and closes the connection. */
export async function queryDatabase<R extends pg.QueryResultRow = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  return onServer(url, async (client) => (await client.query<R>(sql, params)).rows);
}

let warned = false;

/**
 * `describe` for a PostgreSQL test file: runs with TEST_DATABASE_URL; without it skips, printing
 * POSTGRES_SKIP_REASON once; in CI without it, fails (a test that says why) instead of skipping.
 */
export function describePostgres(name: string, fn: () => void, env: Env = process.env): void {
  const mode = postgresTestMode(env);
  if (mode === 'run') {
    describe(name, fn);
    return;
  }
  if (mode === 'fail') {
    describe(name, () => {
      it('has a PostgreSQL server (TEST_DATABASE_URL)', () => {
        throw new Error(POSTGRES_REQUIRED_IN_CI);
      });
    });
    return;
  }
  if (!warned) {
    warned = true;
    console.warn(POSTGRES_SKIP_REASON);
  }
  describe.skip(name, fn);
}

/** For a single test or hook outside describePostgres: whether PostgreSQL tests run here (throws in CI without a server). */
export function skipUnlessPostgres(env: Env = process.env): boolean {
  const mode = postgresTestMode(env);
  if (mode === 'fail') throw new Error(POSTGRES_REQUIRED_IN_CI);
  return mode === 'skip';
}
