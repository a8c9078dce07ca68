// The observer's screen, phone first: the educator, the date and setting, then for each
// competency the lesson showed a rubric level (big tap targets, "not observed" by default), with
// the level descriptions one tap away (<details>, no script). The same form amends an observation
// until a badge counts it. After saving: which badges it awarded, and what is still missing.
import { html } from 'hono/html';
import { rubricOf, SETTINGS } from '../../competencies/framework.js';
import type { CatalogEntry } from '../../competencies/frameworkCatalog.js';
import type { ProgressItem } from '../../competencies/progress.js';
import type { Educator } from '../../educators/masteryRecords.js';
import type { PageOptions } from '../layout.js';
import { consolePage, csrfField, flash, type Viewer } from './shell.js';

export interface ObservationFormValues {
  educator?: string | undefined;
  date: string;
  setting?: string | undefined;
  narrative?: string | undefined;
  /** achievement code → level code */
  ratings: Record<string, string>;
}

export interface ObserveState {
  educators: Educator[];
  entries: CatalogEntry[];
  values: ObservationFormValues;
  /** Amending: the observation and its educator (the educator cannot change). */
  amend?: { observationId: string; educator: Educator } | undefined;
  error?: string | undefined;
}

export function observePage(viewer: Viewer, state: ObserveState): PageOptions {
  const v = state.values;
  const action = state.amend ? `/console/educators/${state.amend.educator.id}/observations/${state.amend.observationId}/amend` : '/console/observe';
  const body = html`<h1>${state.amend ? `Amend an observation of ${state.amend.educator.name}` : 'Record an observation'}</h1>
${flash('error', state.error)}
<form method="post" action="${action}">
${csrfField(viewer)}
${
  state.amend
    ? html`<input type="hidden" name="educator" value="${state.amend.educator.id}">`
    : html`<label for="educator">Educator</label>
<select id="educator" name="educator" required><option value="">Choose the educator</option>${state.educators.map(
        (e) => html`<option value="${e.id}"${e.id === v.educator ? ' selected' : ''}>${e.name}${e.cohort ? ` (${e.cohort})` : ''}</option>`,
      )}</select>`
}
<div class="row">
<div><label for="date">Date of the lesson</label><input type="date" id="date" name="date" required value="${v.date}"></div>
<div><label for="setting">Setting</label><select id="setting" name="setting">${SETTINGS.map((s) => html`<option${s === (v.setting ?? 'in-person') ? ' selected' : ''}>${s}</option>`)}</select></div>
</div>
<p class="note">Observer: ${viewer.name}</p>
<h2>What the lesson showed</h2>
<p class="note">Rate each competency the lesson showed; leave the others at "not observed".</p>
${state.entries.map(({ framework, competency }) => {
  const rubric = rubricOf(framework, competency);
  const chosen = v.ratings[competency.code] ?? '';
  const name = `rating:${competency.code}`;
  const id = (level: string) => `r-${competency.code}-${level || 'none'}`;
  return html`<fieldset>
<legend>${competency.number}. ${competency.name}</legend>
<div class="levels">
<label for="${id('')}"><input type="radio" id="${id('')}" name="${name}" value=""${chosen === '' ? ' checked' : ''}> not observed</label>
${rubric.map((l) => html`<label for="${id(l.code)}"><input type="radio" id="${id(l.code)}" name="${name}" value="${l.code}"${chosen === l.code ? ' checked' : ''}> ${l.name ?? l.code}</label>`)}
</div>
<details><summary>What the levels mean</summary><dl class="levels-help">${rubric.map((l) => html`<dt>${l.name ?? l.code}</dt><dd>${l.description}</dd>`)}</dl><p class="note">${competency.criteria}</p></details>
</fieldset>`;
})}
<label for="narrative">Notes (optional)</label>
<textarea id="narrative" name="narrative" rows="4" maxlength="5000">${v.narrative ?? ''}</textarea>
<div class="actions"><button type="submit">${state.amend ? 'Save the amendment' : 'Save observation'}</button></div>
</form>`;
  return consolePage(viewer, { title: state.amend ? 'Amend an observation' : 'Record an observation', screen: 'observe', body });
}

export interface SavedState {
  educator: Educator;
  observationId: string;
  amended: boolean;
  awarded: Array<{ name: string; level: string; credentialUrl: string }>;
  /** Progress of the competencies the observation rated. */
  progress: Array<{ name: string; item: ProgressItem }>;
}

export function savedPage(viewer: Viewer, s: SavedState): PageOptions {
  const body = html`<h1>${s.amended ? 'Amendment saved' : 'Observation saved'}</h1>
${
  s.awarded.length > 0
    ? html`<div class="card" id="awarded"><p class="notice" role="status">It awarded ${s.awarded.length === 1 ? 'a badge' : `${s.awarded.length} badges`}:</p><ul>${s.awarded.map(
        (a) => html`<li><a href="${a.credentialUrl}">${a.name} (${a.level})</a></li>`,
      )}</ul></div>`
    : html`<p role="status" id="awarded">No new badge for ${s.educator.name} from this observation.</p>`
}
<h2>Where ${s.educator.name} stands</h2>
<ul class="checks">${s.progress.map(
    ({ name, item }) => html`<li><span class="mark ${item.state === 'mastered' ? 'ok' : 'skip'}" aria-hidden="true">${item.state === 'mastered' ? '✓' : item.counted}</span><div><strong>${name} (${item.level})</strong>: ${
      item.state === 'mastered' ? 'mastered' : html`${item.counted} of ${item.required}${item.missing.length ? html`<br><span class="note">Missing: ${item.missing.join('; ')}</span>` : ''}`
    }</div></li>`,
  )}</ul>
<div class="actions"><a class="button" href="/console/observe?educator=${s.educator.id}">Record another for ${s.educator.name}</a><a class="button secondary" href="/console/educators/${s.educator.id}">See ${s.educator.name}</a><a class="button secondary" href="/console/educators/${s.educator.id}/observations/${s.observationId}/amend">Amend it</a></div>`;
  return consolePage(viewer, { title: 'Observation saved', screen: 'observe', body });
}
