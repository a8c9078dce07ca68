// Runs bulk award batches: stores a submission's rows, then awards the pending ones a few at a
// time (signing goes to the issuer, which is the worker pool in the server) and records each
// row's outcome. Progress lives in SQLite, so a batch cut short by a stop or a crash is resumed
// when the service starts again; the rows' idempotency keys make the resumed run skip awards
// that were already made.
import type { Logger } from 'pino';
import { addClaimLink, ensureClaimLink, type ClaimLinkDeps } from '../claims/claimLink.js';
import type { MailDelivery } from '../mail/delivery.js';
import { recordAudit } from '../store/audit.js';
import { queueClaimEmail } from '../store/mailOutbox.js';
import { findBatch, finishBatch, markRow, pendingRows, startBatch, unfinishedBatches, type BatchRecord, type BatchRowRecord, type BatchSource, type RowProblem, type RowState } from '../store/batches.js';
import { AwardRequestSchema } from './awardRequest.js';
import { prepareBatchRows, type RawBatchRow } from './batchInput.js';
import { shortfallPointer } from '../competencies/mastery.js';
import { AwardExistsError, IdempotencyConflictError, InvalidAwardError, MasteryNotMetError, UnknownAchievementError } from './errors.js';
import { createGroupCommitter } from './groupCommit.js';
import { awardUrl, prepareAward, type AwardDeps } from './issueAward.js';

export interface BatchRunnerDeps extends AwardDeps, Pick<ClaimLinkDeps, 'claimSecret' | 'claimTtlDays'> {
  logger: Logger;
  /** Rows awarded at once: enough to keep every signing worker busy (pool size × a few). */
  concurrency?: number | undefined;
  /** Woken when a notify batch queued claim emails (src/mail/). */
  mail?: Pick<MailDelivery, 'wake'> | undefined;
}

export interface BatchSubmission {
  batchId: string;
  actor: string;
  source: BatchSource;
  rows: readonly RawBatchRow[];
  /** Email each awarded row's claim link to its recipient (queued with the award). */
  notify?: boolean | undefined;
}

export interface RunOptions {
  /** Called after each row is decided (for a progress bar). */
  onRow?: ((state: RowState, line: number) => void) | undefined;
}

export interface BatchRunner {
  /** Stores the rows and starts awarding them; `done` settles when the run ends. */
  submit(submission: BatchSubmission, options?: RunOptions): { batch: BatchRecord; done: Promise<void>; resumed: boolean };
  /** Awards the batch's pending rows (joins the run already going in this process, if any). */
  run(batchId: string, options?: RunOptions): Promise<void>;
  isRunning(batchId: string): boolean;
  /** Resumes, in the background, every batch a stop or a crash left unfinished; returns their ids. */
  resumeUnfinished(): string[];
  /** Stops taking new rows and waits for the rows being awarded; the rest stays pending. */
  close(): Promise<void>;
}

/** No row of the submission can be awarded: nothing is stored, the caller gets every row's problem. */
export class NothingToIssueError extends Error {
  readonly code = 'nothing_to_issue';
  constructor(readonly problems: Array<{ line: number; problem: RowProblem }>) {
    super(`No row of the batch can be awarded (${problems.length} rows with problems)`);
  }
}

/** The batch id is running with other rows: a second submission waits until it ends. */
export class BatchBusyError extends Error {
  readonly code = 'batch_busy';
  constructor(readonly batchId: string) {
    super(`Batch '${batchId}' is still running with other rows; submit again when it is done (GET /awards/batch/${batchId})`);
  }
}

/** A refused award as a row problem: the same words as POST /awards would answer. */
function rowProblem(baseUrl: string, error: unknown): RowProblem | undefined {
  if (error instanceof UnknownAchievementError) return { code: error.code, detail: error.message, errors: [{ pointer: '/achievement', detail: error.message }] };
  if (error instanceof MasteryNotMetError) {
    return { code: error.code, detail: error.message, missing: error.shortfalls, errors: error.shortfalls.map((s) => ({ pointer: shortfallPointer(s.field), detail: s.detail })) };
  }
  if (error instanceof InvalidAwardError) return { code: error.code, detail: error.message, errors: [{ pointer: `/${error.field}`, detail: error.message }] };
  if (error instanceof IdempotencyConflictError) return { code: error.code, detail: error.message };
  // One badge per recipient, achievement and level: the row names the award the recipient holds.
  if (error instanceof AwardExistsError) return { code: error.code, detail: error.message, existingAwardId: error.existing.id, existingAwardUrl: awardUrl(baseUrl, error.existing.id) };
  return undefined;
}

export function createBatchRunner(deps: BatchRunnerDeps): BatchRunner {
  const { db, logger } = deps;
  const concurrency = Math.max(1, deps.concurrency ?? 4);
  const active = new Map<string, Promise<void>>();
  let stopping = false;

  const committer = createGroupCommitter(db);
  const claims: ClaimLinkDeps = { db, baseUrl: deps.baseUrl, claimSecret: deps.claimSecret, claimTtlDays: deps.claimTtlDays, now: deps.now };

  /**
   * A row awarded earlier (a re-run, a replayed key): it keeps its live claim link, or gets one;
   * a notify batch asks for its claim email (queued once per award).
   */
  function markExisting(batch: BatchRecord, row: BatchRowRecord, awardId: string): void {
    db.transaction(() => {
      markRow(db, batch.id, row.line, { state: 'existing', awardId });
      ensureClaimLink(claims, awardId);
      if (batch.notify) queueClaimEmail(db, awardId);
    }).immediate();
    if (batch.notify) deps.mail?.wake();
  }

  function settle(batch: BatchRecord, row: BatchRowRecord, error: unknown): RowState {
    const problem = rowProblem(deps.baseUrl, error);
    if (problem) {
      markRow(db, batch.id, row.line, { state: 'rejected', problem });
      return 'rejected';
    }
    logger.error({ err: error, batchId: batch.id, line: row.line }, 'batch row failed');
    markRow(db, batch.id, row.line, { state: 'failed', problem: { code: 'internal_error', detail: 'The award failed unexpectedly; it has been logged. Submit the batch again to retry.' } });
    return 'failed';
  }

  /**
   * Signs one row's award, then hands it to the group committer and returns at once, so the
   * lane can start signing the next row while this one waits for its group's transaction.
   * Resolves `stored` with the row's final state.
   */
  async function awardRow(batch: BatchRecord, row: BatchRowRecord): Promise<{ stored: Promise<RowState> }> {
    try {
      const request = AwardRequestSchema.parse(row.request);
      const prepared = await prepareAward(deps, request, {
        actor: batch.actor,
        idempotencyKey: row.idempotencyKey ?? undefined,
        // Inside the group's transaction: the row is marked, its claim link made (and, for a notify
        // batch, its claim email queued) exactly when its award is stored.
        onStored: (award) => {
          markRow(db, batch.id, row.line, { state: 'issued', awardId: award.id });
          addClaimLink(claims, award.id);
          if (batch.notify) queueClaimEmail(db, award.id);
        },
      });
      if (!('write' in prepared)) {
        markExisting(batch, row, prepared.award.id);
        return { stored: Promise.resolve('existing') };
      }
      const stored = committer.add(prepared).then(
        (outcome): RowState => {
          if (batch.notify) deps.mail?.wake();
          if (outcome.created) return 'issued';
          markExisting(batch, row, outcome.award.id);
          return 'existing';
        },
        (error: unknown) => settle(batch, row, error),
      );
      return { stored };
    } catch (error) {
      return { stored: Promise.resolve(settle(batch, row, error)) };
    }
  }

  async function process(batchId: string, options: RunOptions): Promise<void> {
    const batch = findBatch(db, batchId);
    if (!batch) throw new Error(`No batch '${batchId}'`);
    const rows = pendingRows(db, batchId);
    const stored: Array<Promise<void>> = [];
    let next = 0;
    const lane = async (): Promise<void> => {
      while (!stopping) {
        const row = rows[next++];
        if (!row) return;
        const { stored: state } = await awardRow(batch, row);
        // Caught at once: a row whose outcome cannot even be recorded (the database went away)
        // stays pending for the next run, and must not surface as an unhandled rejection.
        stored.push(
          state.then(
            (s) => options.onRow?.(s, row.line),
            (error: unknown) => logger.error({ err: error, batchId, line: row.line }, 'batch row outcome not recorded'),
          ),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, rows.length)) }, lane));
    await Promise.all(stored);
    if (stopping) return; // the rest stays pending; the next start resumes it
    finishBatch(db, batchId, (deps.now ?? (() => new Date()))());
    recordAudit(db, { actor: batch.actor, action: 'batch.finished', subject: `batch:${batchId}`, detail: { total: batch.total } });
  }

  function run(batchId: string, options: RunOptions = {}): Promise<void> {
    const current = active.get(batchId);
    if (current) return current;
    if (stopping) return Promise.resolve();
    const promise = process(batchId, options).finally(() => active.delete(batchId));
    active.set(batchId, promise);
    return promise;
  }

  return {
    submit(submission, options = {}) {
      const prepared = prepareBatchRows(submission.batchId, submission.rows, { notify: submission.notify });
      const existing = findBatch(db, submission.batchId);
      if (active.has(submission.batchId)) {
        if (existing && existing.inputHash === prepared.inputHash) return { batch: existing, done: run(submission.batchId), resumed: true };
        throw new BatchBusyError(submission.batchId);
      }
      if (prepared.valid === 0) {
        throw new NothingToIssueError(prepared.rows.flatMap((r) => (r.problem ? [{ line: r.line, problem: r.problem }] : [])));
      }
      const batch = startBatch(db, { id: submission.batchId, actor: submission.actor, source: submission.source, inputHash: prepared.inputHash, notify: submission.notify }, prepared.rows);
      recordAudit(db, {
        actor: submission.actor,
        action: 'batch.submitted',
        subject: `batch:${batch.id}`,
        detail: { source: batch.source, total: batch.total, pending: prepared.valid, run: batch.runs, ...(batch.notify ? { notify: true } : {}) },
      });
      return { batch, done: run(batch.id, options), resumed: false };
    },
    run,
    isRunning: (batchId) => active.has(batchId),
    resumeUnfinished() {
      const ids = unfinishedBatches(db).filter((id) => !active.has(id));
      for (const id of ids) {
        logger.info({ batchId: id }, 'resuming an unfinished batch');
        run(id).catch((error: unknown) => logger.error({ err: error, batchId: id }, 'resumed batch failed'));
      }
      return ids;
    },
    async close() {
      stopping = true;
      await Promise.allSettled([...active.values()]);
    },
  };
}
