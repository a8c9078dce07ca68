// The mail outbox repository: claim emails queued in the award's transaction and sent after
// commit by the delivery loop (src/mail/delivery.ts). A row holds the award id and the delivery
// state only; the message (with its claim link) is composed when it is sent.
import type { Db } from './db.js';

export type OutboxState = 'pending' | 'sent' | 'failed' | 'cancelled';

export interface OutboxRecord {
  id: number;
  awardId: string;
  kind: 'claim-link';
  state: OutboxState;
  /** Sending attempts started so far (a claimed row counts as attempted). */
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  messageId: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

interface OutboxRow {
  id: number;
  award_id: string;
  kind: 'claim-link';
  state: OutboxState;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  message_id: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

const fromRow = (r: OutboxRow): OutboxRecord => ({
  id: r.id,
  awardId: r.award_id,
  kind: r.kind,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  messageId: r.message_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  sentAt: r.sent_at,
});

/**
 * Queues the claim email of an award, due at once. Call inside the award's transaction, so the
 * message exists exactly when the award does. An award has one claim email: queueing it again
 * (an idempotent replay, a re-run batch) changes nothing. Returns true when a row was added.
 */
export function queueClaimEmail(db: Db, awardId: string, now = new Date()): boolean {
  const at = now.toISOString();
  const result = db
    .prepare(
      `INSERT INTO mail_outbox (award_id, kind, state, attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, 'claim-link', 'pending', 0, ?, ?, ?)
       ON CONFLICT (award_id, kind) DO NOTHING`,
    )
    .run(awardId, at, at, at);
  return result.changes === 1;
}

export function findClaimEmail(db: Db, awardId: string): OutboxRecord | undefined {
  const row = db.prepare("SELECT * FROM mail_outbox WHERE award_id = ? AND kind = 'claim-link'").get(awardId) as OutboxRow | undefined;
  return row && fromRow(row);
}

export function findOutboxRow(db: Db, id: number): OutboxRecord | undefined {
  const row = db.prepare('SELECT * FROM mail_outbox WHERE id = ?').get(id) as OutboxRow | undefined;
  return row && fromRow(row);
}

/**
 * Takes up to `limit` due rows for sending: each is leased (its next attempt moved to
 * `leaseUntil`) and its attempt counted in one compare-and-set, so two processes sharing the
 * database (the server and `educred issue --notify`) never send one message twice, and a
 * process that dies mid-send leaves the row to be retried when the lease ends.
 */
export function leaseDueRows(db: Db, now: Date, leaseUntil: Date, limit: number): OutboxRecord[] {
  const at = now.toISOString();
  return db.transaction(() => {
    const due = db
      .prepare("SELECT * FROM mail_outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?")
      .all(at, limit) as OutboxRow[];
    const lease = db.prepare(
      "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'pending' AND next_attempt_at <= ?",
    );
    return due.filter((r) => lease.run(leaseUntil.toISOString(), at, r.id, at).changes === 1).map((r) => fromRow({ ...r, attempts: r.attempts + 1 }));
  }).immediate();
}

export function markSent(db: Db, id: number, messageId: string | null, now = new Date()): void {
  const at = now.toISOString();
  db.prepare("UPDATE mail_outbox SET state = 'sent', message_id = ?, last_error = NULL, sent_at = ?, updated_at = ? WHERE id = ?").run(messageId, at, at, id);
}

/** A failed attempt with another to come at `nextAttemptAt`. */
export function markRetry(db: Db, id: number, error: string, nextAttemptAt: Date, now = new Date()): void {
  db.prepare("UPDATE mail_outbox SET state = 'pending', last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?").run(error, nextAttemptAt.toISOString(), now.toISOString(), id);
}

/** The last attempt failed (`failed`), or there is nothing left to send (`cancelled`, e.g. the badge was claimed). */
export function markGivenUp(db: Db, id: number, state: 'failed' | 'cancelled', reason: string, now = new Date()): void {
  db.prepare('UPDATE mail_outbox SET state = ?, last_error = ?, updated_at = ? WHERE id = ?').run(state, reason, now.toISOString(), id);
}

/** The earliest moment a pending row is due (undefined: nothing pending). */
export function nextDueAt(db: Db): string | undefined {
  return (db.prepare("SELECT MIN(next_attempt_at) FROM mail_outbox WHERE state = 'pending'").pluck().get() as string | null) ?? undefined;
}

export function outboxCounts(db: Db): Record<OutboxState, number> {
  const counts: Record<OutboxState, number> = { pending: 0, sent: 0, failed: 0, cancelled: 0 };
  for (const r of db.prepare('SELECT state, COUNT(*) AS n FROM mail_outbox GROUP BY state').all() as Array<{ state: OutboxState; n: number }>) counts[r.state] = r.n;
  return counts;
}

/** The claim emails of a batch's awards by state (GET /awards/batch/:id of a notify batch). */
export function claimEmailCountsForBatch(db: Db, batchId: string): Record<OutboxState, number> {
  const counts: Record<OutboxState, number> = { pending: 0, sent: 0, failed: 0, cancelled: 0 };
  const rows = db
    .prepare(
      `SELECT o.state AS state, COUNT(DISTINCT o.id) AS n FROM award_batch_rows r
       JOIN mail_outbox o ON o.award_id = r.award_id AND o.kind = 'claim-link'
       WHERE r.batch_id = ? GROUP BY o.state`,
    )
    .all(batchId) as Array<{ state: OutboxState; n: number }>;
  for (const r of rows) counts[r.state] = r.n;
  return counts;
}

/** Gives back a leased row that was not tried (the process is stopping): due again at once, the attempt not counted. */
export function releaseLease(db: Db, id: number, now = new Date()): void {
  const at = now.toISOString();
  db.prepare("UPDATE mail_outbox SET attempts = MAX(attempts - 1, 0), next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'pending'").run(at, at, id);
}
