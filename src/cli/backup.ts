// `educred backup FILE`: a consistent copy of the SQLite database while the service runs
// (SQLite's online backup API, through better-sqlite3: pages are copied in steps and the copy is
// one point in time, whatever the server writes meanwhile). The copy is written 0600 and never
// over an existing file. It holds what the database holds, no secret key: the issuer key (file
// or token) and the claim-link secret (`keys/claim-links.key`) are backed up apart, as secrets.
// PostgreSQL is backed up with its own tools (pg_dump), which the message says.
import { chmodSync, closeSync, existsSync, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Command } from 'commander';
import { CliError, loadCliConfig, printJson } from './io.js';

export interface BackupReport {
  file: string;
  bytes: number;
  pages: number;
}

export async function backupFromCli(target: string, env: NodeJS.ProcessEnv = process.env): Promise<BackupReport> {
  const config = loadCliConfig(env);
  if (config.databaseUrl) {
    throw new CliError('educred backup copies the SQLite database; this service uses PostgreSQL (DATABASE_URL): back it up with pg_dump (for example pg_dump --format=custom --file=educred.dump "$DATABASE_URL") and restore with pg_restore');
  }
  const file = path.resolve(target);
  if (!existsSync(config.databaseFile)) throw new CliError(`No database at ${config.databaseFile} (EDUCRED_DATA_DIR): nothing to back up`);
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${file} already exists; refusing to overwrite it (choose another file)`, 1, { cause: error });
    throw new CliError(`Cannot write ${file}: ${(error as Error).message}`, 1, { cause: error });
  }
  // A reader of its own: the online backup takes shared locks step by step, and WAL mode lets the
  // running service write meanwhile. The copy starts as an empty 0600 file: it holds hashed tokens
  // and salted recipient emails, like the database.
  const source = new BetterSqlite3(config.databaseFile, { readonly: true, fileMustExist: true });
  let pages = 0;
  try {
    await source.backup(file, {
      progress: ({ totalPages }) => {
        pages = totalPages;
        return 256;
      },
    });
  } catch (error) {
    rmSync(file, { force: true });
    throw new CliError(`The backup failed: ${(error as Error).message}`, 1, { cause: error });
  } finally {
    source.close();
  }
  chmodSync(file, 0o600);
  const copy = new BetterSqlite3(file, { fileMustExist: true });
  try {
    // The copy is a database of its own: whole, and in rollback-journal mode so one file is all of it.
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new CliError(`The backup at ${file} fails SQLite's integrity check: ${String(check)}`);
    copy.pragma('journal_mode = DELETE');
    const bytes = (copy.pragma('page_count', { simple: true }) as number) * (copy.pragma('page_size', { simple: true }) as number);
    return { file, bytes, pages: pages || (copy.pragma('page_count', { simple: true }) as number) };
  } finally {
    copy.close();
  }
}

export function register(program: Command): void {
  program
    .command('backup <file>')
    .description('copy the SQLite database (online, consistent, 0600) to FILE; for PostgreSQL use pg_dump. Back up the issuer key and keys/claim-links.key apart')
    .action(async (file: string) => {
      printJson(await backupFromCli(file));
    });
}
