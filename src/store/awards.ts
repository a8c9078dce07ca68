// The awards repository: one row per issued credential, with the recipient as the program
// knows it (the email stays here, the credential carries only its salted hash).
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
});

export function insertAward(db: Db, a: AwardRecord): void {
  db.prepare(
    `INSERT INTO awards (id, credential_id, achievement_code, recipient_did, recipient_email, recipient_name,
       email_salt, credential_json, idempotency_key, request_hash, created_at)
     VALUES (@id, @credentialId, @achievementCode, @recipientDid, @recipientEmail, @recipientName,
       @emailSalt, @credentialJson, @idempotencyKey, @requestHash, @createdAt)`,
  ).run({ ...a, credentialJson: JSON.stringify(a.credential) });
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
