// The store port: the repositories of each area and a unit of work, async, with SQLite (the
// embedded default) and PostgreSQL (DATABASE_URL) behind it. Domain code receives a `Store`
// (or, inside `transaction`, the same repositories bound to the transaction) and never sees a
// driver, a dialect or an engine's error code: uniqueness comes back as UniqueConflictError.
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { AuditRepository } from './audit.js';
import { AwardsRepository } from './awards.js';
import { BatchesRepository } from './batches.js';
import { ClaimLinksRepository } from './claimLinks.js';
import { ConsoleRepository } from './console.js';
import { DecisionsRepository } from './decisions.js';
import { EducatorPagesRepository } from './educatorPages.js';
import { EducatorsRepository } from './educators.js';
import { ImportsRepository } from './imports.js';
import { IssuerKeysRepository } from './issuerKeys.js';
import { openSqliteFile, postgresKysely, postgresPool, sqliteKysely, type Engine, type Executor, type StoreLocation } from './engine.js';
import { translateStoreError } from './errors.js';
import { MailOutboxRepository } from './mailOutbox.js';
import { migratePostgres, migrateSqlite, missingVersions, type MigrationReport } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { ProgramsRepository } from './programs.js';
import { Oid4vciGrantsRepository } from './oid4vciGrants.js';
import { PresentationRequestsRepository } from './presentationRequests.js';
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
  readonly educators: EducatorsRepository;
  readonly issuerKeys: IssuerKeysRepository;
  readonly programs: ProgramsRepository;
  readonly console: ConsoleRepository;
  readonly oid4vciGrants: Oid4vciGrantsRepository;
  readonly presentationRequests: PresentationRequestsRepository;
  readonly decisions: DecisionsRepository;
  readonly educatorPages: EducatorPagesRepository;
  readonly imports: ImportsRepository;
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
    educators: new EducatorsRepository(q, engine),
    issuerKeys: new IssuerKeysRepository(q, engine),
    programs: new ProgramsRepository(q),
    console: new ConsoleRepository(q),
    oid4vciGrants: new Oid4vciGrantsRepository(q),
    presentationRequests: new PresentationRequestsRepository(q, engine),
    decisions: new DecisionsRepository(q, engine),
    educatorPages: new EducatorPagesRepository(q),
    imports: new ImportsRepository(q, engine),
  };
}

export interface OpenStoreOptions {
  /** Apply missing migrations while opening (default true; `educred db check` reads without). */
  migrate?: boolean | undefined;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number | undefined;
}

/**
 * One SQLite connection per file in a process. better-sqlite3 waits for a lock synchronously
 * (busy_timeout), so two connections of one process would deadlock as soon as one awaited
 * inside a transaction while the other began one: the waiter blocks the thread the holder needs.
 * Stores of one process on one file share a connection (and Kysely's queue of transactions);
 * other processes (the CLI beside the server) have their own, and wait for the lock as before.
 */
interface SharedSqlite {
  db: BetterSqlite3.Database;
  kysely: Executor;
  users: number;
}
const sharedSqlite = new Map<string, SharedSqlite>();

function acquireSqlite(file: string, migrate: boolean): SharedSqlite {
  const key = file === ':memory:' ? undefined : path.resolve(file);
  const existing = key && sharedSqlite.get(key);
  if (existing) {
    existing.users++;
    return existing;
  }
  const db = openSqliteFile(file);
  try {
    if (migrate) migrateSqlite(db);
  } catch (error) {
    db.close();
    throw error;
  }
  const shared: SharedSqlite = { db, kysely: sqliteKysely(db), users: 1 };
  if (key) sharedSqlite.set(key, shared);
  return shared;
}

async function releaseSqlite(file: string, shared: SharedSqlite): Promise<void> {
  shared.users--;
  if (shared.users > 0) return;
  if (file !== ':memory:') sharedSqlite.delete(path.resolve(file));
  // Kysely's destroy closes the connection.
  await shared.kysely.destroy();
  if (shared.db.open) shared.db.close();
}

export async function openStore(location: StoreLocation, options: OpenStoreOptions = {}): Promise<Store> {
  const shouldMigrate = options.migrate ?? true;
  let kysely: Executor;
  let runMigrations: () => Promise<MigrationReport>;
  let sqlite: { file: string; shared: SharedSqlite } | undefined;
  if (location.engine === 'sqlite') {
    // Migrated when the file's connection is first opened in this process (the migration runner
    // takes SQLite's write lock, so another process migrating at once waits, then finds it done).
    const shared = acquireSqlite(location.file, shouldMigrate);
    sqlite = { file: location.file, shared };
    runMigrations = () => shared.kysely.connection().execute(async () => migrateSqlite(shared.db));
    kysely = shared.kysely;
  } else {
    const p = postgresPool(location.url, options.poolSize);
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
      return open && (sqlite ? sqlite.shared.db.open : true);
    },
    async close() {
      if (!open) return;
      open = false;
      // SQLite: the file's connection closes with its last store; PostgreSQL: the pool ends.
      if (sqlite) await releaseSqlite(sqlite.file, sqlite.shared);
      else await kysely.destroy();
    },
  };
}
