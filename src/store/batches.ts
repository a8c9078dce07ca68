// The award-batches repository: a bulk award job and one row per input line, so that a batch
// can be watched while it runs and resumed after a restart. A row's request is stored as
// validated; its idempotency key is what makes a re-run issue nothing twice.
import type { Db } from './db.js';

export const ROW_STATES = ['pending', 'issued', 'existing', 'invalid', 'rejected', 'duplicate', 'failed'] as const;
/**
 * pending: not yet processed; issued: awarded by this batch; existing: awarded earlier for the
 * same request (a re-run under the same batch id, or the same award made before by any entry
 * point); invalid: the row does not parse; rejected: the award was refused (unknown achievement,
 * mastery rule not met, the recipient holds this badge from another request: award_exists);
 * duplicate: the same award as an earlier line;
 * failed: an unexpected error (logged), retried when the batch is submitted again.
 */
export type RowState = (typeof ROW_STATES)[number];
export type BatchState = 'running' | 'done';
export type BatchSource = 'json' | 'csv';

export interface RowProblem {
  code: string;
  detail: string;
  errors?: Array<{ pointer: string; detail: string }> | undefined;
  [extension: string]: unknown;
}

export interface BatchRecord {
  id: string;
  actor: string;
  source: BatchSource;
  inputHash: string;
  total: number;
  state: BatchState;
  /** How many times the batch was submitted (a re-run keeps the id and adds one). */
  runs: number;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** Email each awarded row's claim link to its recipient (src/mail/). */
  notify: boolean;
}

export interface NewBatchRow {
  line: number;
  state: 'pending' | 'invalid' | 'duplicate';
  request?: unknown;
  idempotencyKey?: string | undefined;
  duplicateOf?: number | undefined;
  problem?: RowProblem | undefined;
}

export interface BatchRowRecord {
  line: number;
  state: RowState;
  request: unknown;
  idempotencyKey: string | null;
  awardId: string | null;
  credentialId: string | null;
  duplicateOf: number | null;
  problem: RowProblem | null;
}

interface BatchRow {
  id: string;
  actor: string;
  source: BatchSource;
  input_hash: string;
  total: number;
  state: BatchState;
  runs: number;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  notify: number;
}

interface RowRow {
  line: number;
  state: RowState;
  request_json: string | null;
  idempotency_key: string | null;
  award_id: string | null;
  credential_id: string | null;
  duplicate_of: number | null;
  errors_json: string | null;
}

const batchFromRow = (r: BatchRow): BatchRecord => ({
  id: r.id,
  actor: r.actor,
  source: r.source,
  inputHash: r.input_hash,
  total: r.total,
  state: r.state,
  runs: r.runs,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
  notify: r.notify === 1,
});

const rowFromRow = (r: RowRow): BatchRowRecord => ({
  line: r.line,
  state: r.state,
  request: r.request_json === null ? null : (JSON.parse(r.request_json) as unknown),
  idempotencyKey: r.idempotency_key,
  awardId: r.award_id,
  credentialId: r.credential_id,
  duplicateOf: r.duplicate_of,
  problem: r.errors_json === null ? null : (JSON.parse(r.errors_json) as RowProblem),
});

export function findBatch(db: Db, id: string): BatchRecord | undefined {
  const row = db.prepare('SELECT * FROM award_batches WHERE id = ?').get(id) as BatchRow | undefined;
  return row && batchFromRow(row);
}

/**
 * Stores a submission of a batch in one transaction: a new batch, or a re-run of an existing
 * one whose rows are replaced (their awards stay; the idempotency keys find them again).
 */
export function startBatch(
  db: Db,
  batch: { id: string; actor: string; source: BatchSource; inputHash: string; notify?: boolean | undefined },
  rows: readonly NewBatchRow[],
  now = new Date(),
): BatchRecord {
  const at = now.toISOString();
  const insertRow = db.prepare(
    `INSERT INTO award_batch_rows (batch_id, line, state, request_json, idempotency_key, duplicate_of, errors_json)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    db.prepare(
      `INSERT INTO award_batches (id, actor, source, input_hash, total, state, runs, created_at, updated_at, notify)
       VALUES (@id, @actor, @source, @inputHash, @total, 'running', 1, @at, @at, @notify)
       ON CONFLICT (id) DO UPDATE SET actor = excluded.actor, source = excluded.source, input_hash = excluded.input_hash,
         total = excluded.total, state = 'running', runs = runs + 1, updated_at = excluded.updated_at, finished_at = NULL, notify = excluded.notify`,
    ).run({ id: batch.id, actor: batch.actor, source: batch.source, inputHash: batch.inputHash, total: rows.length, at, notify: batch.notify ? 1 : 0 });
    db.prepare('DELETE FROM award_batch_rows WHERE batch_id = ?').run(batch.id);
    for (const r of rows) {
      insertRow.run(
        batch.id,
        r.line,
        r.state,
        r.request === undefined ? null : JSON.stringify(r.request),
        r.idempotencyKey ?? null,
        r.duplicateOf ?? null,
        r.problem ? JSON.stringify(r.problem) : null,
      );
    }
  }).immediate();
  const stored = findBatch(db, batch.id);
  if (!stored) throw new Error(`Batch ${batch.id} vanished after it was stored`);
  return stored;
}

export function pendingRows(db: Db, batchId: string): BatchRowRecord[] {
  return (
    db
      .prepare(
        `SELECT line, state, request_json, idempotency_key, award_id, NULL AS credential_id, duplicate_of, errors_json
         FROM award_batch_rows WHERE batch_id = ? AND state = 'pending' ORDER BY line`,
      )
      .all(batchId) as RowRow[]
  ).map(rowFromRow);
}

export function listRows(db: Db, batchId: string, options: { offset: number; limit: number; problemsOnly?: boolean }): BatchRowRecord[] {
  const filter = options.problemsOnly ? `AND r.state IN ('invalid', 'rejected', 'failed', 'duplicate')` : '';
  return (
    db
      .prepare(
        `SELECT r.line, r.state, NULL AS request_json, r.idempotency_key, r.award_id, a.credential_id, r.duplicate_of, r.errors_json
         FROM award_batch_rows r LEFT JOIN awards a ON a.id = r.award_id
         WHERE r.batch_id = ? ${filter} ORDER BY r.line LIMIT ? OFFSET ?`,
      )
      .all(batchId, options.limit, options.offset) as RowRow[]
  ).map(rowFromRow);
}

export function rowCounts(db: Db, batchId: string): Record<RowState, number> {
  const counts = Object.fromEntries(ROW_STATES.map((s) => [s, 0])) as Record<RowState, number>;
  const rows = db.prepare('SELECT state, count(*) AS n FROM award_batch_rows WHERE batch_id = ? GROUP BY state').all(batchId) as Array<{ state: RowState; n: number }>;
  for (const { state, n } of rows) counts[state] = n;
  return counts;
}

/** Records the outcome of one row. Called inside the award's transaction when it issues one. */
export function markRow(db: Db, batchId: string, line: number, outcome: { state: RowState; awardId?: string | undefined; problem?: RowProblem | undefined }): void {
  db.prepare('UPDATE award_batch_rows SET state = ?, award_id = ?, errors_json = ? WHERE batch_id = ? AND line = ?').run(
    outcome.state,
    outcome.awardId ?? null,
    outcome.problem ? JSON.stringify(outcome.problem) : null,
    batchId,
    line,
  );
}

export function finishBatch(db: Db, batchId: string, now = new Date()): void {
  const at = now.toISOString();
  db.prepare("UPDATE award_batches SET state = 'done', updated_at = ?, finished_at = ? WHERE id = ?").run(at, at, batchId);
}

export function touchBatch(db: Db, batchId: string, now = new Date()): void {
  db.prepare('UPDATE award_batches SET updated_at = ? WHERE id = ?').run(now.toISOString(), batchId);
}

/** Batches a crash or a stop left unfinished: the service resumes them when it starts. */
export function unfinishedBatches(db: Db): string[] {
  return db.prepare("SELECT id FROM award_batches WHERE state = 'running' ORDER BY created_at").pluck().all() as string[];
}
