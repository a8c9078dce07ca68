// Bulk awards over HTTP: POST /awards/batch (a JSON array of POST /awards bodies, or a CSV file
// as src/awards/batchCsv.ts describes) and GET /awards/batch/:batchId (progress, per-row results).
// A small batch is answered when it is done (200); a large one is accepted (202 + Location)
// and runs in the background, its progress kept in SQLite.
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { awardRowsFromCsv, CsvFormatError } from '../awards/batchCsv.js';
import { awardRowsFromJson, BATCH_ID, BatchInputError, BatchTooLargeError, MAX_BATCH_ROWS, type RawBatchRow } from '../awards/batchInput.js';
import { BatchBusyError, createBatchRunner, NothingToIssueError, type BatchRunner } from '../awards/batchRunner.js';
import { claimLinkFields, currentClaimLinks, type ClaimLinkDeps } from '../claims/claimLink.js';
import type { BatchRecord } from '../store/batches.js';
import { assertMailConfigured, NotifyError } from '../mail/notify.js';
import { requireScope, type AuthVariables } from './auth.js';
import { parseJsonBody } from './body.js';
import type { AppDeps } from './deps.js';
import { badRequest, HttpProblem, notFound, unprocessable } from './problem.js';

/** Default size limit of a batch upload: 10,000 awards with generous evidence. */
export const DEFAULT_BATCH_BODY_LIMIT = 32 * 1024 * 1024;
/** Batches up to this many rows are answered when done; larger ones get 202 and run on. */
export const DEFAULT_BATCH_SYNC_ROWS = 100;
const MAX_PAGE = 10_000;

/** Each awarded row carries its award's live claim link (`claimUrl`, `claimExpiresAt`), or `claimUrl: null` and why. */
export async function batchView(claims: ClaimLinkDeps, runner: BatchRunner, batch: BatchRecord, page: { offset: number; limit: number; problemsOnly: boolean }): Promise<Record<string, unknown>> {
  const { store } = claims;
  const counts = await store.batches.rowCounts(batch.id);
  const pageRows = await store.batches.listRows(batch.id, page);
  const links = await currentClaimLinks(claims, pageRows.flatMap((r) => (r.awardId ? [r.awardId] : [])));
  const rows = pageRows.map((r) => ({
    line: r.line,
    state: r.state,
    ...(r.awardId ? { awardId: r.awardId, credentialId: r.credentialId, ...claimLinkFields(links.get(r.awardId) ?? { unavailable: 'no-live-link' }) } : {}),
    ...(r.duplicateOf !== null ? { duplicateOf: r.duplicateOf } : {}),
    ...(r.problem ? { problem: r.problem } : {}),
  }));
  const listed = page.problemsOnly ? counts.invalid + counts.rejected + counts.failed + counts.duplicate : batch.total;
  return {
    batchId: batch.id,
    state: batch.state,
    // On this node, or on another that still has rows to award (several nodes share batches).
    running: runner.isRunning(batch.id) || (batch.state === 'running' && counts.pending > 0),
    source: batch.source,
    notify: batch.notify,
    ...(batch.notify ? { notifications: await store.mail.claimEmailCountsForBatch(batch.id) } : {}),
    runs: batch.runs,
    total: batch.total,
    processed: batch.total - counts.pending,
    counts,
    createdAt: batch.createdAt,
    updatedAt: batch.updatedAt,
    finishedAt: batch.finishedAt,
    rows,
    offset: page.offset,
    nextOffset: page.offset + rows.length < listed ? page.offset + rows.length : null,
  };
}

/** Request bytes as UTF-8 text; invalid UTF-8 is refused rather than silently replaced. */
async function readUtf8(c: Context): Promise<string> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpProblem(400, 'invalid-encoding', 'Invalid text encoding', 'The request body is not valid UTF-8');
  }
}

async function readBatch(c: Context): Promise<{ rows: RawBatchRow[]; source: 'json' | 'csv'; batchId?: string | undefined; notify?: boolean | undefined }> {
  const type = c.req.header('content-type') ?? '';
  const isCsv = /^text\/csv\b/i.test(type);
  if (!isCsv && !/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', `Send the batch as application/json (an array of awards) or text/csv (got '${type || 'none'}')`);
  }
  const text = await readUtf8(c);
  if (text.trim() === '') throw badRequest('The request body is empty');
  try {
    if (isCsv) return { rows: awardRowsFromCsv(text, MAX_BATCH_ROWS), source: 'csv' };
    const { rows, batchId, notify } = awardRowsFromJson(parseJsonBody(text), MAX_BATCH_ROWS);
    return { rows, batchId, notify, source: 'json' };
  } catch (error) {
    if (error instanceof BatchTooLargeError) throw new HttpProblem(413, 'batch-too-large', 'Batch too large', error.message, { maxRows: error.maxRows });
    if (error instanceof CsvFormatError) throw badRequest(error.message, error.line === undefined ? undefined : [{ pointer: `/line/${error.line}`, detail: error.message }]);
    if (error instanceof BatchInputError) throw badRequest(error.message);
    throw error;
  }
}

/** The batch id: the `Batch-Id` header, a `batchId` query parameter or JSON field, or a new one. */
function chooseBatchId(c: Context, fromBody: string | undefined): string {
  const given = [c.req.header('batch-id'), c.req.query('batchId'), fromBody].filter((v): v is string => v !== undefined);
  const first = given[0];
  if (first === undefined) return randomUUID();
  if (given.some((v) => v !== first)) throw badRequest('The batch id differs between the Batch-Id header, the batchId parameter and the body');
  if (!BATCH_ID.test(first)) throw badRequest('A batch id is 1 to 100 characters: letters, digits, and . _ : - (not first)', [{ pointer: '/batchId', detail: 'invalid batch id' }]);
  return first;
}

/**
 * Whether to email the claim links: the `Notify: true` header (how a CSV upload asks) or a
 * JSON batch's `"notify": true`; the two must not disagree.
 */
function chooseNotify(c: Context, fromBody: boolean | undefined, mail: unknown): boolean {
  const header = c.req.header('notify');
  let fromHeader: boolean | undefined;
  if (header !== undefined) {
    const value = header.trim().toLowerCase();
    if (value !== 'true' && value !== 'false') throw badRequest("The Notify header must be 'true' or 'false'", [{ pointer: '/notify', detail: 'Notify header must be true or false' }]);
    fromHeader = value === 'true';
  }
  if (fromHeader !== undefined && fromBody !== undefined && fromHeader !== fromBody) {
    throw badRequest("The Notify header and the batch's 'notify' field disagree", [{ pointer: '/notify', detail: 'header and body disagree' }]);
  }
  const notify = fromHeader ?? fromBody ?? false;
  if (notify) {
    try {
      assertMailConfigured(mail);
    } catch (error) {
      if (error instanceof NotifyError) throw unprocessable('mail-not-configured', 'Outgoing mail is not configured', error.message, { errors: [{ pointer: '/notify', detail: error.message }] });
      throw error;
    }
  }
  return notify;
}

function pageOf(c: Context): { offset: number; limit: number; problemsOnly: boolean } {
  const number = (name: string, fallback: number, max: number): number => {
    const raw = c.req.query(name);
    if (raw === undefined) return fallback;
    if (!/^\d{1,6}$/.test(raw) || Number(raw) > max) throw badRequest(`'${name}' must be a whole number from 0 to ${max}`);
    return Number(raw);
  };
  const rows = c.req.query('rows') ?? 'all';
  if (rows !== 'all' && rows !== 'problems') throw badRequest("'rows' must be 'all' or 'problems'");
  return { offset: number('offset', 0, 1_000_000), limit: number('limit', 1000, MAX_PAGE), problemsOnly: rows === 'problems' };
}

export function batchRoutes(deps: AppDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const runner = deps.batches ?? createBatchRunner(deps);
  const maxSize = deps.batchBodyLimit ?? DEFAULT_BATCH_BODY_LIMIT;
  const syncRows = deps.batchSyncRows ?? DEFAULT_BATCH_SYNC_ROWS;

  app.post(
    '/awards/batch',
    requireScope(deps.store, 'issue'),
    bodyLimit({
      maxSize,
      onError: () => {
        throw new HttpProblem(413, 'payload-too-large', 'Payload too large', `A batch upload is limited to ${maxSize} bytes; split the file`);
      },
    }),
    async (c) => {
      const input = await readBatch(c);
      const batchId = chooseBatchId(c, input.batchId);
      const notify = chooseNotify(c, input.notify, deps.mail);
      let submitted;
      try {
        submitted = await runner.submit({ batchId, actor: `token:${c.get('token').name}`, source: input.source, rows: input.rows, notify });
      } catch (error) {
        if (error instanceof NothingToIssueError) {
          throw unprocessable('nothing-to-issue', 'No row can be awarded', error.message, { rows: error.problems.map((p) => ({ line: p.line, problem: p.problem })) });
        }
        if (error instanceof BatchBusyError) throw new HttpProblem(409, 'batch-busy', 'Batch still running', error.message, { batchId });
        throw error;
      }
      const location = `/awards/batch/${encodeURIComponent(batchId)}`;
      const respondAsync = /\brespond-async\b/i.test(c.req.header('prefer') ?? '') || input.rows.length > syncRows;
      if (respondAsync) {
        submitted.done.catch((error: unknown) => deps.logger.error({ err: error, batchId }, 'batch run failed'));
        const view = await batchView(deps, runner, (await deps.store.batches.find(batchId)) ?? submitted.batch, { offset: 0, limit: 0, problemsOnly: false });
        return c.json(view, 202, { Location: location, 'Retry-After': '2' });
      }
      await submitted.done;
      const batch = (await deps.store.batches.find(batchId)) ?? submitted.batch;
      // The rows carry claim links (bearer secrets): no cache keeps them.
      return c.json(await batchView(deps, runner, batch, { offset: 0, limit: MAX_PAGE, problemsOnly: false }), 200, { Location: location, 'Cache-Control': 'no-store' });
    },
  );

  app.get('/awards/batch/:batchId', requireScope(deps.store, 'issue'), async (c) => {
    const batch = await deps.store.batches.find(c.req.param('batchId'));
    if (!batch) throw notFound(`No batch '${c.req.param('batchId')}'`);
    return c.json(await batchView(deps, runner, batch, pageOf(c)), 200, { 'Cache-Control': 'no-store' });
  });

  return app;
}
