// API tokens, stored as SHA-256 hashes with their scopes. A token is high-entropy random, so a
// plain (unsalted) hash is enough to make a stolen database useless for authentication.
// Revocation is a timestamp; every request looks its token up again, so a revoked token is
// refused by the very next request (nothing caches a token).
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { recordAudit } from './audit.js';
import type { Db } from './db.js';

export const SCOPES = ['issue', 'revoke', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Where a token came from: POST /tokens, `educred tokens create`, EDUCRED_ADMIN_TOKEN, or the first start. */
export type TokenOrigin = 'api' | 'cli' | 'env' | 'generated';

/** The names under which the service stores its own admin tokens, recognisable in listings. */
export const ENV_ADMIN_TOKEN_NAME = 'admin (EDUCRED_ADMIN_TOKEN)';
export const GENERATED_ADMIN_TOKEN_NAME = 'admin (generated at first start)';

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

export function createToken(
  db: Db,
  name: string,
  scopes: readonly Scope[],
  secret = newTokenSecret(),
  origin: TokenOrigin = 'api',
): { token: string; record: ApiToken } {
  const record: ApiToken = { id: randomUUID(), name, scopes: [...scopes] };
  db.prepare('INSERT INTO api_tokens (id, name, token_hash, scopes, created_at, origin) VALUES (?, ?, ?, ?, ?, ?)').run(
    record.id,
    name,
    hashToken(secret),
    scopes.join(' '),
    new Date().toISOString(),
    origin,
  );
  return { token: secret, record };
}

/**
 * Makes the token given in EDUCRED_ADMIN_TOKEN the one environment admin token. When it differs
 * from the stored environment token, the old one is revoked and the new one stored (audited),
 * so changing the variable replaces the admin token; tokens of other origins (the generated
 * first-start token, tokens created over HTTP or the CLI) are left alone. A secret that was
 * revoked before (or belongs to another token) is refused: a revocation is never undone.
 */
export function ensureEnvAdminToken(db: Db, secret: string, at = new Date()): void {
  db.transaction(() => {
    const hash = hashToken(secret);
    const existing = db.prepare('SELECT id, origin, revoked_at FROM api_tokens WHERE token_hash = ?').get(hash) as
      | { id: string; origin: TokenOrigin; revoked_at: string | null }
      | undefined;
    if (existing && (existing.origin !== 'env' || existing.revoked_at !== null)) {
      throw new RevokedAdminTokenError(
        existing.revoked_at !== null
          ? 'EDUCRED_ADMIN_TOKEN holds a token that was revoked; choose a new secret (a revoked token is never valid again)'
          : 'EDUCRED_ADMIN_TOKEN holds the secret of another API token; choose a secret of its own',
      );
    }
    const stale = db.prepare("SELECT id FROM api_tokens WHERE origin = 'env' AND revoked_at IS NULL AND token_hash <> ?").pluck().all(hash) as string[];
    for (const id of stale) {
      db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?').run(at.toISOString(), id);
      recordAudit(db, { actor: 'system', action: 'token.revoked', subject: `token:${id}`, detail: { reason: 'EDUCRED_ADMIN_TOKEN changed' } }, at);
    }
    if (!existing) {
      const { record } = createToken(db, ENV_ADMIN_TOKEN_NAME, ['admin'], secret, 'env');
      recordAudit(db, { actor: 'system', action: 'token.created', subject: `token:${record.id}`, detail: { name: record.name, scopes: record.scopes, origin: 'env' } }, at);
    }
  }).immediate();
}

export function countActiveTokens(db: Db): number {
  return db.prepare('SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL').pluck().get() as number;
}

/**
 * Finds the token for a presented secret. The lookup is by hash (an index), and the stored
 * hash is compared again in constant time so that timing does not reveal partial matches.
 */
export function findToken(db: Db, secret: string): ApiToken | undefined {
  const presented = hashToken(secret);
  const row = db
    .prepare('SELECT id, name, token_hash, scopes FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL')
    .get(presented) as { id: string; name: string; token_hash: string; scopes: string } | undefined;
  if (!row) return undefined;
  const a = Buffer.from(row.token_hash, 'hex');
  const b = Buffer.from(presented, 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
  return { id: row.id, name: row.name, scopes: parseScopes(row.scopes) };
}

const parseScopes = (text: string): Scope[] => text.split(' ').filter(Boolean) as Scope[];

interface TokenRow {
  seq: number;
  id: string;
  name: string;
  scopes: string;
  origin: TokenOrigin;
  created_at: string;
  revoked_at: string | null;
}

const fromRow = (r: TokenRow): TokenRecord & { seq: number } => ({
  seq: r.seq,
  id: r.id,
  name: r.name,
  scopes: parseScopes(r.scopes),
  origin: r.origin,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

const TOKEN_COLUMNS = 'rowid AS seq, id, name, scopes, origin, created_at, revoked_at';

/** Tokens in the order they were created, after the position `afterSeq` (a page of a listing). */
export function listTokens(db: Db, page: { afterSeq?: number | undefined; limit: number }): Array<TokenRecord & { seq: number }> {
  const rows = db
    .prepare(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE rowid > ? ORDER BY rowid LIMIT ?`)
    .all(page.afterSeq ?? 0, page.limit) as TokenRow[];
  return rows.map(fromRow);
}

export function findTokenRecord(db: Db, id: string): TokenRecord | undefined {
  const row = db.prepare(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE id = ?`).get(id) as TokenRow | undefined;
  if (!row) return undefined;
  const { seq: _seq, ...record } = fromRow(row);
  return record;
}

/**
 * Revokes a token (audited) in one immediate transaction. Revoking a revoked token changes
 * nothing; revoking the last active admin token is refused, so the service keeps an admin.
 */
export function revokeToken(db: Db, id: string, actor: string, at = new Date()): { token: TokenRecord; changed: boolean } {
  return db
    .transaction(() => {
      const token = findTokenRecord(db, id);
      if (!token) throw new UnknownTokenError(id);
      if (token.revokedAt !== null) return { token, changed: false };
      if (token.scopes.includes('admin')) {
        const admins = db.prepare("SELECT scopes FROM api_tokens WHERE revoked_at IS NULL AND id <> ?").pluck().all(id) as string[];
        if (!admins.some((s) => parseScopes(s).includes('admin'))) throw new LastAdminTokenError(id);
      }
      db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?').run(at.toISOString(), id);
      recordAudit(db, { actor, action: 'token.revoked', subject: `token:${id}`, detail: { name: token.name } }, at);
      return { token: { ...token, revokedAt: at.toISOString() }, changed: true };
    })
    .immediate();
}
