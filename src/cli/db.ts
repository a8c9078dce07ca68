// `educred db migrate` and `educred db check`: the database the configuration names
// (DATABASE_URL, or the SQLite file in EDUCRED_DATA_DIR), without starting the service.
import type { Command } from 'commander';
import { storeLocation } from '../store/engine.js';
import { checkIntegrity, type IntegrityReport } from '../store/integrity.js';
import type { MigrationReport } from '../store/migrate.js';
import { openStore } from '../store/store.js';
import { CliError, loadCliConfig, printJson } from './io.js';

export async function migrateFromCli(env: NodeJS.ProcessEnv = process.env): Promise<MigrationReport> {
  const config = loadCliConfig(env);
  // Opened without migrating, then migrated under the lock: the report says what this call applied.
  const store = await openStore(storeLocation(config.databaseUrl, config.databaseFile), { migrate: false });
  try {
    return await store.migrate();
  } finally {
    await store.close();
  }
}

export async function checkFromCli(env: NodeJS.ProcessEnv = process.env): Promise<IntegrityReport> {
  const config = loadCliConfig(env);
  const store = await openStore(storeLocation(config.databaseUrl, config.databaseFile), { migrate: false });
  try {
    const schema = await store.schemaState().catch(() => ({ missing: [0] }));
    if (schema.missing.length > 0) throw new CliError('The database schema is not current: run `educred db migrate` (or start the service) first');
    return await checkIntegrity(store);
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  const db = program.command('db').description('the database: migrations and integrity');
  db.command('migrate')
    .description('apply the migrations the database lacks (the service also does at start, under the same lock)')
    .action(async () => {
      const report = await migrateFromCli();
      process.stdout.write(report.applied.length > 0 ? `Applied migrations ${report.applied.join(', ')}; the schema is at version ${report.version}.\n` : `The schema is current (version ${report.version}).\n`);
    });
  db.command('check')
    .description("check that every award's status entries exist and no status index is shared (exit 1 when not)")
    .option('--json', 'print {ok, awards, statusEntries, problems} as JSON')
    .action(async (options: { json?: boolean }) => {
      const report = await checkFromCli();
      if (options.json) printJson(report);
      else {
        process.stdout.write(`${report.awards} awards, ${report.statusEntries} status entries: ${report.ok ? 'clean' : `${report.problems.length} problems`}\n`);
        for (const p of report.problems) process.stdout.write(`  ${p.kind}: ${p.detail}\n`);
      }
      if (!report.ok) process.exitCode = 1;
    });
}
