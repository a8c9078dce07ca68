// The console's page of an import job (educators from the Educators screen, observations from
// Batches): a live progress bar (the console script follows the job's state route; without
// script the page reloads itself), the counts in a polite live region, the results to download,
// and a row per educator or observation with its outcome (or the column to fix).
import { html } from 'hono/html';
import type { ImportRowView, ImportView } from '../../http/imports.js';
import type { Html, PageOptions } from '../layout.js';
import { consolePage, type Viewer } from './shell.js';

/** What the progress bar says, and the counts: the page and the state route say the same words. */
export interface ProgressState {
  running: boolean;
  total: number;
  processed: number;
  /** The words beside the bar: "Importing… 3 of 10 rows". */
  label: string;
  /** The counts, e.g. "3 created · 1 already there". */
  summary: string;
}

const STATE_WORDS: Record<string, string> = {
  pending: 'waiting',
  created: 'created',
  existing: 'already there',
  recorded: 'recorded',
  invalid: 'invalid',
  duplicate: 'duplicate',
  refused: 'refused',
  failed: 'failed',
};

export function importProgress(view: Pick<ImportView, 'running' | 'total' | 'processed' | 'counts' | 'kind'>): ProgressState {
  const noun = view.kind === 'educators' ? 'educators' : 'observations';
  const summary = Object.entries(view.counts)
    .filter(([state, n]) => n > 0 && state !== 'pending')
    .map(([state, n]) => `${n} ${STATE_WORDS[state] ?? state}`)
    .join(' · ');
  return {
    running: view.running,
    total: view.total,
    processed: view.processed,
    label: `${view.running ? 'Importing…' : 'Done:'} ${view.processed} of ${view.total} ${noun}`,
    summary: summary || 'Nothing imported yet.',
  };
}

/** The progress bar with its label and live counts; `stateUrl` while it runs (the script follows it). */
export function progressCard(p: ProgressState, stateUrl: string, actions: Html): Html {
  return html`<div class="card">
<label id="progress-label" for="progress">${p.label}</label>
<progress id="progress" max="${Math.max(1, p.total)}" value="${p.processed}"${p.running ? html` data-state="${stateUrl}"` : ''}>${p.processed} of ${p.total}</progress>
<p id="progress-counts" role="status" aria-live="polite" aria-atomic="true">${p.summary}</p>
${actions}
<div id="progress-note">${p.running ? html`<noscript><p class="note">This page refreshes itself while it runs.</p></noscript>` : ''}</div>
</div>`;
}

function outcome(kind: ImportView['kind'], r: ImportRowView): Html | string {
  if (r.problem) return html`${r.problem.column ? html`<strong>${r.problem.column}</strong>: ` : ''}${r.problem.detail.replace(/^line \d+: /, '')}`;
  if (kind === 'educators') {
    const link = r.educatorId ? html`<a href="/console/educators/${r.educatorId}">the educator</a>` : '';
    return r.state === 'existing' ? html`already there: ${link}${r.differs ? html` <span class="note">(the file differs in ${r.differs.join(', ')}; not changed)</span>` : ''}` : html`${link}`;
  }
  const awarded = r.awarded ?? [];
  return html`${r.educatorId ? html`<a href="/console/educators/${r.educatorId}">the educator</a>` : ''}${awarded.length > 0 ? html`; awarded ${awarded.map((a, i) => html`${i > 0 ? ', ' : ''}${a.credentialId ? html`<a href="${a.credentialId}">${a.achievement} (${a.level})</a>` : `${a.achievement} (${a.level})`}`)}` : ''}`;
}

export function importPage(viewer: Viewer, view: ImportView): PageOptions {
  const screen = view.kind === 'educators' ? 'educators' : 'batches';
  const title = view.kind === 'educators' ? 'Educator import' : 'Observation import';
  const base = `/console/imports/${encodeURIComponent(view.jobId)}`;
  const back = view.kind === 'educators' ? html`<a href="/console/educators">← Educators</a>` : html`<a href="/console/batches">← Batches</a>`;
  const body = html`<p>${back}</p>
<h1>${title}</h1>
${view.fileName ? html`<p class="note">From ${view.fileName}, ${view.createdAt.slice(0, 16).replace('T', ' ')}</p>` : ''}
${progressCard(importProgress(view), `${base}/state`, html`<div class="actions"><a class="button" href="${base}/results.csv" download>Download the results (CSV${view.kind === 'observations' ? ', with claim links' : ''})</a></div>`)}
<div id="rows"><h2>Rows</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Rows"><table><thead><tr><th scope="col">Line</th><th scope="col">Result</th><th scope="col">Details</th></tr></thead><tbody>${view.rows.map(
    (r) => html`<tr data-line="${r.line}"><td>${(r.lines ?? [r.line]).join(', ')}</td><td>${STATE_WORDS[r.state] ?? r.state}</td><td>${outcome(view.kind, r)}</td></tr>`,
  )}</tbody></table></div>${view.nextOffset !== null ? html`<p class="note">The first ${view.rows.length} rows are shown; the download has them all.</p>` : ''}</div>`;
  return consolePage(viewer, { title, screen, body, refreshSeconds: view.running ? 2 : undefined });
}
