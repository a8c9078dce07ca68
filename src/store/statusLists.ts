// The status lists repository: one row per Bitstring Status List (its bits, a version that
// grows with every change, and the last signed credential with the version it was signed at),
// and one row per allocated index. PRIMARY KEY (list_id, list_index) is what makes an index impossible
// to hand out twice, whatever the allocator believes.
import type { Db } from './db.js';

export type StatusPurpose = 'revocation' | 'suspension';
export const STATUS_PURPOSES: readonly StatusPurpose[] = ['revocation', 'suspension'];

export interface StatusListRow {
  id: string;
  issuer: string;
  purpose: StatusPurpose;
  size: number;
  version: number;
  signedVersion: number | null;
  createdAt: string;
}

export interface StatusEntryRow {
  listId: string;
  index: number;
  awardId: string;
  purpose: StatusPurpose;
}

interface ListRow {
  id: string;
  issuer: string;
  purpose: StatusPurpose;
  size: number;
  version: number;
  signed_version: number | null;
  created_at: string;
}

const fromRow = (r: ListRow): StatusListRow => ({
  id: r.id,
  issuer: r.issuer,
  purpose: r.purpose,
  size: r.size,
  version: r.version,
  signedVersion: r.signed_version,
  createdAt: r.created_at,
});

export function insertStatusList(db: Db, list: { id: string; issuer: string; purpose: StatusPurpose; size: number }, at = new Date()): void {
  db.prepare(
    `INSERT INTO status_lists (id, issuer, purpose, size, bits, version, created_at, updated_at)
     VALUES (?, ?, ?, ?, zeroblob(?), 1, ?, ?)`,
  ).run(list.id, list.issuer, list.purpose, list.size, list.size / 8, at.toISOString(), at.toISOString());
}

export function findStatusList(db: Db, id: string): StatusListRow | undefined {
  const row = db.prepare('SELECT id, issuer, purpose, size, version, signed_version, created_at FROM status_lists WHERE id = ?').get(id) as ListRow | undefined;
  return row && fromRow(row);
}

/** Lists of an issuer and purpose that still have unallocated indexes, oldest first, with how many are used. */
export function openStatusLists(db: Db, issuer: string, purpose: StatusPurpose): Array<StatusListRow & { used: number }> {
  const rows = db
    .prepare(
      `SELECT l.id, l.issuer, l.purpose, l.size, l.version, l.signed_version, l.created_at,
              (SELECT count(*) FROM status_entries e WHERE e.list_id = l.id) AS used
       FROM status_lists l WHERE l.issuer = ? AND l.purpose = ? ORDER BY l.created_at, l.rowid`,
    )
    .all(issuer, purpose) as Array<ListRow & { used: number }>;
  return rows.filter((r) => r.used < r.size).map((r) => ({ ...fromRow(r), used: r.used }));
}

export function readStatusBits(db: Db, id: string): { bits: Uint8Array; version: number } | undefined {
  const row = db.prepare('SELECT bits, version FROM status_lists WHERE id = ?').get(id) as { bits: Buffer; version: number } | undefined;
  return row && { bits: new Uint8Array(row.bits), version: row.version };
}

/** Stores changed bits and returns the new version (call inside the change's transaction). */
export function writeStatusBits(db: Db, id: string, bits: Uint8Array, at = new Date()): number {
  return db
    .prepare('UPDATE status_lists SET bits = ?, version = version + 1, updated_at = ? WHERE id = ? RETURNING version')
    .pluck()
    .get(Buffer.from(bits), at.toISOString(), id) as number;
}

export function signedStatusList(db: Db, id: string): { json: string; version: number } | undefined {
  const row = db.prepare('SELECT signed_json, signed_version FROM status_lists WHERE id = ?').get(id) as { signed_json: string | null; signed_version: number | null } | undefined;
  return row?.signed_json && row.signed_version !== null ? { json: row.signed_json, version: row.signed_version } : undefined;
}

/** Keeps a signed list unless a newer version is already stored (two signers racing). */
export function storeSignedStatusList(db: Db, id: string, json: string, version: number): void {
  db.prepare('UPDATE status_lists SET signed_json = ?, signed_version = ? WHERE id = ? AND (signed_version IS NULL OR signed_version < ?)').run(json, version, id, version);
}

export function insertStatusEntry(db: Db, entry: StatusEntryRow): void {
  db.prepare('INSERT INTO status_entries (list_id, list_index, award_id, purpose) VALUES (?, ?, ?, ?)').run(entry.listId, entry.index, entry.awardId, entry.purpose);
}

export function takenIndexes(db: Db, listId: string): number[] {
  return db.prepare('SELECT list_index FROM status_entries WHERE list_id = ?').pluck().all(listId) as number[];
}

/** Entries stored after `rowid` (by this or another process), for an allocator to catch up. */
export function entriesAfter(db: Db, rowid: number): Array<{ rowid: number; listId: string; index: number }> {
  return db.prepare('SELECT rowid, list_id AS listId, list_index AS "index" FROM status_entries WHERE rowid > ? ORDER BY rowid').all(rowid) as Array<{
    rowid: number;
    listId: string;
    index: number;
  }>;
}

export function lastEntryRowid(db: Db): number {
  return (db.prepare('SELECT coalesce(max(rowid), 0) FROM status_entries').pluck().get() as number) ?? 0;
}

export function statusEntriesOfAward(db: Db, awardId: string): StatusEntryRow[] {
  return db
    .prepare('SELECT list_id AS listId, list_index AS "index", award_id AS awardId, purpose FROM status_entries WHERE award_id = ? ORDER BY purpose')
    .all(awardId) as StatusEntryRow[];
}

export function findStatusEntry(db: Db, listId: string, index: number): StatusEntryRow | undefined {
  return db
    .prepare('SELECT list_id AS listId, list_index AS "index", award_id AS awardId, purpose FROM status_entries WHERE list_id = ? AND list_index = ?')
    .get(listId, index) as StatusEntryRow | undefined;
}
