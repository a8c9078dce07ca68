// `educred tokens create --name N --scopes issue,revoke`: creates a scoped API token in the
// local database (as POST /tokens does over HTTP) and prints it once; only its hash is stored.
import type { Command } from 'commander';
import { recordAudit } from '../store/audit.js';
import { openDatabase } from '../store/db.js';
import { createToken, SCOPES, type Scope } from '../store/tokens.js';
import { CliError, loadCliConfig, printJson } from './io.js';

export interface CreateTokenOptions {
  name?: string | undefined;
  scopes?: string | undefined;
}

export function parseScopes(text: string | undefined): Scope[] {
  const scopes = [...new Set((text ?? '').split(/[\s,]+/).filter(Boolean))];
  if (scopes.length === 0) throw new CliError(`--scopes is required: a comma-separated list of ${SCOPES.join(', ')}`);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new CliError(`Unknown scope '${unknown[0]}': the scopes are ${SCOPES.join(', ')}`);
  return scopes as Scope[];
}

export function createTokenFromCli(options: CreateTokenOptions, env: NodeJS.ProcessEnv = process.env): { id: string; name: string; scopes: Scope[]; token: string } {
  const name = options.name?.trim();
  if (!name || name.length > 100) throw new CliError('--name is required (1 to 100 characters): who or what will use the token');
  const scopes = parseScopes(options.scopes);
  const config = loadCliConfig(env);
  const db = openDatabase(config.databaseFile);
  try {
    const { token, record } = createToken(db, name, scopes);
    recordAudit(db, { actor: 'cli', action: 'token.created', subject: `token:${record.id}`, detail: { name, scopes } });
    return { id: record.id, name, scopes, token };
  } finally {
    db.close();
  }
}

export function register(program: Command): void {
  const tokens = program.command('tokens').description('manage API tokens');
  tokens
    .command('create')
    .description('create a scoped API token and print it once (the database keeps only its hash)')
    .requiredOption('--name <name>', 'who or what uses the token, e.g. "registrar import"')
    .requiredOption('--scopes <list>', `comma-separated scopes: ${SCOPES.join(', ')}`)
    .action((options: CreateTokenOptions) => {
      printJson(createTokenFromCli(options));
    });
}
