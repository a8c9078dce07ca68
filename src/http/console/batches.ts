// Batches in the console: a CSV of awards goes to the batch runner POST /awards/batch uses (in
// the background; the batch page shows its progress); a CSV of observations is recorded row by
// row through the same domain function as POST /educators/:id/observations (as the CLI's
// import does), acting as the signed-in person. Results download as CSV with the claim links.
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { awardRowsFromCsv, CsvFormatError } from '../../awards/batchCsv.js';
import { BatchTooLargeError, MAX_BATCH_ROWS } from '../../awards/batchInput.js';
import { BatchBusyError, createBatchRunner, NothingToIssueError } from '../../awards/batchRunner.js';
import { actorOf } from '../../console/sessions.js';
import { EducatorNotFoundError } from '../../educators/errors.js';
import { recordObservation } from '../../educators/masteryRecords.js';
import { observationsFromCsv } from '../../educators/observationsCsv.js';
import { batchesPage, batchPage, observationImportPage, type BatchView, type ObservationImportView } from '../../pages/console/batches.js';
import { consolePage } from '../../pages/console/shell.js';
import { sendPage } from '../../pages/layout.js';
import { batchView, DEFAULT_BATCH_BODY_LIMIT } from '../batches.js';
import type { AppDeps } from '../deps.js';
import { catalogOf, masteryDepsFor } from '../educators.js';
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
  const catalog = catalogOf(deps);
  const maxSize = deps.batchBodyLimit ?? DEFAULT_BATCH_BODY_LIMIT;
  const list = async (c: Context<ConsoleEnv>, error?: string) =>
    sendPage(c, batchesPage(c.get('viewer'), { batches: await deps.store.batches.recent(20), mail: deps.mail !== undefined, error }), error ? 400 : 200);

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
        let parsed;
        try {
          parsed = observationsFromCsv(text);
        } catch (error) {
          if (error instanceof CsvFormatError) return list(c, error.message);
          throw error;
        }
        const mastery = await masteryDepsFor(deps, actor);
        const view: ObservationImportView = { observations: parsed.observations.length, recorded: 0, awarded: [], rows: [], csv: '' };
        const results: string[][] = parsed.problems.map((p) => [String(p.line), '', 'invalid', p.detail, '']);
        for (const o of parsed.observations) {
          try {
            const educator = await deps.store.educators.findEducatorByReference(o.educator);
            if (!educator) throw new EducatorNotFoundError(o.educator);
            const outcome = await recordObservation(mastery, educator.id, o.body);
            view.recorded += 1;
            const badges = outcome.awarded.map((a) => ({ educator: educator.name, name: catalog.achievement(a.achievement)?.competency.name ?? a.achievement, level: a.level }));
            view.awarded.push(...badges);
            view.rows.push({ lines: o.lines, educator: educator.name, result: `recorded${badges.length ? `; awarded ${badges.map((b) => `${b.name} (${b.level})`).join(', ')}` : ''}` });
            results.push([o.lines.join(' '), o.educator, 'recorded', '', outcome.awarded.map((a) => a.claimUrl ?? a.awardId).join(' ')]);
          } catch (error) {
            if (!(error instanceof Error && 'code' in error)) throw error;
            view.rows.push({ lines: o.lines, educator: o.educator, result: error.message });
            results.push([o.lines.join(' '), o.educator, 'refused', error.message, '']);
          }
        }
        for (const p of parsed.problems) view.rows.push({ lines: [p.line], educator: '', result: p.detail });
        view.rows.sort((a, b) => (a.lines[0] ?? 0) - (b.lines[0] ?? 0));
        view.csv = [csvLine(['lines', 'educator', 'result', 'problem', 'claim_urls']), ...results.map(csvLine)].join('\r\n');
        await deps.store.audit.record({ actor, action: 'observations.imported', subject: `file:${file.name.slice(0, 200)}`, detail: { observations: view.observations, recorded: view.recorded, awarded: view.awarded.length } });
        c.header('Cache-Control', 'no-store');
        return sendPage(c, observationImportPage(c.get('viewer'), view));
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
