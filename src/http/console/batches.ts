// Batches in the console: a CSV of awards goes to the batch runner POST /awards/batch uses, a
// CSV of observations to the import runner POST /observations/import uses (src/http/console/
// imports.ts), both in the background, acting as the signed-in person; their pages show a live
// progress bar (a state route the console script reads). Results download as CSV with the claim links.
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { awardRowsFromCsv, CsvFormatError } from '../../awards/batchCsv.js';
import { BatchTooLargeError, MAX_BATCH_ROWS } from '../../awards/batchInput.js';
import { BatchBusyError, createBatchRunner, NothingToIssueError } from '../../awards/batchRunner.js';
import { actorOf } from '../../console/sessions.js';
import { batchesPage, batchPage, batchProgress, type BatchView } from '../../pages/console/batches.js';
import { consolePage } from '../../pages/console/shell.js';
import { sendPage } from '../../pages/layout.js';
import { batchView, DEFAULT_BATCH_BODY_LIMIT } from '../batches.js';
import type { AppDeps } from '../deps.js';
import { startImport } from './imports.js';
import { messageBody, type ConsoleEnv, type ConsoleGuard } from './session.js';

/** A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
const csvField = (value: unknown): string => {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
export const csvLine = (cells: readonly unknown[]): string => cells.map(csvField).join(',');

const ROWS_SHOWN = 500;

export function consoleBatchRoutes(deps: AppDeps, guard: ConsoleGuard): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const runner = deps.batches ?? createBatchRunner(deps);
  const maxSize = deps.batchBodyLimit ?? DEFAULT_BATCH_BODY_LIMIT;
  const list = async (c: Context<ConsoleEnv>, error?: string) =>
    sendPage(c, batchesPage(c.get('viewer'), { batches: await deps.store.batches.recent(20), imports: await deps.store.imports.recent(20), mail: deps.mail !== undefined, error }), error ? 400 : 200);

  app.get('/console/batches', guard.require('issue'), (c) => list(c));

  app.post(
    '/console/batches',
    bodyLimit({ maxSize, onError: (c) => c.text(`A batch upload is limited to ${maxSize} bytes; split the file`, 413) }),
    guard.require('issue'),
    async (c) => {
      const form = c.get('form');
      const file = form.file;
      if (!(file instanceof File) || file.size === 0) return list(c, 'Choose a CSV file.');
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
      } catch {
        return list(c, 'The file is not UTF-8 text; save it from the spreadsheet as "CSV UTF-8".');
      }
      const person = c.get('session').person;
      const actor = actorOf(person);
      if (form.kind === 'observations') {
        // In the background, as an import job (its page shows the progress and the rows).
        const started = await startImport(deps, c, 'observations', file);
        return 'error' in started ? list(c, started.error) : c.redirect(started.location, 303);
      }
      let rows;
      try {
        rows = awardRowsFromCsv(text, MAX_BATCH_ROWS);
      } catch (error) {
        if (error instanceof CsvFormatError || error instanceof BatchTooLargeError) return list(c, error.message);
        throw error;
      }
      const batchId = randomUUID();
      try {
        const submitted = await runner.submit({ batchId, actor, source: 'csv', rows, notify: form.notify === 'true' && deps.mail !== undefined });
        submitted.done.catch((error: unknown) => deps.logger.error({ err: error, batchId }, 'batch run failed'));
      } catch (error) {
        if (error instanceof NothingToIssueError) return list(c, `No row can be awarded: ${error.problems.slice(0, 3).map((p) => `line ${p.line}: ${p.problem.detail}`).join('; ')}`);
        if (error instanceof BatchBusyError) return list(c, error.message);
        throw error;
      }
      return c.redirect(`/console/batches/${batchId}`, 303);
    },
  );

  const findView = async (id: string, limit: number): Promise<BatchView | undefined> => {
    const batch = await deps.store.batches.find(id);
    return batch ? ((await batchView(deps, runner, batch, { offset: 0, limit, problemsOnly: false })) as unknown as BatchView) : undefined;
  };

  app.get('/console/batches/:id', guard.require('issue'), async (c) => {
    const view = await findView(c.req.param('id'), ROWS_SHOWN);
    if (!view) return sendPage(c, consolePage(c.get('viewer'), { title: 'Not found', screen: 'batches', body: messageBody('No such batch', 'There is no batch with this id.') }), 404);
    return sendPage(c, batchPage(c.get('viewer'), view));
  });

  // What the live progress bar reads (the console script, connect-src 'self').
  app.get('/console/batches/:id/state', guard.require('issue'), async (c) => {
    const view = await findView(c.req.param('id'), 0);
    if (!view) return c.json({ error: 'not found' }, 404);
    return c.json(batchProgress(view));
  });

  app.get('/console/batches/:id/results.csv', guard.require('issue'), async (c) => {
    const view = await findView(c.req.param('id'), 10_000);
    if (!view) return c.text('No such batch', 404);
    const lines = [csvLine(['line', 'state', 'credential_id', 'claim_url', 'problem'])];
    for (const r of view.rows) lines.push(csvLine([r.line, r.state, r.credentialId, r.claimUrl, typeof r.problem === 'string' ? r.problem : r.problem?.detail]));
    // Claim links are bearer secrets: never cached.
    return c.body(lines.join('\r\n') + '\r\n', 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="batch-${view.batchId}.csv"`, 'Cache-Control': 'no-store' });
  });

  return app;
}
