// `educred tokens create --name N --scopes issue,revoke`: creates a scoped API token in the
// local database (as POST /tokens does over HTTP) and prints it once; only its hash is stored.
// `educred tokens list [--json]` shows the tokens (never a hash or secret) and
// `educred tokens revoke <id>` revokes one (as DELETE /tokens/:id), audited.
import type { Command } from 'commander';
import { tokenView } from '../http/tokens.js';
import { storeLocation } from '../store/engine.js';
import { openStore, type Store } from '../store/store.js';
import { LastAdminTokenError, SCOPES, UnknownTokenError, type Scope, type TokenRecord } from '../store/tokens.js';
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

async function withStore<T>(env: NodeJS.ProcessEnv, work: (store: Store) => Promise<T>): Promise<T> {
  const config = loadCliConfig(env);
  const store = await openStore(storeLocation(config.databaseUrl, config.databaseFile));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export async function createTokenFromCli(options: CreateTokenOptions, env: NodeJS.ProcessEnv = process.env): Promise<{ id: string; name: string; scopes: Scope[]; token: string }> {
  const name = options.name?.trim();
  if (!name || name.length > 100) throw new CliError('--name is required (1 to 100 characters): who or what will use the token');
  const scopes = parseScopes(options.scopes);
  return withStore(env, (store) =>
    store.transaction(async (tx) => {
      const { token, record } = await tx.tokens.create(name, scopes, undefined, 'cli');
      await tx.audit.record({ actor: 'cli', action: 'token.created', subject: `token:${record.id}`, detail: { name, scopes } });
      return { id: record.id, name, scopes, token };
    }),
  );
}

export async function listTokensFromCli(env: NodeJS.ProcessEnv = process.env): Promise<TokenRecord[]> {
  return withStore(env, async (store) => {
    const all: TokenRecord[] = [];
    for (let page = await store.tokens.list({ limit: 500 }); page.length > 0; page = await store.tokens.list({ afterSeq: page.at(-1)?.seq, limit: 500 })) {
      for (const { seq: _seq, ...token } of page) all.push(token);
    }
    return all;
  });
}

export async function revokeTokenFromCli(id: string, env: NodeJS.ProcessEnv = process.env): Promise<{ token: TokenRecord; changed: boolean }> {
  return withStore(env, async (store) => {
    try {
      return await store.tokens.revoke(id, 'cli');
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
    .action(async (options: CreateTokenOptions) => {
      printJson(await createTokenFromCli(options));
    });
  tokens
    .command('list')
    .description('list the API tokens: id, name, scopes, created, revoked (never a secret or hash)')
    .option('--json', 'print the tokens as JSON')
    .action(async (options: { json?: boolean }) => {
      const list = await listTokensFromCli();
      if (options.json) printJson(list.map(tokenView));
      else process.stdout.write(formatTokens(list) + '\n');
    });
  tokens
    .command('revoke <id>')
    .description('revoke an API token at once (the last active admin token cannot be revoked)')
    .action(async (id: string) => {
      const { token, changed } = await revokeTokenFromCli(id);
      printJson({ ...tokenView(token), changed });
    });
}
