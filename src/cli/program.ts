// The `educred` command line: one module per command, each exporting `register(program)`.
// Adding a command is one import and one entry in COMMANDS.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import * as backup from './backup.js';
import * as db from './db.js';
import * as educators from './educators.js';
import * as endorse from './endorse.js';
import * as issue from './issue.js';
import * as keys from './keys.js';
import * as license from './license.js';
import * as revoke from './revoke.js';
import * as serve from './serve.js';
import * as sign from './sign.js';
import * as tokens from './tokens.js';
import * as verify from './verify.js';

export interface CliCommand {
  register(program: Command): void;
}

const COMMANDS: CliCommand[] = [keys, sign, issue, serve, tokens, revoke, endorse, verify, db, backup, educators, license];

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export function buildProgram(): Command {
  const program = new Command('educred')
    .description('Issue and verify Open Badges 3.0 credentials for educator competencies')
    .version(packageVersion())
    .showHelpAfterError();
  for (const command of COMMANDS) command.register(program);
  return program;
}
