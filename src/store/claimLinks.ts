// The claim-links repository: one-time links that let an educator collect an award. Only the
// SHA-256 of a link's token is stored (with the link id the token is derived from, see
// src/claims/claimSecret.ts), so a copy of the database cannot claim anything.
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from './db.js';

export interface ClaimLinkRecord {
  tokenHash: string;
  /** What the token is derived from; null for links made before link ids (random tokens). */
  linkId: string | null;
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
  link_id: string | null;
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
  linkId: r.link_id,
  awardId: r.award_id,
  challenge: r.challenge,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  replacedAt: r.replaced_at,
  spentAt: r.spent_at,
  spentBy: r.spent_by,
});

/** A new link's id (not a secret: without the claim secret it yields no token). */
export const newClaimLinkId = (): string => randomUUID();

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

/** The award's newest link that is neither spent, replaced nor expired at `now`. */
export function findLiveClaimLinkOfAward(db: Db, awardId: string, now: Date): ClaimLinkRecord | undefined {
  const row = db
    .prepare(
      `SELECT * FROM claim_links WHERE award_id = ? AND spent_at IS NULL AND replaced_at IS NULL AND expires_at > ?
       ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    )
    .get(awardId, now.toISOString()) as ClaimLinkRow | undefined;
  return row && fromRow(row);
}

export interface NewClaimLink {
  awardId: string;
  linkId: string;
  /** SHA-256 of the token (hashClaimToken); the token itself is never stored. */
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * Stores a new link for an award and retires its older unspent ones, in one transaction (a
 * savepoint inside the caller's, e.g. the award's own): an award has at most one live link.
 */
export function insertClaimLink(db: Db, link: NewClaimLink): ClaimLinkRecord {
  const record: ClaimLinkRecord = {
    tokenHash: link.tokenHash,
    linkId: link.linkId,
    awardId: link.awardId,
    challenge: randomUUID(),
    createdAt: link.createdAt.toISOString(),
    expiresAt: link.expiresAt.toISOString(),
    replacedAt: null,
    spentAt: null,
    spentBy: null,
  };
  db.transaction(() => {
    db.prepare('UPDATE claim_links SET replaced_at = ? WHERE award_id = ? AND spent_at IS NULL AND replaced_at IS NULL').run(record.createdAt, link.awardId);
    db.prepare(
      `INSERT INTO claim_links (token_hash, link_id, award_id, challenge, created_at, expires_at)
       VALUES (@tokenHash, @linkId, @awardId, @challenge, @createdAt, @expiresAt)`,
    ).run(record);
  }).immediate();
  return record;
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
