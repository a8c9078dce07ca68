// Applies the migration history (src/store/migrations.ts) under a lock, so that nodes starting
// together on one database migrate it once: SQLite takes its write lock (BEGIN IMMEDIATE) and
// PostgreSQL a transaction-scoped advisory lock, and each reads which versions are applied only
// once it holds the lock. Each engine runs its migrations through its own driver (a migration
// is several statements, which only the drivers' multi-statement calls take).
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { MIGRATIONS, type Migration } from './migrations.js';

export interface MigrationReport {
  /** Versions applied by this call (empty: the schema was current). */
  applied: number[];
  /** The newest version of the schema after the call. */
  version: number;
}

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`;

const sorted = (migrations: readonly Migration[]): Migration[] => [...migrations].sort((a, b) => a.version - b.version);

/** The schema is newer than this code knows: an older node must not run against it. */
export class SchemaTooNewError extends Error {
  constructor(readonly known: number, readonly found: number) {
    super(`The database schema is at version ${found}, newer than this educred knows (${known}); run the newer version`);
  }
}

function check(applied: ReadonlySet<number>, migrations: readonly Migration[]): void {
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const found = Math.max(0, ...applied);
  if (found > known) throw new SchemaTooNewError(known, found);
}

export function migrateSqlite(db: BetterSqlite3.Database, migrations: readonly Migration[] = MIGRATIONS): MigrationReport {
  db.exec(`${MIGRATIONS_TABLE} STRICT`);
  return db
    .transaction((): MigrationReport => {
      const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
      check(applied, migrations);
      const done: number[] = [];
      for (const m of sorted(migrations)) {
        if (applied.has(m.version)) continue;
        if (typeof m.sqlite === 'string') db.exec(m.sqlite);
        else m.sqlite(db);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
        done.push(m.version);
      }
      return { applied: done, version: Math.max(0, ...applied, ...done) };
    })
    .immediate();
}

/** The advisory lock key of migrations (any fixed 64-bit number; this one is "educred\0" read as one). */
const MIGRATION_LOCK = '7306093565483246592';

export async function migratePostgres(pool: pg.Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationReport> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK}::bigint)`);
      await client.query(MIGRATIONS_TABLE);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((r) => r.version));
      check(applied, migrations);
      const done: number[] = [];
      for (const m of sorted(migrations)) {
        if (applied.has(m.version)) continue;
        await client.query(m.postgres);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
        done.push(m.version);
      }
      await client.query('COMMIT');
      return { applied: done, version: Math.max(0, ...applied, ...done) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    client.release();
  }
}

/** The versions the code knows that the database has not applied (empty: current). */
export function missingVersions(applied: readonly number[], migrations: readonly Migration[] = MIGRATIONS): number[] {
  const have = new Set(applied);
  return sorted(migrations)
    .map((m) => m.version)
    .filter((v) => !have.has(v));
}
