// `educred serve`: starts the HTTP service exactly as `npm start` does (configuration from
// the environment: PORT, BASE_URL, EDUCRED_*).
import type { Command } from 'commander';
import { ConfigError } from '../config.js';
import { startServer } from '../server.js';
import { CliError } from './io.js';

export function register(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP service (configured by PORT, BASE_URL and EDUCRED_* variables)')
    .action(async () => {
      await startServer().catch((error: unknown) => {
        // A configuration mistake is the user's to fix: one message, no stack trace.
        if (error instanceof ConfigError) throw new CliError(error.message, 1, { cause: error });
        throw error;
      });
    });
}
