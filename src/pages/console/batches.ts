// The console's batches: upload a CSV of awards (the columns of POST /awards/batch) or of
// observations (those of `educred observations import`, run as an import job: src/pages/console/
// imports.ts), watch an award batch's progress (a live progress bar; without script the page
// reloads itself every two seconds while it runs), download the per-row results with their claim links.
import { html } from 'hono/html';
import { CSV_COLUMNS } from '../../awards/batchCsv.js';
import { OBSERVATION_CSV_COLUMNS } from '../../educators/observationsCsv.js';
import type { BatchRecord } from '../../store/batches.js';
import type { ImportJob } from '../../store/imports.js';
import type { PageOptions } from '../layout.js';
import { progressCard, type ProgressState } from './imports.js';
import { consolePage, csrfField, flash, type Viewer } from './shell.js';

export function batchesPage(viewer: Viewer, state: { batches: BatchRecord[]; imports: ImportJob[]; mail: boolean; error?: string | undefined }): PageOptions {
  const body = html`<h1>Batches</h1>
${flash('error', state.error)}
<form method="post" action="/console/batches" enctype="multipart/form-data" class="card">
${csrfField(viewer)}
<fieldset><legend>What the file holds</legend><div class="levels">
<label><input type="radio" name="kind" value="awards" checked> Awards</label>
<label><input type="radio" name="kind" value="observations"> Observations</label></div></fieldset>
<label for="file">CSV file</label>
<input type="file" id="file" name="file" accept=".csv,text/csv" required aria-describedby="columns">
<div id="columns" class="note"><p>Awards: ${CSV_COLUMNS.join(', ')} (as for POST /awards/batch).</p><p>Observations: ${OBSERVATION_CSV_COLUMNS.join(', ')}; one row per rating, the rows of one educator, date and observer are one lesson.</p></div>
${state.mail ? html`<label class="note"><input type="checkbox" name="notify" value="true"> Email each awarded badge's claim link to its recipient</label>` : ''}
<div class="actions"><button type="submit">Upload</button></div>
</form>
<h2>Recent award batches</h2>
${
  state.batches.length === 0
    ? html`<p>None yet.</p>`
    : html`<div class="table-wrap" tabindex="0" role="region" aria-label="Recent batches"><table><thead><tr><th scope="col">Batch</th><th scope="col">Rows</th><th scope="col">State</th><th scope="col">By</th></tr></thead><tbody>${state.batches.map(
        (b) => html`<tr><td><a href="/console/batches/${encodeURIComponent(b.id)}">${b.createdAt.slice(0, 16).replace('T', ' ')}</a></td><td>${b.total}</td><td>${b.state}</td><td>${b.actor}</td></tr>`,
      )}</tbody></table></div>`
}
<h2>Recent imports</h2>
${
  state.imports.length === 0
    ? html`<p>None yet.</p>`
    : html`<div class="table-wrap" tabindex="0" role="region" aria-label="Recent imports"><table><thead><tr><th scope="col">Import</th><th scope="col">Of</th><th scope="col">Rows</th><th scope="col">State</th><th scope="col">By</th></tr></thead><tbody>${state.imports.map(
        (j) => html`<tr><td><a href="/console/imports/${encodeURIComponent(j.id)}">${j.createdAt.slice(0, 16).replace('T', ' ')}</a>${j.fileName ? html`<br><span class="note">${j.fileName}</span>` : ''}</td><td>${j.kind}</td><td>${j.total}</td><td>${j.state}</td><td>${j.actor}</td></tr>`,
      )}</tbody></table></div>`
}`;
  return consolePage(viewer, { title: 'Batches', screen: 'batches', body });
}

export interface BatchView {
  batchId: string;
  state: string;
  running: boolean;
  total: number;
  processed: number;
  counts: Record<string, number>;
  rows: Array<{ line: number; state: string; credentialId?: string; claimUrl?: string | null; problem?: { detail?: string } | string }>;
}

const problemOf = (p: BatchView['rows'][number]['problem']): string => (typeof p === 'string' ? p : (p?.detail ?? ''));

/** What an award batch's progress bar says (the page and its state route say the same words). */
export function batchProgress(view: BatchView): ProgressState {
  const summary = Object.entries(view.counts)
    .filter(([state, n]) => n > 0 && state !== 'pending')
    .map(([state, n]) => `${n} ${state}`)
    .join(' · ');
  return { running: view.running, total: view.total, processed: view.processed, label: `${view.running ? 'Awarding…' : 'Done'} ${view.processed} of ${view.total} rows`, summary: summary || 'Nothing awarded yet.' };
}

export function batchPage(viewer: Viewer, view: BatchView): PageOptions {
  const base = `/console/batches/${encodeURIComponent(view.batchId)}`;
  const body = html`<p><a href="/console/batches">← Batches</a></p>
<h1>Award batch</h1>
${progressCard(batchProgress(view), `${base}/state`, html`<div class="actions"><a class="button" href="${base}/results.csv" download>Download the results (CSV, with claim links)</a></div>`)}
<div id="rows"><h2>Rows</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Rows"><table><thead><tr><th scope="col">Line</th><th scope="col">Result</th><th scope="col">Badge or problem</th></tr></thead><tbody>${view.rows.map(
    (r) => html`<tr><td>${r.line}</td><td>${r.state}</td><td>${r.credentialId ? html`<a href="${r.credentialId}">badge</a>` : ''}${r.problem ? problemOf(r.problem) : ''}</td></tr>`,
  )}</tbody></table></div></div>`;
  return consolePage(viewer, { title: 'Award batch', screen: 'batches', body, refreshSeconds: view.running ? 2 : undefined });
}
