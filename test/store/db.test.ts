// The database is opened with the durability settings awards rely on, and migrations are
// versioned, applied once, and atomic.
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openMigratedSqlite as openDatabase } from '../helpers/sqlite.js';

const tempFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'educred-db-')), 'educred.sqlite');

const modeOf = (file: string): string => (statSync(file).mode & 0o777).toString(8);

/** Runs `fn` under the common default umask 022, so a file created without a mode would be 0644. */
function withUmask022<T>(fn: () => T): T {
  const previous = process.umask(0o022);
  try {
    return fn();
  } finally {
    process.umask(previous);
  }
}

describe('the database and its WAL files are readable by the owner only (0600)', () => {
  it('creates the database, -wal and -shm 0600 in a data folder that already exists', () => {
    const file = tempFile();
    expect(existsSync(path.dirname(file))).toBe(true);
    const db = withUmask022(() => openDatabase(file));
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(9999, 'probe', 'now');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      expect(existsSync(f), f).toBe(true);
      expect(modeOf(f), f).toBe('600');
    }
    db.close();
  });

  it('tightens a database (and its WAL files) an earlier version left 0644', () => {
    const file = tempFile();
    withUmask022(() => openDatabase(file)).close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      if (!existsSync(f)) writeFileSync(f, '', { flag: 'a' });
      chmodSync(f, 0o644);
    }
    const db = withUmask022(() => openDatabase(file));
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f), f).toBe('600');
    db.close();
  });
});

describe('openDatabase', () => {
  it('uses WAL, synchronous=FULL and foreign keys', () => {
    const db = openDatabase(tempFile());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('applies every migration once, in order, and re-opening changes nothing', () => {
    const file = tempFile();
    openDatabase(file).close();
    const db = openDatabase(file);
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version).sort((a, b) => a - b));
    db.close();
  });

  it('rolls a failing migration back whole, leaving the earlier schema usable', () => {
    const file = tempFile();
    const broken = [...MIGRATIONS, { version: 999, name: 'broken', sqlite: 'CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;', postgres: 'CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;' }];
    expect(() => openDatabase(file, broken)).toThrow(/no_such_table/);
    const db = openDatabase(file);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    db.close();
  });
});
