// Imports in the console: "Import from CSV" on the Educators screen, and the observation files
// uploaded under Batches (src/http/console/batches.ts), both run by the import runner POST
// /educators/import and POST /observations/import use (src/educators/importRunner.ts), acting
// as the signed-in person. The job's page shows a live progress bar (its state route, read by
// the console script; without script the page reloads itself) and the per-row results, which
// download as CSV (observation rows with their badges' claim links).
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { actorOf } from '../../console/sessions.js';
import { NothingToImportError } from '../../educators/importRunner.js';
import { importPage, importProgress } from '../../pages/console/imports.js';
import { consolePage } from '../../pages/console/shell.js';
import { sendPage } from '../../pages/layout.js';
import type { ImportKind } from '../../store/imports.js';
import { DEFAULT_BATCH_BODY_LIMIT } from '../batches.js';
import type { AppDeps } from '../deps.js';
import { csvProblem, importRowsFromCsv, importRunnerOf, importView } from '../imports.js';
import { csvLine } from './batches.js';
import { messageBody, type ConsoleEnv, type ConsoleGuard } from './session.js';

const ROWS_SHOWN = 500;

/** A console upload's file as UTF-8 text, or why not (the words for the person at the browser). */
export async function uploadedText(file: unknown): Promise<{ text: string; name: string } | { error: string }> {
  if (!(file instanceof File) || file.size === 0) return { error: 'Choose a CSV file.' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer()), name: file.name.slice(0, 200) };
  } catch {
    return { error: 'The file is not UTF-8 text; save it from the spreadsheet as "CSV UTF-8".' };
  }
}

/**
 * Starts an import job from an uploaded file as the signed-in person: the job's page to go to,
 * or what is wrong with the file (nothing is stored then).
 */
export async function startImport(deps: AppDeps, c: Context<ConsoleEnv>, kind: ImportKind, file: unknown): Promise<{ location: string } | { error: string }> {
  const upload = await uploadedText(file);
  if ('error' in upload) return upload;
  let rows;
  try {
    rows = importRowsFromCsv(kind, upload.text);
  } catch (error) {
    const problem = csvProblem(error);
    if (problem) return { error: problem.detail };
    throw error;
  }
  try {
    const { job, done } = await importRunnerOf(deps).submit({ kind, actor: actorOf(c.get('session').person), fileName: upload.name, rows });
    done.catch((error: unknown) => deps.logger.error({ err: error, jobId: job.id }, 'import run failed'));
    return { location: `/console/imports/${job.id}` };
  } catch (error) {
    if (error instanceof NothingToImportError) return { error: `No row can be imported: ${error.problems.slice(0, 3).map((p) => p.problem.detail).join('; ')}` };
    throw error;
  }
}

export function consoleImportRoutes(deps: AppDeps, guard: ConsoleGuard): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const maxSize = deps.batchBodyLimit ?? DEFAULT_BATCH_BODY_LIMIT;

  app.post(
    '/console/educators/import',
    bodyLimit({ maxSize, onError: (c) => c.text(`An import is limited to ${maxSize} bytes; split the file`, 413) }),
    guard.require('issue'),
    async (c) => {
      const started = await startImport(deps, c, 'educators', c.get('form').file);
      if ('error' in started) return c.redirect(`/console/educators?error=${encodeURIComponent(started.error.slice(0, 400))}#import`, 303);
      return c.redirect(started.location, 303);
    },
  );

  const findJob = (id: string) => deps.store.imports.find(id);
  const notFound = (c: Context<ConsoleEnv>) => sendPage(c, consolePage(c.get('viewer'), { title: 'Not found', screen: 'batches', body: messageBody('No such import', 'There is no import with this id.') }), 404);

  app.get('/console/imports/:id', guard.require('issue'), async (c) => {
    const job = await findJob(c.req.param('id'));
    if (!job) return notFound(c);
    return sendPage(c, importPage(c.get('viewer'), await importView(deps, job, { offset: 0, limit: ROWS_SHOWN })));
  });

  // What the live progress bar reads (the console script, connect-src 'self').
  app.get('/console/imports/:id/state', guard.require('issue'), async (c) => {
    const job = await findJob(c.req.param('id'));
    if (!job) return c.json({ error: 'not found' }, 404);
    return c.json(importProgress(await importView(deps, job, { offset: 0, limit: 0 })));
  });

  app.get('/console/imports/:id/results.csv', guard.require('issue'), async (c) => {
    const job = await findJob(c.req.param('id'));
    if (!job) return c.text('No such import', 404);
    const view = await importView(deps, job, { offset: 0, limit: 10_000 });
    const lines =
      job.kind === 'educators'
        ? [csvLine(['line', 'state', 'educator_id', 'column', 'problem']), ...view.rows.map((r) => csvLine([r.line, r.state, r.educatorId, r.problem?.column, r.problem?.detail]))]
        : [
            csvLine(['lines', 'state', 'educator_id', 'observation_id', 'awarded', 'claim_urls', 'column', 'problem']),
            ...view.rows.map((r) =>
              csvLine([(r.lines ?? [r.line]).join(' '), r.state, r.educatorId, r.observationId, (r.awarded ?? []).map((a) => `${a.achievement} (${a.level})`).join('; '), (r.awarded ?? []).map((a) => a.claimUrl ?? '').join(' '), r.problem?.column, r.problem?.detail]),
            ),
          ];
    // Claim links are bearer secrets: never cached.
    return c.body(lines.join('\r\n') + '\r\n', 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="import-${job.id}.csv"`, 'Cache-Control': 'no-store' });
  });

  return app;
}
