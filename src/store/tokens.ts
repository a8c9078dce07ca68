// API tokens, stored as SHA-256 hashes with their scopes. A token is high-entropy random, so a
// plain (unsalted) hash is enough to make a stolen database useless for authentication.
// Revocation is a timestamp; every request looks its token up again, so a revoked token is
// refused by the very next request (nothing caches a token).
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AuditRepository } from './audit.js';
import { atomic, lockForTransaction, seqOf, type Engine, type Executor } from './engine.js';
import { translateStoreError } from './errors.js';

export const SCOPES = ['issue', 'revoke', 'observe', 'verify', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Where a token came from: POST /tokens, `educred tokens create`, EDUCRED_ADMIN_TOKEN, or the first start. */
export type TokenOrigin = 'api' | 'cli' | 'env' | 'generated';

/** The names under which the service stores its own admin tokens, recognisable in listings. */
export const ENV_ADMIN_TOKEN_NAME = 'admin (EDUCRED_ADMIN_TOKEN)';
export const GENERATED_ADMIN_TOKEN_NAME = 'admin (generated at first start)';
export const ENV_VERIFY_TOKEN_NAME = 'verify (EDUCRED_VERIFY_TOKEN)';

export interface ApiToken {
  id: string;
  name: string;
  scopes: Scope[];
}

/** A token as an admin sees it in a listing: never its hash or secret. */
export interface TokenRecord extends ApiToken {
  origin: TokenOrigin;
  createdAt: string;
  revokedAt: string | null;
}

export class UnknownTokenError extends Error {
  constructor(readonly tokenId: string) {
    super(`No token '${tokenId}'`);
  }
}

export class LastAdminTokenError extends Error {
  constructor(readonly tokenId: string) {
    super(`Token '${tokenId}' is the last active admin token; create another admin token before revoking it, so the service is never locked out`);
  }
}

export class RevokedAdminTokenError extends Error {}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newTokenSecret(): string {
  return `edc_${randomBytes(32).toString('base64url')}`;
}

const parseScopes = (text: string): Scope[] => text.split(' ').filter(Boolean) as Scope[];

interface TokenRow {
  seq: number;
  id: string;
  name: string;
  scopes: string;
  origin: string;
  created_at: string;
  revoked_at: string | null;
}

const fromRow = (r: TokenRow): TokenRecord & { seq: number } => ({
  seq: Number(r.seq),
  id: r.id,
  name: r.name,
  scopes: parseScopes(r.scopes),
  origin: r.origin as TokenOrigin,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export class TokensRepository {
  constructor(
    private readonly q: Executor,
    private readonly engine: Engine,
  ) {}

  private records() {
    return this.q.selectFrom('api_tokens').select([seqOf(this.engine).as('seq'), 'id', 'name', 'scopes', 'origin', 'created_at', 'revoked_at']);
  }

  async create(name: string, scopes: readonly Scope[], secret = newTokenSecret(), origin: TokenOrigin = 'api'): Promise<{ token: string; record: ApiToken }> {
    const record: ApiToken = { id: randomUUID(), name, scopes: [...scopes] };
    try {
      await this.q
        .insertInto('api_tokens')
        .values({ id: record.id, name, token_hash: hashToken(secret), scopes: scopes.join(' '), created_at: new Date().toISOString(), revoked_at: null, origin })
        .execute();
    } catch (error) {
      throw translateStoreError(error);
    }
    return { token: secret, record };
  }

  /**
   * Makes the token given in EDUCRED_ADMIN_TOKEN the one environment admin token. When it differs
   * from the stored environment token, the old one is revoked and the new one stored (audited),
   * so changing the variable replaces the admin token; tokens of other origins (the generated
   * first-start token, tokens created over HTTP or the CLI) are left alone. A secret that was
   * revoked before (or belongs to another token) is refused: a revocation is never undone.
   * Nodes starting together take turns (a lock), so the token is stored once.
   */
  async ensureEnvAdminToken(secret: string, at = new Date()): Promise<void> {
    await this.ensureEnvToken(secret, ENV_ADMIN_TOKEN_NAME, ['admin'], 'EDUCRED_ADMIN_TOKEN', at);
  }

  /** The same for EDUCRED_VERIFY_TOKEN: the one environment token with the verify scope. */
  async ensureEnvVerifyToken(secret: string, at = new Date()): Promise<void> {
    await this.ensureEnvToken(secret, ENV_VERIFY_TOKEN_NAME, ['verify'], 'EDUCRED_VERIFY_TOKEN', at);
  }

  /** An environment token of one name: replaces the earlier one of that name (revoked, audited). */
  private async ensureEnvToken(secret: string, name: string, scopes: readonly Scope[], variable: string, at: Date): Promise<void> {
    await atomic(this.q, async (trx) => {
      await lockForTransaction(trx, this.engine, 'admin-token');
      const hash = hashToken(secret);
      const existing = await trx.selectFrom('api_tokens').select(['id', 'name', 'origin', 'revoked_at']).where('token_hash', '=', hash).executeTakeFirst();
      if (existing && (existing.origin !== 'env' || existing.name !== name || existing.revoked_at !== null)) {
        throw new RevokedAdminTokenError(
          existing.revoked_at !== null
            ? `${variable} holds a token that was revoked; choose a new secret (a revoked token is never valid again)`
            : `${variable} holds the secret of another API token; choose a secret of its own`,
        );
      }
      const audit = new AuditRepository(trx);
      const stale = await trx.selectFrom('api_tokens').select('id').where('origin', '=', 'env').where('name', '=', name).where('revoked_at', 'is', null).where('token_hash', '<>', hash).execute();
      for (const { id } of stale) {
        await trx.updateTable('api_tokens').set({ revoked_at: at.toISOString() }).where('id', '=', id).execute();
        await audit.record({ actor: 'system', action: 'token.revoked', subject: `token:${id}`, detail: { reason: `${variable} changed` } }, at);
      }
      if (!existing) {
        const { record } = await new TokensRepository(trx, this.engine).create(name, scopes, secret, 'env');
        await audit.record({ actor: 'system', action: 'token.created', subject: `token:${record.id}`, detail: { name: record.name, scopes: record.scopes, origin: 'env' } }, at);
      }
    });
  }

  /**
   * The first start's admin token: created (and returned, to be printed once) when no active
   * token exists. Nodes starting together on an empty database create one between them.
   */
  async createFirstAdminToken(): Promise<string | undefined> {
    return atomic(this.q, async (trx) => {
      await lockForTransaction(trx, this.engine, 'admin-token');
      const repo = new TokensRepository(trx, this.engine);
      if ((await repo.countActive()) > 0) return undefined;
      return (await repo.create(GENERATED_ADMIN_TOKEN_NAME, ['admin'], undefined, 'generated')).token;
    });
  }

  async countActive(): Promise<number> {
    const row = await this.q.selectFrom('api_tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Finds the token for a presented secret. The lookup is by hash (an index), and the stored
   * hash is compared again in constant time so that timing does not reveal partial matches.
   */
  async find(secret: string): Promise<ApiToken | undefined> {
    const presented = hashToken(secret);
    const row = await this.q.selectFrom('api_tokens').select(['id', 'name', 'token_hash', 'scopes']).where('token_hash', '=', presented).where('revoked_at', 'is', null).executeTakeFirst();
    if (!row) return undefined;
    const a = Buffer.from(row.token_hash, 'hex');
    const b = Buffer.from(presented, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    return { id: row.id, name: row.name, scopes: parseScopes(row.scopes) };
  }

  /** Tokens in the order they were created, after the position `afterSeq` (a page of a listing). */
  async list(page: { afterSeq?: number | undefined; limit: number }): Promise<Array<TokenRecord & { seq: number }>> {
    const seq = seqOf(this.engine);
    const rows = await this.records().where(seq, '>', page.afterSeq ?? 0).orderBy(seq).limit(page.limit).execute();
    return rows.map(fromRow);
  }

  async findRecord(id: string): Promise<TokenRecord | undefined> {
    const row = await this.records().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const { seq: _seq, ...record } = fromRow(row);
    return record;
  }

  /**
   * Revokes a token (audited) in one transaction. Revoking a revoked token changes nothing;
   * revoking the last active admin token is refused, so the service keeps an admin (the lock
   * makes two nodes revoking the last two admin tokens at once take turns).
   */
  async revoke(id: string, actor: string, at = new Date()): Promise<{ token: TokenRecord; changed: boolean }> {
    return atomic(this.q, async (trx) => {
      await lockForTransaction(trx, this.engine, 'admin-token');
      const repo = new TokensRepository(trx, this.engine);
      const token = await repo.findRecord(id);
      if (!token) throw new UnknownTokenError(id);
      if (token.revokedAt !== null) return { token, changed: false };
      if (token.scopes.includes('admin')) {
        const others = await trx.selectFrom('api_tokens').select('scopes').where('revoked_at', 'is', null).where('id', '<>', id).execute();
        if (!others.some((r) => parseScopes(r.scopes).includes('admin'))) throw new LastAdminTokenError(id);
      }
      await trx.updateTable('api_tokens').set({ revoked_at: at.toISOString() }).where('id', '=', id).execute();
      await new AuditRepository(trx).record({ actor, action: 'token.revoked', subject: `token:${id}`, detail: { name: token.name } }, at);
      return { token: { ...token, revokedAt: at.toISOString() }, changed: true };
    });
  }
}
