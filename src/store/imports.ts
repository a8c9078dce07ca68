// The import-jobs repository (migration 18): an educator or observation CSV import running in
// the background, one row per educator (a CSV line) or per observation (the lines of one
// lesson). Rows are stored as validated when the upload is accepted, each with the id its
// educator or observation will get (`recordId`), so a job a crash cut short is resumed and a
// resumed row finds what it made before. A pending row is leased by the node importing it, as
// award batch rows are (src/store/batches.ts): nodes sharing the database take rows the others
// do not hold, and a dead node's rows are taken when its lease ends.
import { atomic, type Engine, type Executor } from './engine.js';
import type { RowLease } from './batches.js';
import type { ImportJobsTable, ImportRowsTable } from './schema.js';

export const IMPORT_KINDS = ['educators', 'observations'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_ROW_STATES = ['pending', 'created', 'existing', 'recorded', 'invalid', 'duplicate', 'refused', 'failed'] as const;
/**
 * pending: not yet imported; created: the educator was added; existing: the educator was there
 * already (same externalId, email or DID); recorded: the observation was recorded (and awarded
 * what its rules made hold); invalid: the row does not parse (the problem names the column);
 * duplicate: the same educator as an earlier line of the file; refused: the service refused it
 * (an unknown educator, achievement or level); failed: an unexpected error (logged).
 */
export type ImportRowState = (typeof IMPORT_ROW_STATES)[number];
export type ImportJobState = 'running' | 'done';

/** What was wrong with a row: the column (CSV header name) when one is to blame. */
export interface ImportProblem {
  code: string;
  detail: string;
  column?: string | undefined;
  [extension: string]: unknown;
}

export interface ImportJob {
  id: string;
  kind: ImportKind;
  actor: string;
  fileName: string | null;
  total: number;
  state: ImportJobState;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface NewImportRow {
  line: number;
  /** Every CSV line the row came from (an observation spans the lines of its ratings). */
  lines: readonly number[];
  state: 'pending' | 'invalid' | 'duplicate';
  request?: unknown;
  recordId?: string | undefined;
  problem?: ImportProblem | undefined;
}

export interface ImportRow {
  line: number;
  lines: number[];
  state: ImportRowState;
  request: unknown;
  recordId: string | null;
  result: Record<string, unknown> | null;
  problem: ImportProblem | null;
}

const jobOf = (r: ImportJobsTable): ImportJob => ({
  id: r.id,
  kind: r.kind as ImportKind,
  actor: r.actor,
  fileName: r.file_name,
  total: r.total,
  state: r.state as ImportJobState,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

type RowColumns = Pick<ImportRowsTable, 'line' | 'lines_json' | 'state' | 'request_json' | 'record_id' | 'result_json' | 'problem_json'>;
const ROW_COLUMNS = ['line', 'lines_json', 'state', 'request_json', 'record_id', 'result_json', 'problem_json'] as const;

const rowOf = (r: RowColumns): ImportRow => ({
  line: r.line,
  lines: JSON.parse(r.lines_json) as number[],
  state: r.state as ImportRowState,
  request: r.request_json === null ? null : (JSON.parse(r.request_json) as unknown),
  recordId: r.record_id,
  result: r.result_json === null ? null : (JSON.parse(r.result_json) as Record<string, unknown>),
  problem: r.problem_json === null ? null : (JSON.parse(r.problem_json) as ImportProblem),
});

export class ImportsRepository {
  constructor(
    private readonly q: Executor,
    private readonly engine: Engine,
  ) {}

  /** Stores the job and all its rows in one transaction; the pending rows are leased to the accepting node. */
  async start(job: { id: string; kind: ImportKind; actor: string; fileName?: string | undefined }, rows: readonly NewImportRow[], lease: RowLease, now = new Date()): Promise<ImportJob> {
    const at = now.toISOString();
    return atomic(this.q, async (trx) => {
      await trx
        .insertInto('import_jobs')
        .values({ id: job.id, kind: job.kind, actor: job.actor, file_name: job.fileName ?? null, total: rows.length, state: 'running', created_at: at, updated_at: at, finished_at: null })
        .execute();
      const values = rows.map((r) => ({
        job_id: job.id,
        line: r.line,
        lines_json: JSON.stringify(r.lines),
        state: r.state,
        request_json: r.request === undefined ? null : JSON.stringify(r.request),
        record_id: r.recordId ?? null,
        result_json: null,
        problem_json: r.problem ? JSON.stringify(r.problem) : null,
        leased_by: r.state === 'pending' ? lease.node : null,
        lease_until: r.state === 'pending' ? lease.until.toISOString() : null,
      }));
      // A statement per 500 rows keeps within both engines' limits on bound parameters.
      for (let i = 0; i < values.length; i += 500) await trx.insertInto('import_rows').values(values.slice(i, i + 500)).execute();
      const stored = await new ImportsRepository(trx, this.engine).find(job.id);
      if (!stored) throw new Error(`Import ${job.id} vanished after it was stored`);
      return stored;
    });
  }

  async find(id: string): Promise<ImportJob | undefined> {
    const row = await this.q.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && jobOf(row);
  }

  /** The most recent jobs of a kind (or of every kind), newest first. */
  async recent(limit: number, kind?: ImportKind): Promise<ImportJob[]> {
    let select = this.q.selectFrom('import_jobs').selectAll();
    if (kind) select = select.where('kind', '=', kind);
    return (await select.orderBy('created_at', 'desc').orderBy('id').limit(limit).execute()).map(jobOf);
  }

  /**
   * Leases up to `limit` pending rows to `lease.node`: rows it holds already, rows nobody holds,
   * and rows whose lease ran out. PostgreSQL skips rows another node is leasing at this moment
   * (FOR UPDATE SKIP LOCKED); SQLite's write lock serialises.
   */
  async leaseRows(jobId: string, lease: RowLease, now: Date, limit: number): Promise<ImportRow[]> {
    const at = now.toISOString();
    return atomic(this.q, async (trx) => {
      let candidates = trx
        .selectFrom('import_rows')
        .select('line')
        .where('job_id', '=', jobId)
        .where('state', '=', 'pending')
        .where((eb) => eb.or([eb('leased_by', '=', lease.node), eb('lease_until', 'is', null), eb('lease_until', '<', at)]))
        .orderBy('line')
        .limit(limit);
      if (this.engine === 'postgres') candidates = candidates.forUpdate().skipLocked();
      const lines = (await candidates.execute()).map((r) => r.line);
      if (lines.length === 0) return [];
      const rows = await trx
        .updateTable('import_rows')
        .set({ leased_by: lease.node, lease_until: lease.until.toISOString() })
        .where('job_id', '=', jobId)
        .where('line', 'in', lines)
        .returning([...ROW_COLUMNS])
        .execute();
      return rows.map(rowOf).sort((a, b) => a.line - b.line);
    });
  }

  /** Extends the node's leases on the job's pending rows (a heartbeat while it works). */
  async renewLeases(jobId: string, lease: RowLease): Promise<number> {
    const result = await this.q
      .updateTable('import_rows')
      .set({ lease_until: lease.until.toISOString() })
      .where('job_id', '=', jobId)
      .where('state', '=', 'pending')
      .where('leased_by', '=', lease.node)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Lets go of the node's pending rows (a graceful stop): any node may take them at once. */
  async releaseLeases(jobId: string, node: string): Promise<void> {
    await this.q.updateTable('import_rows').set({ leased_by: null, lease_until: null }).where('job_id', '=', jobId).where('state', '=', 'pending').where('leased_by', '=', node).execute();
  }

  /**
   * Records a row's outcome. With `holder`, only while that node still holds the pending row:
   * false means another node took it over (the caller's transaction must then roll back).
   */
  async markRow(jobId: string, line: number, outcome: { state: ImportRowState; result?: Record<string, unknown> | undefined; problem?: ImportProblem | undefined }, holder?: string): Promise<boolean> {
    let update = this.q
      .updateTable('import_rows')
      .set({ state: outcome.state, result_json: outcome.result ? JSON.stringify(outcome.result) : null, problem_json: outcome.problem ? JSON.stringify(outcome.problem) : null, leased_by: null, lease_until: null })
      .where('job_id', '=', jobId)
      .where('line', '=', line);
    if (holder !== undefined) update = update.where('state', '=', 'pending').where('leased_by', '=', holder);
    return Number((await update.executeTakeFirst()).numUpdatedRows) === 1;
  }

  async listRows(jobId: string, options: { offset: number; limit: number; problemsOnly?: boolean }): Promise<ImportRow[]> {
    let select = this.q.selectFrom('import_rows').select([...ROW_COLUMNS]).where('job_id', '=', jobId);
    if (options.problemsOnly) select = select.where('state', 'in', ['invalid', 'duplicate', 'refused', 'failed']);
    return (await select.orderBy('line').limit(options.limit).offset(options.offset).execute()).map(rowOf);
  }

  async rowCounts(jobId: string): Promise<Record<ImportRowState, number>> {
    const counts = Object.fromEntries(IMPORT_ROW_STATES.map((s) => [s, 0])) as Record<ImportRowState, number>;
    const rows = await this.q.selectFrom('import_rows').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).where('job_id', '=', jobId).groupBy('state').execute();
    for (const { state, n } of rows) counts[state as ImportRowState] = Number(n);
    return counts;
  }

  /** Marks the job done when no row is pending; true for the one caller that did. */
  async finish(jobId: string, now = new Date()): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.q
      .updateTable('import_jobs')
      .set({ state: 'done', updated_at: at, finished_at: at })
      .where('id', '=', jobId)
      .where('state', '=', 'running')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('import_rows').select('line').where('job_id', '=', jobId).where('state', '=', 'pending'))))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Jobs a crash or a stop left unfinished, oldest first. */
  async unfinished(): Promise<string[]> {
    return (await this.q.selectFrom('import_jobs').select('id').where('state', '=', 'running').orderBy('created_at').execute()).map((r) => r.id);
  }

  /** Unfinished jobs with a pending row nobody holds (or whose holder's lease ran out). */
  async withFreeRows(now: Date): Promise<string[]> {
    const at = now.toISOString();
    const rows = await this.q
      .selectFrom('import_jobs as j')
      .select('j.id')
      .where('j.state', '=', 'running')
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('import_rows as r')
            .select('r.line')
            .whereRef('r.job_id', '=', 'j.id')
            .where('r.state', '=', 'pending')
            .where((inner) => inner.or([inner('r.lease_until', 'is', null), inner('r.lease_until', '<', at)])),
        ),
      )
      .orderBy('j.created_at')
      .execute();
    return rows.map((r) => r.id);
  }
}
