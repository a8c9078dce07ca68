// The store port: the repositories of each area and a unit of work, async, with SQLite (the
// embedded default) and PostgreSQL (DATABASE_URL) behind it. Domain code receives a `Store`
// (or, inside `transaction`, the same repositories bound to the transaction) and never sees a
// driver, a dialect or an engine's error code: uniqueness comes back as UniqueConflictError.
import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type pg from 'pg';
import { AuditRepository } from './audit.js';
import { AwardsRepository } from './awards.js';
import { BatchesRepository } from './batches.js';
import { ClaimLinksRepository } from './claimLinks.js';
import { openSqliteFile, postgresKysely, postgresPool, sqliteKysely, type Engine, type Executor, type StoreLocation } from './engine.js';
import { translateStoreError } from './errors.js';
import { MailOutboxRepository } from './mailOutbox.js';
import { migratePostgres, migrateSqlite, missingVersions, type MigrationReport } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { StatusListsRepository } from './statusLists.js';
import { TokensRepository } from './tokens.js';

export interface Repositories {
  readonly awards: AwardsRepository;
  readonly statusLists: StatusListsRepository;
  readonly batches: BatchesRepository;
  readonly claimLinks: ClaimLinksRepository;
  readonly tokens: TokensRepository;
  readonly audit: AuditRepository;
  readonly mail: MailOutboxRepository;
}

export interface SchemaState {
  /** Versions applied to the database, in order. */
  applied: number[];
  /** Versions this code knows that the database lacks (empty: current). */
  missing: number[];
}

export interface Store extends Repositories {
  readonly engine: Engine;
  /**
   * Runs `fn` as one unit of work: everything it writes through `tx` commits together, or
   * nothing does (an error rolls back and is rethrown, a uniqueness refusal as
   * UniqueConflictError). On SQLite units of work take turns; on PostgreSQL they run at READ
   * COMMITTED, and the repositories lock what a read-modify-write needs.
   */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Answers when the database does (GET /ready). */
  ping(): Promise<void>;
  schemaState(): Promise<SchemaState>;
  /** Applies missing migrations under the migration lock (`educred db migrate`). */
  migrate(): Promise<MigrationReport>;
  readonly isOpen: boolean;
  close(): Promise<void>;
  /** The query builder itself, for operations tooling and tests that inspect tables. */
  readonly kysely: Executor;
}

function repositories(q: Executor, engine: Engine): Repositories {
  return {
    awards: new AwardsRepository(q, engine),
    statusLists: new StatusListsRepository(q, engine),
    batches: new BatchesRepository(q, engine),
    claimLinks: new ClaimLinksRepository(q, engine),
    tokens: new TokensRepository(q, engine),
    audit: new AuditRepository(q),
    mail: new MailOutboxRepository(q),
  };
}

export interface OpenStoreOptions {
  /** Apply missing migrations while opening (default true; `educred db check` reads without). */
  migrate?: boolean | undefined;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number | undefined;
}

export async function openStore(location: StoreLocation, options: OpenStoreOptions = {}): Promise<Store> {
  const shouldMigrate = options.migrate ?? true;
  let kysely: Executor;
  let runMigrations: () => Promise<MigrationReport>;
  let sqlite: BetterSqlite3.Database | undefined;
  let pool: pg.Pool | undefined;
  if (location.engine === 'sqlite') {
    const db = openSqliteFile(location.file);
    sqlite = db;
    // Migrations first, through the driver: Kysely's connection is opened after them.
    runMigrations = () => Promise.resolve(migrateSqlite(db));
    if (shouldMigrate) await runMigrations();
    kysely = sqliteKysely(db);
  } else {
    const p = postgresPool(location.url, options.poolSize);
    pool = p;
    runMigrations = () => migratePostgres(p);
    try {
      if (shouldMigrate) await runMigrations();
    } catch (error) {
      await p.end();
      throw error;
    }
    kysely = postgresKysely(p);
  }
  const engine = location.engine;
  let open = true;
  return {
    engine,
    kysely,
    ...repositories(kysely, engine),
    async transaction(fn) {
      try {
        return await kysely.transaction().execute((trx) => fn(repositories(trx, engine)));
      } catch (error) {
        throw translateStoreError(error);
      }
    },
    async ping() {
      await sql`SELECT 1`.execute(kysely);
    },
    async schemaState() {
      const rows = await kysely.selectFrom('schema_migrations').select('version').orderBy('version').execute();
      const applied = rows.map((r) => r.version);
      return { applied, missing: missingVersions(applied, MIGRATIONS) };
    },
    migrate: () => runMigrations(),
    get isOpen() {
      return open && (sqlite ? sqlite.open : true);
    },
    async close() {
      if (!open) return;
      open = false;
      // Kysely's destroy closes the SQLite connection or ends the PostgreSQL pool.
      await kysely.destroy();
      if (sqlite?.open) sqlite.close();
      void pool;
    },
  };
}
