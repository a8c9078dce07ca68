// The two database engines behind the store: SQLite (better-sqlite3, a file in the data dir,
// the embedded default) and PostgreSQL (pg, selected by DATABASE_URL). Both are reached through
// Kysely, which writes each query once for both dialects; what a dialect must say its own way
// (the insertion-order column, row locks, advisory locks, JSON arrays as parameters) is named
// here, so the repositories stay dialect-free.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, sql, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type RawBuilder, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type Engine = 'sqlite' | 'postgres';
export type Executor = Kysely<Database>;

/** Where the data lives: a SQLite file (or ':memory:'), or a PostgreSQL URL. */
export type StoreLocation = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

export function storeLocation(databaseUrl: string | undefined, sqliteFile: string): StoreLocation {
  if (databaseUrl === undefined || databaseUrl === '') return { engine: 'sqlite', file: sqliteFile };
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL (unset it to use SQLite in EDUCRED_DATA_DIR)');
  return { engine: 'postgres', url: databaseUrl };
}

/**
 * The database holds hashed tokens, claim secrets and salted recipient emails: only the service's
 * user may read it. SQLite creates the file with the process umask (often 0644) and gives its
 * -wal and -shm files the database file's mode, so the file is created 0600 before SQLite opens
 * it, and an existing one (and its WAL files) is tightened to 0600.
 */
function restrictFileModes(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

/** Opens the SQLite file with the durability settings every write relies on. */
export function openSqliteFile(file: string): BetterSqlite3.Database {
  if (file !== ':memory:') restrictFileModes(file);
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Concurrent processes (the CLI beside a running server) wait for the lock instead of failing.
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Prepared statements kept per SQL text: Kysely prepares every query it runs, and preparing is
 * a good part of a short query's cost in better-sqlite3. The set of SQL texts is the code's
 * queries (parameters are bound, never inlined), so the cache stays small; it is bounded anyway.
 */
function withStatementCache(db: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => db.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (!statement) {
        statement = db.prepare(text);
        if (cache.size >= 500) cache.clear();
        cache.set(text, statement);
      }
      return statement as unknown as ReturnType<SqliteDatabase['prepare']>;
    },
  };
}

/**
 * Kysely's SQLite driver begins transactions DEFERRED; a deferred transaction that reads, then
 * writes, fails with SQLITE_BUSY when another process (the CLI beside the server) wrote in the
 * meantime, whatever busy_timeout says. Every transaction here begins IMMEDIATE: it takes the
 * write lock first (waiting up to busy_timeout), so a unit of work never fails half-way for that.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly database: SqliteDatabase) {
    super({ database });
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.database });
  }
}

export function sqliteKysely(db: BetterSqlite3.Database): Executor {
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect(withStatementCache(db)) });
}

/**
 * PostgreSQL's BIGINT (identity columns, count(*)) arrives as a string by default, to keep
 * values above 2^53 exact; educred's counts and positions stay far below that, so they are
 * numbers here, as SQLite returns them. The parser is this pool's, not pg's global one.
 */
const PG_INT8 = 20;
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === PG_INT8 && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

export function postgresPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types: pgTypes });
  // An idle client losing its connection (the server restarted) must not crash the process;
  // the next query gets a new connection or a clear error.
  pool.on('error', () => {});
  return pool;
}

export function postgresKysely(pool: pg.Pool): Executor {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** The insertion-order position of a row: SQLite's rowid, PostgreSQL's `seq` identity column. */
export function seqOf(engine: Engine, table?: string): RawBuilder<number> {
  const column = engine === 'sqlite' ? 'rowid' : 'seq';
  return sql<number>`${sql.ref(table ? `${table}.${column}` : column)}`;
}

/**
 * A text value that is in `values`: one parameter, a JSON array, whatever its length (a status
 * filter can name tens of thousands of awards, beyond a query's parameter limit).
 */
export function inJsonArray(engine: Engine, column: string, values: readonly string[]): RawBuilder<boolean> {
  const json = JSON.stringify(values);
  return engine === 'sqlite'
    ? sql<boolean>`${sql.ref(column)} IN (SELECT value FROM json_each(${json}))`
    : sql<boolean>`${sql.ref(column)} IN (SELECT jsonb_array_elements_text(${json}::jsonb))`;
}

/**
 * Takes a lock named `name` until the transaction ends. PostgreSQL: a transaction-scoped
 * advisory lock, so nodes sharing the database take turns at what must happen once (a status
 * list's next indexes, starting a list, signing a list version). SQLite: nothing to do, every
 * transaction here already holds the database's write lock (BEGIN IMMEDIATE).
 */
export async function lockForTransaction(q: Executor, engine: Engine, name: string): Promise<void> {
  if (engine !== 'postgres') return;
  if (!q.isTransaction) throw new Error(`lockForTransaction('${name}') outside a transaction`);
  await sql`SELECT pg_advisory_xact_lock(hashtext(${name}))`.execute(q);
}

/** Runs `fn` in the caller's transaction, or in a new one when there is none. */
export function atomic<T>(q: Executor, fn: (trx: Executor) => Promise<T>): Promise<T> {
  return q.isTransaction ? fn(q) : q.transaction().execute(fn);
}
