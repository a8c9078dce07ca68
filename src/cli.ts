#!/usr/bin/env node
// The `educred` executable (package.json "bin"): runs the command line of src/cli/program.ts.
// Input and configuration mistakes end with one message on stderr and exit code 1; anything
// else is a bug and keeps its stack trace.
import { buildProgram } from './cli/program.js';
import { CliError } from './cli/io.js';
import { ConfigError } from './config.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CliError || error instanceof ConfigError) {
      process.stderr.write(`educred: ${error.message}\n`);
      process.exitCode = error instanceof CliError ? error.exitCode : 1;
    } else {
      process.stderr.write(`educred: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 70; // EX_SOFTWARE
    }
  });
