// The award-batches repository: a bulk award job and one row per input line, so that a batch
// can be watched while it runs and resumed after a restart. A row's request is stored as
// validated; its idempotency key is what makes a re-run issue nothing twice. A pending row is
// leased by the node awarding it (`leased_by`, `lease_until`): nodes sharing the database take
// rows the others do not hold, and the rows of a node that died are taken when its lease ends.
import { sql, type Selectable } from 'kysely';
import type { AwardBatchesTable } from './schema.js';
import { atomic, type Engine, type Executor } from './engine.js';

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

type BatchRow = Selectable<AwardBatchesTable>;

type RowRow = {
  line: number;
  state: string;
  request_json: string | null;
  idempotency_key: string | null;
  award_id: string | null;
  credential_id: string | null;
  duplicate_of: number | null;
  errors_json: string | null;
};

const batchFromRow = (r: BatchRow): BatchRecord => ({
  id: r.id,
  actor: r.actor,
  source: r.source as BatchSource,
  inputHash: r.input_hash,
  total: r.total,
  state: r.state as BatchState,
  runs: r.runs,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
  notify: r.notify === 1,
});

const rowFromRow = (r: RowRow): BatchRowRecord => ({
  line: r.line,
  state: r.state as RowState,
  request: r.request_json === null ? null : (JSON.parse(r.request_json) as unknown),
  idempotencyKey: r.idempotency_key,
  awardId: r.award_id,
  credentialId: r.credential_id,
  duplicateOf: r.duplicate_of,
  problem: r.errors_json === null ? null : (JSON.parse(r.errors_json) as RowProblem),
});

const BATCH_COLUMNS = ['id', 'actor', 'source', 'input_hash', 'total', 'state', 'runs', 'created_at', 'updated_at', 'finished_at', 'notify'] as const;
const PROBLEM_STATES: readonly RowState[] = ['invalid', 'rejected', 'failed', 'duplicate'];

/** The node awarding a row, and until when it holds it. */
export interface RowLease {
  node: string;
  until: Date;
}

export class BatchesRepository {
  constructor(
    private readonly q: Executor,
    private readonly engine: Engine,
  ) {}

  /** The most recent batches, newest first (the console's list). */
  async recent(limit: number): Promise<BatchRecord[]> {
    const rows = await this.q.selectFrom('award_batches').select(BATCH_COLUMNS).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
    return rows.map(batchFromRow);
  }

  async find(id: string): Promise<BatchRecord | undefined> {
    const row = await this.q.selectFrom('award_batches').select(BATCH_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && batchFromRow(row);
  }

  /**
   * Stores a submission of a batch in one transaction: a new batch, or a re-run of an existing
   * one whose rows are replaced (their awards stay; the idempotency keys find them again). The
   * pending rows are leased to the submitting node, which starts on them at once.
   */
  async start(
    batch: { id: string; actor: string; source: BatchSource; inputHash: string; notify?: boolean | undefined },
    rows: readonly NewBatchRow[],
    lease: RowLease,
    now = new Date(),
  ): Promise<BatchRecord> {
    const at = now.toISOString();
    return atomic(this.q, async (trx) => {
      await trx
        .insertInto('award_batches')
        .values({ id: batch.id, actor: batch.actor, source: batch.source, input_hash: batch.inputHash, total: rows.length, state: 'running', runs: 1, created_at: at, updated_at: at, finished_at: null, notify: batch.notify ? 1 : 0 })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            actor: (eb) => eb.ref('excluded.actor'),
            source: (eb) => eb.ref('excluded.source'),
            input_hash: (eb) => eb.ref('excluded.input_hash'),
            total: (eb) => eb.ref('excluded.total'),
            state: 'running',
            runs: sql<number>`award_batches.runs + 1`,
            updated_at: (eb) => eb.ref('excluded.updated_at'),
            finished_at: null,
            notify: (eb) => eb.ref('excluded.notify'),
          }),
        )
        .execute();
      await trx.deleteFrom('award_batch_rows').where('batch_id', '=', batch.id).execute();
      const values = rows.map((r) => ({
        batch_id: batch.id,
        line: r.line,
        state: r.state,
        request_json: r.request === undefined ? null : JSON.stringify(r.request),
        idempotency_key: r.idempotencyKey ?? null,
        award_id: null,
        duplicate_of: r.duplicateOf ?? null,
        errors_json: r.problem ? JSON.stringify(r.problem) : null,
        leased_by: r.state === 'pending' ? lease.node : null,
        lease_until: r.state === 'pending' ? lease.until.toISOString() : null,
      }));
      // A statement per 500 rows keeps within both engines' limits on bound parameters.
      for (let i = 0; i < values.length; i += 500) await trx.insertInto('award_batch_rows').values(values.slice(i, i + 500)).execute();
      const stored = await new BatchesRepository(trx, this.engine).find(batch.id);
      if (!stored) throw new Error(`Batch ${batch.id} vanished after it was stored`);
      return stored;
    });
  }

  /**
   * Leases up to `limit` pending rows to `lease.node`: rows it holds already, rows nobody holds,
   * and rows whose lease ran out (their node died or stalled). PostgreSQL skips rows another
   * node is leasing at this moment (FOR UPDATE SKIP LOCKED); SQLite's write lock serialises.
   */
  async leaseRows(batchId: string, lease: RowLease, now: Date, limit: number): Promise<BatchRowRecord[]> {
    const at = now.toISOString();
    return atomic(this.q, async (trx) => {
      let candidates = trx
        .selectFrom('award_batch_rows')
        .select('line')
        .where('batch_id', '=', batchId)
        .where('state', '=', 'pending')
        .where((eb) => eb.or([eb('leased_by', '=', lease.node), eb('lease_until', 'is', null), eb('lease_until', '<', at)]))
        .orderBy('line')
        .limit(limit);
      if (this.engine === 'postgres') candidates = candidates.forUpdate().skipLocked();
      const lines = (await candidates.execute()).map((r) => r.line);
      if (lines.length === 0) return [];
      const rows = await trx
        .updateTable('award_batch_rows')
        .set({ leased_by: lease.node, lease_until: lease.until.toISOString() })
        .where('batch_id', '=', batchId)
        .where('line', 'in', lines)
        .returning(['line', 'state', 'request_json', 'idempotency_key', 'award_id', sql<null>`NULL`.as('credential_id'), 'duplicate_of', 'errors_json'])
        .execute();
      return rows.map(rowFromRow).sort((a, b) => a.line - b.line);
    });
  }

  /** Extends the node's leases on the batch's pending rows (a heartbeat while it works on them). */
  async renewLeases(batchId: string, lease: RowLease): Promise<number> {
    const result = await this.q
      .updateTable('award_batch_rows')
      .set({ lease_until: lease.until.toISOString() })
      .where('batch_id', '=', batchId)
      .where('state', '=', 'pending')
      .where('leased_by', '=', lease.node)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Lets go of the node's pending rows (a graceful stop): any node may take them at once. */
  async releaseLeases(batchId: string, node: string): Promise<void> {
    await this.q.updateTable('award_batch_rows').set({ leased_by: null, lease_until: null }).where('batch_id', '=', batchId).where('state', '=', 'pending').where('leased_by', '=', node).execute();
  }

  async listRows(batchId: string, options: { offset: number; limit: number; problemsOnly?: boolean }): Promise<BatchRowRecord[]> {
    let select = this.q
      .selectFrom('award_batch_rows as r')
      .leftJoin('awards as a', 'a.id', 'r.award_id')
      .select(['r.line', 'r.state', sql<null>`NULL`.as('request_json'), 'r.idempotency_key', 'r.award_id', 'a.credential_id', 'r.duplicate_of', 'r.errors_json'])
      .where('r.batch_id', '=', batchId);
    if (options.problemsOnly) select = select.where('r.state', 'in', [...PROBLEM_STATES]);
    const rows = await select.orderBy('r.line').limit(options.limit).offset(options.offset).execute();
    return rows.map(rowFromRow);
  }

  async rowCounts(batchId: string): Promise<Record<RowState, number>> {
    const counts = Object.fromEntries(ROW_STATES.map((s) => [s, 0])) as Record<RowState, number>;
    const rows = await this.q.selectFrom('award_batch_rows').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).where('batch_id', '=', batchId).groupBy('state').execute();
    for (const { state, n } of rows) counts[state as RowState] = Number(n);
    return counts;
  }

  /**
   * Records the outcome of one row; called inside the award's transaction when it issues one.
   * With `holder`, only while that node still holds the pending row: false means another node
   * took it over (the caller's transaction must then roll back, so the row gets one award).
   */
  async markRow(batchId: string, line: number, outcome: { state: RowState; awardId?: string | undefined; problem?: RowProblem | undefined }, holder?: string): Promise<boolean> {
    let update = this.q
      .updateTable('award_batch_rows')
      .set({ state: outcome.state, award_id: outcome.awardId ?? null, errors_json: outcome.problem ? JSON.stringify(outcome.problem) : null, leased_by: null, lease_until: null })
      .where('batch_id', '=', batchId)
      .where('line', '=', line);
    if (holder !== undefined) update = update.where('state', '=', 'pending').where('leased_by', '=', holder);
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Marks the batch done when no row is pending; true for the one caller that did. */
  async finish(batchId: string, now = new Date()): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.q
      .updateTable('award_batches')
      .set({ state: 'done', updated_at: at, finished_at: at })
      .where('id', '=', batchId)
      .where('state', '=', 'running')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('award_batch_rows').select('line').where('batch_id', '=', batchId).where('state', '=', 'pending'))))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async touch(batchId: string, now = new Date()): Promise<void> {
    await this.q.updateTable('award_batches').set({ updated_at: now.toISOString() }).where('id', '=', batchId).execute();
  }

  /** Batches a crash or a stop left unfinished. */
  async unfinished(): Promise<string[]> {
    const rows = await this.q.selectFrom('award_batches').select('id').where('state', '=', 'running').orderBy('created_at').execute();
    return rows.map((r) => r.id);
  }

  /** Unfinished batches with a pending row nobody holds (or whose holder's lease ran out). */
  async withFreeRows(now: Date): Promise<string[]> {
    const at = now.toISOString();
    const rows = await this.q
      .selectFrom('award_batches as b')
      .select('b.id')
      .where('b.state', '=', 'running')
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('award_batch_rows as r')
            .select('r.line')
            .whereRef('r.batch_id', '=', 'b.id')
            .where('r.state', '=', 'pending')
            .where((inner) => inner.or([inner('r.lease_until', 'is', null), inner('r.lease_until', '<', at)])),
        ),
      )
      .orderBy('b.created_at')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Whether any node other than `node` holds a live lease on a pending row of the batch. */
  async heldElsewhere(batchId: string, node: string, now: Date): Promise<boolean> {
    const row = await this.q
      .selectFrom('award_batch_rows')
      .select('line')
      .where('batch_id', '=', batchId)
      .where('state', '=', 'pending')
      .where('leased_by', '<>', node)
      .where('lease_until', '>=', now.toISOString())
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
