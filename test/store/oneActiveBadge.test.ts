// The database half of "one badge per recipient, achievement and level": the migration that
// records each award's recipient key, achieved level and revocation, backfilled from what older
// databases hold, and the unique index over the active awards that no second writer can pass.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openMigratedSqlite as openDatabase, type Db } from '../helpers/sqlite.js';

const tempFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'educred-one-badge-')), 'educred.sqlite');
const BEFORE = MIGRATIONS.filter((m) => m.version <= 4);

const credentialAt = (level: string): string =>
  JSON.stringify({ credentialSubject: { result: [{ type: ['Result'], achievedLevel: `http://localhost:3000/achievements/formative-assessment#level-${level}` }] } });

function insertLegacy(db: Db, id: string, fields: { did?: string; email?: string; level?: string; code?: string; at: string }): void {
  db.prepare(
    `INSERT INTO awards (id, credential_id, achievement_code, recipient_did, recipient_email, recipient_name, email_salt, credential_json, idempotency_key, request_hash, created_at)
     VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, NULL, ?, ?)`,
  ).run(id, `urn:uuid:${id}`, fields.code ?? 'formative-assessment', fields.did ?? null, fields.email ?? null, fields.level ? credentialAt(fields.level) : '{}', `hash-${id}`, fields.at);
}

interface Row {
  id: string;
  recipient_key: string | null;
  achieved_level: string | null;
  revoked_at: string | null;
  legacy_duplicate_of: string | null;
}
const rowsOf = (db: Db): Map<string, Row> =>
  new Map((db.prepare('SELECT id, recipient_key, achieved_level, revoked_at, legacy_duplicate_of FROM awards').all() as Row[]).map((r) => [r.id, r]));

describe('the one-active-badge migration', () => {
  it('backfills recipient key, achieved level (from the stored credential) and revocation (from the status bits), and marks earlier duplicates', () => {
    const file = tempFile();
    const old = openDatabase(file, BEFORE);
    insertLegacy(old, 'first', { did: 'did:example:ana', level: 'proficient', at: '2026-01-01T00:00:00Z' });
    insertLegacy(old, 'second', { did: 'did:example:ana', level: 'proficient', at: '2026-01-02T00:00:00Z' });
    insertLegacy(old, 'third', { did: 'did:example:ana', level: 'proficient', at: '2026-01-03T00:00:00Z' });
    insertLegacy(old, 'deeper', { did: 'did:example:ana', level: 'exemplary', at: '2026-01-04T00:00:00Z' });
    insertLegacy(old, 'mail', { email: 'Ben@Example.org', level: 'proficient', at: '2026-01-01T00:00:00Z' });
    insertLegacy(old, 'revoked', { did: 'did:example:cy', level: 'proficient', at: '2026-01-01T00:00:00Z' });
    insertLegacy(old, 'reissued', { did: 'did:example:cy', level: 'proficient', at: '2026-01-05T00:00:00Z' });
    insertLegacy(old, 'vcapi', { did: 'did:example:ana', code: 'vc-api:credential', at: '2026-01-01T00:00:00Z' });
    // 'revoked' holds index 13 of a revocation list whose bit 13 is set; 'reissued' index 14, clear.
    const bits = Buffer.alloc(16);
    bits[1] = 0b0000_0100; // index 13: byte 1, bit 7 - 5 (index 0 is the most significant bit)
    old.prepare("INSERT INTO status_lists (id, issuer, purpose, size, bits, version, created_at, updated_at) VALUES ('l1', 'did:example:issuer', 'revocation', 128, ?, 2, 'x', 'x')").run(bits);
    old.prepare("INSERT INTO status_entries (list_id, list_index, award_id, purpose) VALUES ('l1', 13, 'revoked', 'revocation'), ('l1', 14, 'reissued', 'revocation')").run();
    old.prepare("INSERT INTO audit_events (at, actor, action, subject) VALUES ('2026-01-04T10:00:00Z', 'cli', 'award.revoked', 'revoked')").run();
    old.close();

    const db = openDatabase(file);
    const rows = rowsOf(db);
    expect(rows.get('first')).toEqual({ id: 'first', recipient_key: 'did:example:ana', achieved_level: 'proficient', revoked_at: null, legacy_duplicate_of: null });
    expect(rows.get('second')?.legacy_duplicate_of).toBe('first');
    expect(rows.get('third')?.legacy_duplicate_of).toBe('first');
    expect(rows.get('deeper')).toMatchObject({ achieved_level: 'exemplary', legacy_duplicate_of: null });
    expect(rows.get('mail')).toMatchObject({ recipient_key: 'ben@example.org', achieved_level: 'proficient' });
    expect(rows.get('revoked')).toMatchObject({ revoked_at: '2026-01-04T10:00:00Z', legacy_duplicate_of: null });
    expect(rows.get('reissued')).toMatchObject({ revoked_at: null, legacy_duplicate_of: null });
    expect(rows.get('vcapi')).toMatchObject({ achieved_level: null });
    db.close();
  });

  it('refuses, in the database, a second active award for one recipient, achievement and level', () => {
    const db = openDatabase(tempFile());
    const insert = (id: string, level: string) =>
      db
        .prepare(
          `INSERT INTO awards (id, credential_id, achievement_code, recipient_did, credential_json, created_at, recipient_key, achieved_level)
           VALUES (?, ?, 'formative-assessment', 'did:example:dee', '{}', 'x', 'did:example:dee', ?)`,
        )
        .run(id, `urn:uuid:${id}`, level);
    insert('a', 'proficient');
    expect(() => insert('b', 'proficient')).toThrow(/UNIQUE constraint failed: awards\.recipient_key/);
    insert('c', 'exemplary');
    db.prepare("UPDATE awards SET revoked_at = 'y' WHERE id = 'a'").run();
    insert('d', 'proficient');
    expect(db.prepare('SELECT count(*) FROM awards').pluck().get()).toBe(3);
    db.close();
  });
});
