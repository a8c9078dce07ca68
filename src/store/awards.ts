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

// ---- Listing awards (GET /awards): filters, status sets, cursor positions. ----

/** An award as a listing shows it: no credential body, no salt, no idempotency data. */
export interface AwardSummary {
  /** Position in the listing (the row's insertion order), for cursors. */
  seq: number;
  id: string;
  credentialId: string;
  achievementCode: string;
  recipientDid: string | null;
  recipientEmail: string | null;
  recipientName: string | null;
  createdAt: string;
}

export interface AwardListQuery {
  recipientDid?: string | undefined;
  recipientEmail?: string | undefined;
  achievementCode?: string | undefined;
  /** Only these award ids (a status filter). */
  onlyIds?: readonly string[] | undefined;
  /** None of these award ids (the `active` status filter). */
  exceptIds?: readonly string[] | undefined;
  /** Awards stored before this position (newest first). */
  beforeSeq?: number | undefined;
  limit: number;
}

/** Awards newest first, every given filter applied (they combine). */
export function listAwardSummaries(db: Db, query: AwardListQuery): AwardSummary[] {
  const where = ['rowid < ?'];
  const params: Array<string | number> = [query.beforeSeq ?? Number.MAX_SAFE_INTEGER];
  const add = (clause: string, value: string | number): void => {
    where.push(clause);
    params.push(value);
  };
  if (query.recipientDid !== undefined) add('recipient_did = ?', query.recipientDid);
  if (query.recipientEmail !== undefined) add('recipient_email = ?', query.recipientEmail);
  if (query.achievementCode !== undefined) add('achievement_code = ?', query.achievementCode);
  if (query.onlyIds !== undefined) add('id IN (SELECT value FROM json_each(?))', JSON.stringify(query.onlyIds));
  if (query.exceptIds !== undefined && query.exceptIds.length > 0) add('id NOT IN (SELECT value FROM json_each(?))', JSON.stringify(query.exceptIds));
  return db
    .prepare(
      `SELECT rowid AS seq, id, credential_id AS credentialId, achievement_code AS achievementCode, recipient_did AS recipientDid,
              recipient_email AS recipientEmail, recipient_name AS recipientName, created_at AS createdAt
       FROM awards WHERE ${where.join(' AND ')} ORDER BY rowid DESC LIMIT ?`,
    )
    .all(...params, query.limit) as AwardSummary[];
}

/** Every status list's bits with its purpose (few rows: one list holds 131,072 awards). */
export function allStatusListBits(db: Db): Array<{ id: string; purpose: string; bits: Uint8Array }> {
  const rows = db.prepare('SELECT id, purpose, bits FROM status_lists').all() as Array<{ id: string; purpose: string; bits: Buffer }>;
  return rows.map((r) => ({ id: r.id, purpose: r.purpose, bits: new Uint8Array(r.bits) }));
}

/** The awards holding these status entries (list id and index). */
export function awardIdsAtStatusEntries(db: Db, entries: ReadonlyArray<{ listId: string; index: number }>): string[] {
  if (entries.length === 0) return [];
  return db
    .prepare(
      `SELECT e.award_id FROM json_each(?) j
       JOIN status_entries e ON e.list_id = json_extract(j.value, '$[0]') AND e.list_index = json_extract(j.value, '$[1]')`,
    )
    .pluck()
    .all(JSON.stringify(entries.map((e) => [e.listId, e.index]))) as string[];
}
