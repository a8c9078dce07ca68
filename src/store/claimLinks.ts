// The claim-links repository: one-time links that let an educator collect an award. Only the
// SHA-256 of a link's token is stored, so a copy of the database cannot claim anything.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from './db.js';

export interface ClaimLinkRecord {
  tokenHash: string;
  awardId: string;
  /** The DID-authentication challenge the wallet must sign (not a secret: it is in the deep link). */
  challenge: string;
  createdAt: string;
  expiresAt: string;
  replacedAt: string | null;
  spentAt: string | null;
  /** The wallet DID that claimed, or 'download'. */
  spentBy: string | null;
}

interface ClaimLinkRow {
  token_hash: string;
  award_id: string;
  challenge: string;
  created_at: string;
  expires_at: string;
  replaced_at: string | null;
  spent_at: string | null;
  spent_by: string | null;
}

const fromRow = (r: ClaimLinkRow): ClaimLinkRecord => ({
  tokenHash: r.token_hash,
  awardId: r.award_id,
  challenge: r.challenge,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  replacedAt: r.replaced_at,
  spentAt: r.spent_at,
  spentBy: r.spent_by,
});

/** 256 bits from the CSPRNG, URL-safe: unguessable, and short enough for a QR code. */
export function newClaimToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashClaimToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function findClaimLink(db: Db, token: string): ClaimLinkRecord | undefined {
  const row = db.prepare('SELECT * FROM claim_links WHERE token_hash = ?').get(hashClaimToken(token)) as ClaimLinkRow | undefined;
  return row && fromRow(row);
}

export function findSpentClaimLink(db: Db, awardId: string): ClaimLinkRecord | undefined {
  const row = db.prepare('SELECT * FROM claim_links WHERE award_id = ? AND spent_at IS NOT NULL').get(awardId) as ClaimLinkRow | undefined;
  return row && fromRow(row);
}

/**
 * Stores a new link for an award and retires its older unspent ones, in one transaction: an
 * award has at most one live link. Returns the token (shown once, never stored).
 */
export function insertClaimLink(db: Db, awardId: string, now: Date, expiresAt: Date): { token: string; record: ClaimLinkRecord } {
  const token = newClaimToken();
  const record: ClaimLinkRecord = {
    tokenHash: hashClaimToken(token),
    awardId,
    challenge: randomUUID(),
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    replacedAt: null,
    spentAt: null,
    spentBy: null,
  };
  db.transaction(() => {
    db.prepare('UPDATE claim_links SET replaced_at = ? WHERE award_id = ? AND spent_at IS NULL AND replaced_at IS NULL').run(record.createdAt, awardId);
    db.prepare(
      `INSERT INTO claim_links (token_hash, award_id, challenge, created_at, expires_at)
       VALUES (@tokenHash, @awardId, @challenge, @createdAt, @expiresAt)`,
    ).run(record);
  }).immediate();
  return { token, record };
}

/**
 * Marks a live link spent. The WHERE clause makes it a compare-and-set: of two concurrent
 * claims only one changes the row, so a link is spent exactly once. Call inside the claim's
 * transaction; returns false when the link was no longer live.
 */
export function spendClaimLink(db: Db, tokenHash: string, spentBy: string, at: Date): boolean {
  const result = db
    .prepare(
      `UPDATE claim_links SET spent_at = ?, spent_by = ?
       WHERE token_hash = ? AND spent_at IS NULL AND replaced_at IS NULL AND expires_at > ?`,
    )
    .run(at.toISOString(), spentBy, tokenHash, at.toISOString());
  return result.changes === 1;
}

/**
 * Replaces an award's stored credential with a newer version of the same credential (same id,
 * new `validFrom`, per OB 3.0): used when a claim binds an email-only award to a wallet DID.
 * It writes to the awards table, which src/store/awards.ts owns; it is here because only a
 * claim changes a stored credential.
 */
export function replaceAwardCredential(db: Db, awardId: string, credential: Record<string, unknown>): void {
  db.prepare('UPDATE awards SET credential_json = ? WHERE id = ?').run(JSON.stringify(credential), awardId);
}
