// A SQLite file opened and migrated exactly as the store opens it (src/store/engine.ts,
// src/store/migrate.ts), for tests of the schema and its migrations that read tables directly.
import type BetterSqlite3 from 'better-sqlite3';
import { openSqliteFile } from '../../src/store/engine.js';
import { migrateSqlite } from '../../src/store/migrate.js';
import { MIGRATIONS, type Migration } from '../../src/store/migrations.js';

export type Db = BetterSqlite3.Database;

export function openMigratedSqlite(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  const db = openSqliteFile(file);
  try {
    migrateSqlite(db, migrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
