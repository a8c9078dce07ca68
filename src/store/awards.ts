// The awards repository: one row per issued credential, with the recipient as the program
// knows it (the email stays here, the credential carries only its salted hash). An active award
// (not revoked) is unique per recipient key, achievement and achieved level (migration 5).
import type { Db } from './db.js';

export interface AwardRecord {
  id: string;
  credentialId: string;
  achievementCode: string;
  recipientDid: string | null;
  recipientEmail: string | null;
  recipientName: string | null;
  emailSalt: string | null;
  credential: Record<string, unknown>;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: string;
  /** The recipient as the one-badge rule compares it: the DID as given, or the normalised email. */
  recipientKey?: string | null | undefined;
  /** The rubric level the credential reports (NULL for VC-API credentials). */
  achievedLevel?: string | null | undefined;
  /** When the award was revoked (mirrors its revocation bit); read only. */
  revokedAt?: string | null | undefined;
}

interface AwardRow {
  id: string;
  credential_id: string;
  achievement_code: string;
  recipient_did: string | null;
  recipient_email: string | null;
  recipient_name: string | null;
  email_salt: string | null;
  credential_json: string;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: string;
  recipient_key: string | null;
  achieved_level: string | null;
  revoked_at: string | null;
}

const fromRow = (r: AwardRow): AwardRecord => ({
  id: r.id,
  credentialId: r.credential_id,
  achievementCode: r.achievement_code,
  recipientDid: r.recipient_did,
  recipientEmail: r.recipient_email,
  recipientName: r.recipient_name,
  emailSalt: r.email_salt,
  credential: JSON.parse(r.credential_json) as Record<string, unknown>,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  createdAt: r.created_at,
  recipientKey: r.recipient_key,
  achievedLevel: r.achieved_level,
  revokedAt: r.revoked_at,
});

export function insertAward(db: Db, a: AwardRecord): void {
  db.prepare(
    `INSERT INTO awards (id, credential_id, achievement_code, recipient_did, recipient_email, recipient_name,
       email_salt, credential_json, idempotency_key, request_hash, created_at, recipient_key, achieved_level)
     VALUES (@id, @credentialId, @achievementCode, @recipientDid, @recipientEmail, @recipientName,
       @emailSalt, @credentialJson, @idempotencyKey, @requestHash, @createdAt, @recipientKey, @achievedLevel)`,
  ).run({
    id: a.id,
    credentialId: a.credentialId,
    achievementCode: a.achievementCode,
    recipientDid: a.recipientDid,
    recipientEmail: a.recipientEmail,
    recipientName: a.recipientName,
    emailSalt: a.emailSalt,
    credentialJson: JSON.stringify(a.credential),
    idempotencyKey: a.idempotencyKey,
    requestHash: a.requestHash,
    createdAt: a.createdAt,
    recipientKey: a.recipientKey ?? null,
    achievedLevel: a.achievedLevel ?? null,
  });
}

/**
 * The recipient's awards of an achievement that are not revoked, oldest first (awards issued
 * twice before the one-badge rule included, so the rule holds for them too).
 */
export function findActiveAwards(db: Db, recipientKey: string, achievementCode: string): AwardRecord[] {
  const rows = db
    .prepare('SELECT * FROM awards WHERE recipient_key = ? AND achievement_code = ? AND revoked_at IS NULL ORDER BY created_at, rowid')
    .all(recipientKey, achievementCode) as AwardRow[];
  return rows.map(fromRow);
}

/** Records a revocation on the award row (call inside the revocation's transaction). */
export function markAwardRevoked(db: Db, awardId: string, at: Date): void {
  db.prepare('UPDATE awards SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at.toISOString(), awardId);
}

/** True when `error` is the one-active-badge index refusing a second award. */
export function isOneBadgeViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === 'SQLITE_CONSTRAINT_UNIQUE' && (e.message ?? '').includes('awards.recipient_key');
}

export function findAward(db: Db, id: string): AwardRecord | undefined {
  const row = db.prepare('SELECT * FROM awards WHERE id = ?').get(id) as AwardRow | undefined;
  return row && fromRow(row);
}

export function findAwardByCredentialId(db: Db, credentialId: string): AwardRecord | undefined {
  const row = db.prepare('SELECT * FROM awards WHERE credential_id = ?').get(credentialId) as AwardRow | undefined;
  return row && fromRow(row);
}

export function findAwardByIdempotencyKey(db: Db, key: string): AwardRecord | undefined {
  const row = db.prepare('SELECT * FROM awards WHERE idempotency_key = ?').get(key) as AwardRow | undefined;
  return row && fromRow(row);
}

export function countAwards(db: Db): number {
  return db.prepare('SELECT count(*) FROM awards').pluck().get() as number;
}
