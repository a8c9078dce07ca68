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
