// `educred tokens create --name N --scopes issue,revoke`: creates a scoped API token in the
// local database (as POST /tokens does over HTTP) and prints it once; only its hash is stored.
// `educred tokens list [--json]` shows the tokens (never a hash or secret) and
// `educred tokens revoke <id>` revokes one (as DELETE /tokens/:id), audited.
import type { Command } from 'commander';
import { tokenView } from '../http/tokens.js';
import { recordAudit } from '../store/audit.js';
import { openDatabase, type Db } from '../store/db.js';
import { createToken, LastAdminTokenError, listTokens, revokeToken, SCOPES, UnknownTokenError, type Scope, type TokenRecord } from '../store/tokens.js';
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
    const { token, record } = createToken(db, name, scopes, undefined, 'cli');
    recordAudit(db, { actor: 'cli', action: 'token.created', subject: `token:${record.id}`, detail: { name, scopes } });
    return { id: record.id, name, scopes, token };
  } finally {
    db.close();
  }
}

function withDatabase<T>(env: NodeJS.ProcessEnv, work: (db: Db) => T): T {
  const db = openDatabase(loadCliConfig(env).databaseFile);
  try {
    return work(db);
  } finally {
    db.close();
  }
}

export function listTokensFromCli(env: NodeJS.ProcessEnv = process.env): TokenRecord[] {
  return withDatabase(env, (db) => {
    const all: TokenRecord[] = [];
    for (let page = listTokens(db, { limit: 500 }); page.length > 0; page = listTokens(db, { afterSeq: page.at(-1)?.seq, limit: 500 })) {
      for (const { seq: _seq, ...token } of page) all.push(token);
    }
    return all;
  });
}

export function revokeTokenFromCli(id: string, env: NodeJS.ProcessEnv = process.env): { token: TokenRecord; changed: boolean } {
  return withDatabase(env, (db) => {
    try {
      return revokeToken(db, id, 'cli');
    } catch (error) {
      if (error instanceof UnknownTokenError || error instanceof LastAdminTokenError) throw new CliError(error.message, 1, { cause: error });
      throw error;
    }
  });
}

/** One line per token: id, state, scopes, created, name. */
export function formatTokens(tokens: readonly TokenRecord[]): string {
  if (tokens.length === 0) return 'No tokens.';
  return tokens
    .map((t) => [t.id, t.revokedAt ? `revoked ${t.revokedAt}` : 'active', t.scopes.join(','), `created ${t.createdAt}`, t.name].join('  '))
    .join('\n');
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
  tokens
    .command('list')
    .description('list the API tokens: id, name, scopes, created, revoked (never a secret or hash)')
    .option('--json', 'print the tokens as JSON')
    .action((options: { json?: boolean }) => {
      const list = listTokensFromCli();
      if (options.json) printJson(list.map(tokenView));
      else process.stdout.write(formatTokens(list) + '\n');
    });
  tokens
    .command('revoke <id>')
    .description('revoke an API token at once (the last active admin token cannot be revoked)')
    .action((id: string) => {
      const { token, changed } = revokeTokenFromCli(id);
      printJson({ ...tokenView(token), changed });
    });
}
