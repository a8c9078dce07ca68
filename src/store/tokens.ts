// API tokens, stored as SHA-256 hashes with their scopes. A token is high-entropy random, so a
// plain (unsalted) hash is enough to make a stolen database useless for authentication.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.js';

export const SCOPES = ['issue', 'revoke', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiToken {
  id: string;
  name: string;
  scopes: Scope[];
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newTokenSecret(): string {
  return `edc_${randomBytes(32).toString('base64url')}`;
}

export function createToken(db: Db, name: string, scopes: readonly Scope[], secret = newTokenSecret()): { token: string; record: ApiToken } {
  const record: ApiToken = { id: randomUUID(), name, scopes: [...scopes] };
  db.prepare('INSERT INTO api_tokens (id, name, token_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)').run(
    record.id,
    name,
    hashToken(secret),
    scopes.join(' '),
    new Date().toISOString(),
  );
  return { token: secret, record };
}

/** Ensures a token with this secret exists (for a token given in the environment). */
export function ensureToken(db: Db, name: string, scopes: readonly Scope[], secret: string): void {
  const exists = db.prepare('SELECT 1 FROM api_tokens WHERE token_hash = ?').get(hashToken(secret));
  if (!exists) createToken(db, name, scopes, secret);
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
  return { id: row.id, name: row.name, scopes: row.scopes.split(' ').filter(Boolean) as Scope[] };
}
