// CSV imports over HTTP, in the background (issue 18): POST /educators/import (the columns of
// POST /educators, src/educators/educatorsCsv.ts) and POST /observations/import (those of
// `educred observations import`, src/educators/observationsCsv.ts) store the file's rows and
// answer 202 with a Location; GET of that Location is the job's progress and per-row results.
// The rows run in src/educators/importRunner.ts, resumable after a crash like award batches.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { CsvFormatError } from '../awards/batchCsv.js';
import { BatchTooLargeError, MAX_BATCH_ROWS } from '../awards/batchInput.js';
import { claimLinkFields, currentClaimLinks } from '../claims/claimLink.js';
import { educatorRowsFromCsv } from '../educators/educatorsCsv.js';
import { createImportRunner, NothingToImportError, type ImportRunner } from '../educators/importRunner.js';
import { observationImportRows, observationsFromCsv } from '../educators/observationsCsv.js';
import type { ImportJob, ImportKind, NewImportRow } from '../store/imports.js';
import { requireScope, type AuthVariables } from './auth.js';
import { DEFAULT_BATCH_BODY_LIMIT } from './batches.js';
import type { AppDeps } from './deps.js';
import { masteryDepsFor } from './educators.js';
import { badRequest, HttpProblem, notFound, unprocessable } from './problem.js';

/** The paths of the API's import uploads: they have the batch upload's size limit, not the global one (src/app.ts). */
export const IMPORT_UPLOAD_PATHS = ['/educators/import', '/observations/import'] as const;

const runners = new WeakMap<AppDeps, ImportRunner>();

/** The service's import runner (src/service.ts builds it), or one per app for an app built from plain deps. */
export function importRunnerOf(deps: AppDeps): ImportRunner {
  if (deps.imports) return deps.imports;
  let runner = runners.get(deps);
  if (!runner) {
    runner = createImportRunner({ store: deps.store, logger: deps.logger, now: deps.now, mastery: (actor) => masteryDepsFor(deps, actor) });
    runners.set(deps, runner);
  }
  return runner;
}

/** A CSV upload's rows for the job of `kind`; CsvFormatError for a file that cannot be read, BatchTooLargeError past 10,000 rows. */
export function importRowsFromCsv(kind: ImportKind, text: string): NewImportRow[] {
  if (kind === 'educators') return educatorRowsFromCsv(text, MAX_BATCH_ROWS);
  return observationImportRows(observationsFromCsv(text, MAX_BATCH_ROWS));
}

export interface ImportRowView {
  line: number;
  lines?: number[];
  state: string;
  educatorId?: string;
  observationId?: string;
  differs?: string[];
  awarded?: Array<{ awardId: string; educatorId: string; achievement: string; level: string; credentialId: string | null; claimUrl: string | null; claimExpiresAt?: string; claimUnavailable?: string }>;
  problem?: { code: string; detail: string; column?: string | undefined };
}

export interface ImportView {
  jobId: string;
  kind: ImportKind;
  state: string;
  running: boolean;
  fileName: string | null;
  total: number;
  processed: number;
  counts: Record<string, number>;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  rows: ImportRowView[];
  offset: number;
  nextOffset: number | null;
}

/** The job with a page of its rows; each badge a row awarded carries its live claim link (a bearer secret: answer with no-store). */
export async function importView(deps: AppDeps, job: ImportJob, page: { offset: number; limit: number; problemsOnly?: boolean }): Promise<ImportView> {
  const { store } = deps;
  const counts = await store.imports.rowCounts(job.id);
  const rows = await store.imports.listRows(job.id, page);
  type Awarded = { awardId: string; educatorId: string; achievement: string; level: string };
  const awardIds = rows.flatMap((r) => ((r.result?.awarded as Awarded[] | undefined) ?? []).map((a) => a.awardId));
  const links = await currentClaimLinks(deps, awardIds);
  const credentials = new Map<string, string>();
  for (const id of awardIds) {
    const award = await store.awards.find(id);
    if (award) credentials.set(id, award.credentialId);
  }
  const listed = page.problemsOnly ? counts.invalid + counts.duplicate + counts.refused + counts.failed : job.total;
  return {
    jobId: job.id,
    kind: job.kind,
    state: job.state,
    running: job.state === 'running',
    fileName: job.fileName,
    total: job.total,
    processed: job.total - counts.pending,
    counts,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    finishedAt: job.finishedAt,
    rows: rows.map((r): ImportRowView => {
      const result = r.result ?? {};
      const awarded = (result.awarded as Awarded[] | undefined)?.map((a) => ({ ...a, credentialId: credentials.get(a.awardId) ?? null, ...claimLinkFields(links.get(a.awardId) ?? { unavailable: 'no-live-link' }) }));
      return {
        line: r.line,
        ...(job.kind === 'observations' ? { lines: r.lines } : {}),
        state: r.state,
        ...(typeof result.educatorId === 'string' ? { educatorId: result.educatorId } : {}),
        ...(typeof result.observationId === 'string' ? { observationId: result.observationId } : {}),
        ...(Array.isArray(result.differs) ? { differs: result.differs as string[] } : {}),
        ...(awarded ? { awarded } : {}),
        ...(r.problem ? { problem: { code: r.problem.code, detail: r.problem.detail, ...(r.problem.column ? { column: r.problem.column } : {}) } } : {}),
      };
    }),
    offset: page.offset,
    nextOffset: page.offset + rows.length < listed ? page.offset + rows.length : null,
  };
}

async function readCsv(c: Context): Promise<string> {
  const type = c.req.header('content-type') ?? '';
  if (!/^text\/csv\b/i.test(type)) throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', `Send the file as text/csv (got '${type || 'none'}')`);
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpProblem(400, 'invalid-encoding', 'Invalid text encoding', 'The request body is not valid UTF-8');
  }
  if (text.trim() === '') throw badRequest('The request body is empty: expected a CSV file with a header row');
  return text;
}

/** A file that cannot be read as a whole: 400 naming the line (the header is line 1), or 413 past the row limit. */
export function csvProblem(error: unknown): HttpProblem | undefined {
  if (error instanceof BatchTooLargeError) return new HttpProblem(413, 'batch-too-large', 'Too many rows', error.message, { maxRows: error.maxRows });
  if (error instanceof CsvFormatError) return badRequest(error.message, error.line === undefined ? undefined : [{ pointer: `/line/${error.line}`, detail: error.message }]);
  return undefined;
}

function pageOf(c: Context): { offset: number; limit: number; problemsOnly: boolean } {
  const number = (name: string, fallback: number, max: number): number => {
    const raw = c.req.query(name);
    if (raw === undefined) return fallback;
    if (!/^\d{1,7}$/.test(raw) || Number(raw) > max) throw badRequest(`'${name}' must be a whole number from 0 to ${max}`, [{ pointer: `/${name}`, detail: `must be 0 to ${max}` }]);
    return Number(raw);
  };
  const rows = c.req.query('rows') ?? 'all';
  if (rows !== 'all' && rows !== 'problems') throw badRequest("'rows' must be 'all' or 'problems'", [{ pointer: '/rows', detail: "must be 'all' or 'problems'" }]);
  return { offset: number('offset', 0, 1_000_000), limit: number('limit', 1000, MAX_BATCH_ROWS), problemsOnly: rows === 'problems' };
}

export function importRoutes(deps: AppDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const runner = importRunnerOf(deps);
  const maxSize = deps.batchBodyLimit ?? DEFAULT_BATCH_BODY_LIMIT;
  const limit = bodyLimit({
    maxSize,
    onError: () => {
      throw new HttpProblem(413, 'payload-too-large', 'Payload too large', `An import upload is limited to ${maxSize} bytes; split the file`);
    },
  });
  // Who may import what: educators as POST /educators (issue), observations as recording them (observe or issue).
  const scopes = { educators: requireScope(deps.store, 'issue'), observations: requireScope(deps.store, ['observe', 'issue']) };

  for (const kind of ['educators', 'observations'] as const) {
    const base = `/${kind}/import`;
    app.post(base, scopes[kind], limit, async (c) => {
      const text = await readCsv(c);
      let rows: NewImportRow[];
      try {
        rows = importRowsFromCsv(kind, text);
      } catch (error) {
        throw csvProblem(error) ?? error;
      }
      let submitted;
      try {
        submitted = await runner.submit({ kind, actor: `token:${c.get('token').name}`, rows });
      } catch (error) {
        if (error instanceof NothingToImportError) throw unprocessable('nothing-to-import', 'No row can be imported', error.message, { rows: error.problems });
        throw error;
      }
      submitted.done.catch((error: unknown) => deps.logger.error({ err: error, jobId: submitted.job.id }, 'import run failed'));
      const view = await importView(deps, submitted.job, { offset: 0, limit: 0 });
      return c.json(view, 202, { Location: `${base}/${submitted.job.id}`, 'Retry-After': '1' });
    });

    app.get(`${base}/:jobId`, scopes[kind], async (c) => {
      const job = await deps.store.imports.find(c.req.param('jobId'));
      if (!job || job.kind !== kind) throw notFound(`No ${kind} import '${c.req.param('jobId')}'`);
      // Rows of an observation import carry claim links (bearer secrets): no cache keeps them.
      return c.json(await importView(deps, job, pageOf(c)), 200, { 'Cache-Control': 'no-store', ...(job.state === 'running' ? { 'Retry-After': '1' } : {}) });
    });
  }
  return app;
}
