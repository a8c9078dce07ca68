// Runs bulk award batches: stores a submission's rows, then awards the pending ones a few at a
// time (signing goes to the issuer, which is the worker pool in the server) and records each
// row's outcome. Progress lives in the database, so a batch cut short by a stop or a crash is
// resumed when the service starts again; the rows' idempotency keys make the resumed run skip
// awards that were already made. Several nodes share batches by leasing rows (src/store/
// batches.ts): a node awards only rows it holds, renews its leases while it works, and writes a
// row's award only while it still holds the row (in the award's transaction), so a row gets
// exactly one award however nodes start, stall or die; a node that died leaves its rows to the
// others when its leases run out (`watch`).
import { randomUUID } from 'node:crypto';
import { countBatchRow } from '../metrics.js';
import type { Logger } from 'pino';
import { addClaimLink, ensureClaimLink, type ClaimLinkDeps } from '../claims/claimLink.js';
import type { MailDelivery } from '../mail/delivery.js';
import type { BatchRecord, BatchRowRecord, BatchSource, RowProblem, RowState } from '../store/batches.js';
import type { Repositories } from '../store/store.js';
import { AwardRequestSchema } from './awardRequest.js';
import { prepareBatchRows, type RawBatchRow } from './batchInput.js';
import { shortfallPointer } from '../competencies/mastery.js';
import { AwardExistsError, IdempotencyConflictError, InvalidAwardError, MasteryNotMetError, UnknownAchievementError } from './errors.js';
import { createGroupCommitter } from './groupCommit.js';
import { awardUrl, awardWrite, prepareAward, type AwardDeps } from './issueAward.js';

export interface BatchRunnerDeps extends AwardDeps, Pick<ClaimLinkDeps, 'claimSecret' | 'claimTtlDays'> {
  logger: Logger;
  /** Rows awarded at once: enough to keep every signing worker busy (pool size × a few). */
  concurrency?: number | undefined;
  /** Woken when a notify batch queued claim emails (src/mail/). */
  mail?: Pick<MailDelivery, 'wake'> | undefined;
  /** How long a node holds the rows it took (EDUCRED_BATCH_LEASE_SECONDS; default 30 s). */
  leaseMs?: number | undefined;
  /** This process's name in row leases (default: a random id per process). */
  nodeId?: string | undefined;
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
  submit(submission: BatchSubmission, options?: RunOptions): Promise<{ batch: BatchRecord; done: Promise<void>; resumed: boolean }>;
  /** Awards the batch's pending rows (joins the run already going in this process, if any). */
  run(batchId: string, options?: RunOptions): Promise<void>;
  isRunning(batchId: string): boolean;
  /** Resumes, in the background, every batch a stop or a crash left unfinished; returns their ids. */
  resumeUnfinished(): Promise<string[]>;
  /**
   * Keeps resuming, every third of a lease, the unfinished batches with rows nobody holds (a node
   * died, or stopped): the server runs it, so the nodes finish every batch between them.
   */
  watch(): void;
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

/** Another node holds the row now (this node's lease ran out): this node's award must not be stored. */
class RowTakenOverError extends Error {
  constructor(batchId: string, line: number) {
    super(`Row ${line} of batch '${batchId}' was taken over by another node`);
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

/** How long a notify batch may hold its claim emails at most. */
const MAIL_HOLD_MS = 60 * 60 * 1000;

export function createBatchRunner(deps: BatchRunnerDeps): BatchRunner {
  const { store, logger } = deps;
  const concurrency = Math.max(1, deps.concurrency ?? 4);
  const active = new Map<string, Promise<void>>();
  let stopping = false;
  let watcher: NodeJS.Timeout | undefined;
  const node = deps.nodeId ?? randomUUID();
  const leaseMs = Math.max(1000, deps.leaseMs ?? 30_000);
  const now = deps.now ?? (() => new Date());
  const lease = () => ({ node, until: new Date(Date.now() + leaseMs) });
  // A notify batch holds its claim emails until its last row is stored, so an educator with
  // several rows gets one message covering them all (issue 16); a batch that never finishes
  // (this process died, no other takes it up) lets them go after an hour.
  const heldUntil = () => new Date(now().getTime() + MAIL_HOLD_MS);

  const committer = createGroupCommitter(store);
  const claims: ClaimLinkDeps = { store, baseUrl: deps.baseUrl, claimSecret: deps.claimSecret, claimTtlDays: deps.claimTtlDays, now: deps.now };

  /** Records a row's outcome if this node still holds the row (inside the caller's transaction). */
  async function markHeldRow(tx: Repositories, batch: BatchRecord, row: BatchRowRecord, outcome: Parameters<Repositories['batches']['markRow']>[2]): Promise<void> {
    if (!(await tx.batches.markRow(batch.id, row.line, outcome, node))) throw new RowTakenOverError(batch.id, row.line);
  }

  /**
   * A row awarded earlier (a re-run, a replayed key): it keeps its live claim link, or gets one;
   * a notify batch asks for its claim email (queued once per award).
   */
  async function markExisting(batch: BatchRecord, row: BatchRowRecord, awardId: string): Promise<RowState> {
    try {
      await store.transaction(async (tx) => {
        await markHeldRow(tx, batch, row, { state: 'existing', awardId });
        await ensureClaimLink(claims, awardId, tx);
        if (batch.notify) await tx.mail.queueClaimEmail(awardId, now(), heldUntil());
      });
    } catch (error) {
      if (error instanceof RowTakenOverError) return 'pending';
      throw error;
    }
    return 'existing';
  }

  async function settle(batch: BatchRecord, row: BatchRowRecord, error: unknown): Promise<RowState> {
    // Another node took the row over (this node's lease ran out): its outcome is that node's.
    if (error instanceof RowTakenOverError) return 'pending';
    const problem = rowProblem(deps.baseUrl, error);
    if (problem) {
      await store.batches.markRow(batch.id, row.line, { state: 'rejected', problem }, node);
      return 'rejected';
    }
    logger.error({ err: error, batchId: batch.id, line: row.line }, 'batch row failed');
    await store.batches.markRow(batch.id, row.line, { state: 'failed', problem: { code: 'internal_error', detail: 'The award failed unexpectedly; it has been logged. Submit the batch again to retry.' } }, node);
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
        onStored: async (award, tx) => {
          await markHeldRow(tx, batch, row, { state: 'issued', awardId: award.id });
          await addClaimLink(claims, award.id, tx);
          if (batch.notify) await tx.mail.queueClaimEmail(award.id, now(), heldUntil());
        },
      });
      if (!('write' in prepared)) return { stored: markExisting(batch, row, prepared.award.id) };
      const stored = committer.add(awardWrite(prepared)).then(
        (outcome): Promise<RowState> | RowState => {
          if (outcome.created) return 'issued';
          return markExisting(batch, row, outcome.award.id);
        },
        (error: unknown) => settle(batch, row, error),
      );
      return { stored };
    } catch (error) {
      return { stored: settle(batch, row, error) };
    }
  }

  /** Awards one leased chunk of rows, `concurrency` at a time; settles when every outcome is stored. */
  async function awardChunk(batch: BatchRecord, rows: readonly BatchRowRecord[], options: RunOptions): Promise<void> {
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
            (s) => (countBatchRow(s), options.onRow?.(s, row.line)),
            (error: unknown) => logger.error({ err: error, batchId: batch.id, line: row.line }, 'batch row outcome not recorded'),
          ),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, rows.length)) }, lane));
    await Promise.all(stored);
  }

  async function process(batchId: string, options: RunOptions): Promise<void> {
    const batch = await store.batches.find(batchId);
    if (!batch) throw new Error(`No batch '${batchId}'`);
    // A heartbeat: the leases of the rows this node works on outlive the work, however long.
    const heartbeat = setInterval(() => {
      store.batches.renewLeases(batchId, lease()).catch((error: unknown) => logger.warn({ err: error, batchId }, 'batch row leases not renewed'));
    }, leaseMs / 3);
    heartbeat.unref();
    try {
      // A chunk at a time: every outcome of a chunk is stored before the next lease, so a row
      // this node is still awarding is never handed to it twice.
      while (!stopping) {
        const rows = await store.batches.leaseRows(batchId, lease(), new Date(), concurrency * 16);
        if (rows.length === 0) break;
        await awardChunk(batch, rows, options);
      }
    } finally {
      clearInterval(heartbeat);
    }
    if (stopping) {
      // The rest stays pending; another node (or the next start) takes it at once.
      await store.batches.releaseLeases(batchId, node);
      return;
    }
    if (batch.notify && (await store.mail.releaseHeldOfBatch(batchId, now())) > 0) deps.mail?.wake();
    // Done when no row is pending: the one node that marks it done writes the audit row. Rows
    // another node still holds are that node's to finish.
    if (await store.batches.finish(batchId, now())) {
      await store.audit.record({ actor: batch.actor, action: 'batch.finished', subject: `batch:${batchId}`, detail: { total: batch.total } });
    }
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
    async submit(submission, options = {}) {
      const prepared = prepareBatchRows(submission.batchId, submission.rows, { notify: submission.notify });
      const existing = await store.batches.find(submission.batchId);
      // Running here, or on another node that still holds some of its rows.
      const running = active.has(submission.batchId) || (existing?.state === 'running' && (await store.batches.heldElsewhere(submission.batchId, node, new Date())));
      if (running) {
        if (existing && existing.inputHash === prepared.inputHash) return { batch: existing, done: run(submission.batchId), resumed: true };
        throw new BatchBusyError(submission.batchId);
      }
      if (prepared.valid === 0) {
        throw new NothingToIssueError(prepared.rows.flatMap((r) => (r.problem ? [{ line: r.line, problem: r.problem }] : [])));
      }
      const batch = await store.batches.start(
        { id: submission.batchId, actor: submission.actor, source: submission.source, inputHash: prepared.inputHash, notify: submission.notify },
        prepared.rows,
        lease(),
      );
      await store.audit.record({
        actor: submission.actor,
        action: 'batch.submitted',
        subject: `batch:${batch.id}`,
        detail: { source: batch.source, total: batch.total, pending: prepared.valid, run: batch.runs, ...(batch.notify ? { notify: true } : {}) },
      });
      return { batch, done: run(batch.id, options), resumed: false };
    },
    run,
    isRunning: (batchId) => active.has(batchId),
    async resumeUnfinished() {
      const ids = (await store.batches.unfinished()).filter((id) => !active.has(id));
      for (const id of ids) {
        logger.info({ batchId: id }, 'resuming an unfinished batch');
        run(id).catch((error: unknown) => logger.error({ err: error, batchId: id }, 'resumed batch failed'));
      }
      return ids;
    },
    watch() {
      if (watcher || stopping) return;
      watcher = setInterval(() => {
        store.batches
          .withFreeRows(new Date())
          .then((ids) => {
            for (const id of ids) {
              if (active.has(id) || stopping) continue;
              logger.info({ batchId: id }, 'taking over batch rows nobody holds');
              run(id).catch((error: unknown) => logger.error({ err: error, batchId: id }, 'batch takeover failed'));
            }
          })
          .catch((error: unknown) => logger.warn({ err: error }, 'looking for abandoned batch rows failed'));
      }, leaseMs / 3);
      watcher.unref();
    },
    async close() {
      stopping = true;
      if (watcher) clearInterval(watcher);
      watcher = undefined;
      await Promise.allSettled([...active.values()]);
    },
  };
}
