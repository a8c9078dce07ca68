// Runs educator and observation CSV imports in the background (POST /educators/import,
// POST /observations/import, the console's uploads). The upload's rows are stored when it is
// accepted (src/store/imports.ts), then imported one at a time in line order, and each row's
// outcome is stored as it is decided, so the job's progress is in the database and a job a stop
// or a crash cut short is resumed when the service starts again (`resumeUnfinished`) or by
// another node once the rows' leases run out (`watch`), as award batches are
// (src/awards/batchRunner.ts).
//
// Exactly once, whatever is killed when: an educator row adds the educator and marks the row in
// one transaction; an observation row records the observation under the id chosen when the row
// was accepted, so a resumed row finds it and only awards what its rules make hold (the award
// path's idempotency keys and one-badge-per-level index make that idempotent too).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { EducatorRequestSchema, ObservationRequestSchema, type EducatorRequest } from './requests.js';
import { EducatorNotFoundError } from './errors.js';
import { createEducator, recordObservation, type Educator, type MasteryDeps } from './masteryRecords.js';
import { UniqueConflictError } from '../store/errors.js';
import type { RowLease } from '../store/batches.js';
import type { ImportJob, ImportKind, ImportProblem, ImportRow, ImportRowState, NewImportRow } from '../store/imports.js';
import type { Repositories, Store } from '../store/store.js';

export interface ImportRunnerDeps {
  store: Store;
  logger: Logger;
  now?: (() => Date) | undefined;
  /** What recording an observation needs, acting as the job's actor (the API's token, the console's person). */
  mastery(actor: string): Promise<MasteryDeps>;
  /** How long a node holds the rows it took (default 30 s, as award batches). */
  leaseMs?: number | undefined;
  /** This process's name in row leases (default: a random id per process). */
  nodeId?: string | undefined;
}

export interface ImportSubmission {
  kind: ImportKind;
  actor: string;
  fileName?: string | undefined;
  rows: readonly NewImportRow[];
}

export interface ImportRunner {
  /** Stores the job and its rows, then imports them in the background; `done` settles when the run ends. */
  submit(submission: ImportSubmission): Promise<{ job: ImportJob; done: Promise<void> }>;
  /** Imports the job's pending rows (joins the run already going in this process, if any). */
  run(jobId: string): Promise<void>;
  isRunning(jobId: string): boolean;
  /** Resumes, in the background, every job a stop or a crash left unfinished; returns their ids. */
  resumeUnfinished(): Promise<string[]>;
  /** Keeps taking over, every third of a lease, the unfinished jobs with rows nobody holds. */
  watch(): void;
  /** Stops taking rows and waits for the row being imported; the rest stays pending. */
  close(): Promise<void>;
}

/** Every row of the file has a problem: nothing is stored, the caller gets each row's problem. */
export class NothingToImportError extends Error {
  readonly code = 'nothing_to_import';
  constructor(readonly problems: Array<{ line: number; problem: ImportProblem }>) {
    super(`No row of the file can be imported (${problems.length} rows with problems)`);
  }
}

/** Another node holds the row now (this node's lease ran out): this node's outcome must not be stored. */
class RowTakenOverError extends Error {}

const CHUNK = 32;

/** The CSV column a domain error's field is in (`ratings[0].level` → level). */
function columnOf(field: unknown): string | undefined {
  if (typeof field !== 'string') return undefined;
  const last = field.split(/[.[\]]/).filter((p) => p !== '' && !/^\d+$/.test(p)).at(-1);
  return last === 'sharedWith' ? undefined : last === 'externalId' ? 'external_id' : last;
}

/** A refusal the program can act on (an error with a code): the row's problem, naming the column. */
function refusal(line: number, error: unknown): ImportProblem | undefined {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string' || error instanceof UniqueConflictError) return undefined;
  const column = error instanceof EducatorNotFoundError ? 'educator' : columnOf((error as { field?: unknown }).field);
  return { code: error.code, detail: `line ${line}: ${error.message}`, ...(column ? { column } : {}) };
}

export function createImportRunner(deps: ImportRunnerDeps): ImportRunner {
  const { store, logger } = deps;
  const active = new Map<string, Promise<void>>();
  const node = deps.nodeId ?? randomUUID();
  const leaseMs = Math.max(1000, deps.leaseMs ?? 30_000);
  const now = deps.now ?? (() => new Date());
  const lease = (): RowLease => ({ node, until: new Date(Date.now() + leaseMs) });
  let stopping = false;
  let watcher: NodeJS.Timeout | undefined;

  /** The educator the row names already: by external_id first, then email, then DID. */
  async function existingEducator(tx: Repositories, request: EducatorRequest, line: number): Promise<{ educator?: Educator; differs?: string[]; problem?: ImportProblem }> {
    const byExternal = request.externalId ? (await tx.educators.findEducatorsBy('external_id', request.externalId))[0] : undefined;
    const byEmail = request.email ? await tx.educators.findEducatorsBy('email', request.email.trim().toLowerCase()) : [];
    const byDid = request.did ? await tx.educators.findEducatorsBy('did', request.did) : [];
    const found = byExternal ?? byEmail[0] ?? byDid[0];
    if (!found) return {};
    // The same email or DID under another program number is two people, or a typo: the program decides.
    if (!byExternal && request.externalId && found.externalId) {
      const column = byEmail[0] ? 'email' : 'did';
      return { problem: { code: 'educator_conflict', column, detail: `line ${line}: the educator with this ${column} (${found.id}) has external_id '${found.externalId}', not '${request.externalId}'` } };
    }
    const differs = (['name', 'email', 'did', 'externalId', 'cohort'] as const)
      .filter((f) => request[f] !== undefined && (f === 'email' ? request.email?.trim().toLowerCase() : request[f]) !== found[f])
      .map((f) => (f === 'externalId' ? 'external_id' : f));
    return { educator: found, ...(differs.length > 0 ? { differs } : {}) };
  }

  async function mark(tx: Repositories, job: ImportJob, row: ImportRow, outcome: { state: ImportRowState; result?: Record<string, unknown>; problem?: ImportProblem }): Promise<void> {
    if (!(await tx.imports.markRow(job.id, row.line, outcome, node))) throw new RowTakenOverError();
  }

  async function importEducator(job: ImportJob, row: ImportRow): Promise<ImportRowState> {
    const request = EducatorRequestSchema.parse(row.request);
    for (let attempt = 0; ; attempt++) {
      try {
        return await store.transaction(async (tx) => {
          const existing = await existingEducator(tx, request, row.line);
          if (existing.problem) {
            await mark(tx, job, row, { state: 'refused', problem: existing.problem });
            return 'refused';
          }
          if (existing.educator) {
            await mark(tx, job, row, { state: 'existing', result: { educatorId: existing.educator.id, ...(existing.differs ? { differs: existing.differs } : {}) } });
            return 'existing';
          }
          const educator = await createEducator(tx.educators, request, now(), row.recordId ?? randomUUID());
          await tx.audit.record({ actor: job.actor, action: 'educator.created', subject: `educator:${educator.id}`, detail: { externalId: educator.externalId, cohort: educator.cohort, import: job.id } });
          await mark(tx, job, row, { state: 'created', result: { educatorId: educator.id } });
          return 'created';
        });
      } catch (error) {
        // Another request added the same program number meanwhile: the next attempt finds it.
        if (attempt === 0 && error instanceof Error && 'code' in error && (error.code === 'duplicate_external_id' || error.code === 'unique_conflict')) continue;
        throw error;
      }
    }
  }

  async function importObservation(job: ImportJob, row: ImportRow, mastery: () => Promise<MasteryDeps>): Promise<ImportRowState> {
    const { educator: reference, body } = row.request as { educator: string; body: unknown };
    const request = ObservationRequestSchema.parse(body);
    const educator = await store.educators.findEducatorByReference(reference);
    if (!educator) {
      await store.transaction((tx) => mark(tx, job, row, { state: 'refused', problem: { code: 'educator_not_found', column: 'educator', detail: `line ${row.line}: no educator '${reference}' (an id, external_id or email)` } }));
      return 'refused';
    }
    let outcome;
    for (let attempt = 0; ; attempt++) {
      try {
        outcome = await recordObservation(await mastery(), educator.id, request, { id: row.recordId ?? undefined });
        break;
      } catch (error) {
        // Two nodes recorded the row at once (a lease ran out mid-row): the next attempt finds the observation.
        if (attempt === 0 && error instanceof UniqueConflictError) continue;
        throw error;
      }
    }
    const awarded = outcome.awarded.map((a) => ({ awardId: a.awardId, educatorId: a.educatorId, achievement: a.achievement, level: a.level }));
    await store.transaction((tx) => mark(tx, job, row, { state: 'recorded', result: { educatorId: educator.id, observationId: outcome.id, awarded } }));
    return 'recorded';
  }

  async function importRow(job: ImportJob, row: ImportRow, mastery: () => Promise<MasteryDeps>): Promise<void> {
    try {
      if (job.kind === 'educators') await importEducator(job, row);
      else await importObservation(job, row, mastery);
    } catch (error) {
      if (error instanceof RowTakenOverError) return;
      const problem = refusal(row.line, error);
      if (problem) {
        await store.imports.markRow(job.id, row.line, { state: 'refused', problem }, node);
        return;
      }
      logger.error({ err: error, jobId: job.id, line: row.line }, 'import row failed');
      await store.imports.markRow(job.id, row.line, { state: 'failed', problem: { code: 'internal_error', detail: `line ${row.line}: the import of this row failed unexpectedly; it has been logged` } }, node);
    }
  }

  async function process(jobId: string): Promise<void> {
    const job = await store.imports.find(jobId);
    if (!job) throw new Error(`No import '${jobId}'`);
    let masteryDeps: Promise<MasteryDeps> | undefined;
    const mastery = () => (masteryDeps ??= deps.mastery(job.actor));
    const heartbeat = setInterval(() => {
      store.imports.renewLeases(jobId, lease()).catch((error: unknown) => logger.warn({ err: error, jobId }, 'import row leases not renewed'));
    }, leaseMs / 3);
    heartbeat.unref();
    try {
      while (!stopping) {
        const rows = await store.imports.leaseRows(jobId, lease(), new Date(), CHUNK);
        if (rows.length === 0) break;
        for (const row of rows) {
          if (stopping) break;
          await importRow(job, row, mastery);
          // Requests waiting for the database go first (on SQLite one connection serves all):
          // an import of 10,000 rows must not keep the console or the API waiting.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    } finally {
      clearInterval(heartbeat);
    }
    if (stopping) {
      await store.imports.releaseLeases(jobId, node);
      return;
    }
    if (await store.imports.finish(jobId, now())) {
      const counts = await store.imports.rowCounts(jobId);
      await store.audit.record({ actor: job.actor, action: 'import.finished', subject: `import:${jobId}`, detail: { kind: job.kind, total: job.total, ...Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0)) } });
    }
  }

  function run(jobId: string): Promise<void> {
    const current = active.get(jobId);
    if (current) return current;
    if (stopping) return Promise.resolve();
    const promise = process(jobId).finally(() => active.delete(jobId));
    active.set(jobId, promise);
    return promise;
  }

  return {
    async submit(submission) {
      const valid = submission.rows.filter((r) => r.state === 'pending').length;
      if (valid === 0) throw new NothingToImportError(submission.rows.flatMap((r) => (r.problem ? [{ line: r.line, problem: r.problem }] : [])));
      const id = randomUUID();
      // The id each row's educator or observation will get: a resumed row finds what it made.
      const rows = submission.rows.map((r) => (r.state === 'pending' ? { ...r, recordId: r.recordId ?? randomUUID() } : r));
      const job = await store.transaction(async (tx) => {
        const stored = await tx.imports.start({ id, kind: submission.kind, actor: submission.actor, fileName: submission.fileName }, rows, lease(), now());
        await tx.audit.record({ actor: submission.actor, action: 'import.submitted', subject: `import:${id}`, detail: { kind: submission.kind, total: rows.length, pending: valid, ...(submission.fileName ? { file: submission.fileName } : {}) } });
        return stored;
      });
      return { job, done: run(id) };
    },
    run,
    isRunning: (jobId) => active.has(jobId),
    async resumeUnfinished() {
      const ids = (await store.imports.unfinished()).filter((id) => !active.has(id));
      for (const id of ids) {
        logger.info({ jobId: id }, 'resuming an unfinished import');
        run(id).catch((error: unknown) => logger.error({ err: error, jobId: id }, 'resumed import failed'));
      }
      return ids;
    },
    watch() {
      if (watcher || stopping) return;
      watcher = setInterval(() => {
        store.imports
          .withFreeRows(new Date())
          .then((ids) => {
            for (const id of ids) {
              if (active.has(id) || stopping) continue;
              logger.info({ jobId: id }, 'taking over import rows nobody holds');
              run(id).catch((error: unknown) => logger.error({ err: error, jobId: id }, 'import takeover failed'));
            }
          })
          .catch((error: unknown) => logger.warn({ err: error }, 'looking for abandoned import rows failed'));
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
