// The console's educator screens: the searchable list with its progress grid (competency ×
// state, with the level reached), and one educator: what counts and what is missing for each
// competency, the badges with their live status and claim links, and the observations on a timeline.
import { html } from 'hono/html';
import type { CatalogEntry } from '../../competencies/frameworkCatalog.js';
import type { ProgressItem, RecordedObservation } from '../../competencies/progress.js';
import type { Educator } from '../../educators/masteryRecords.js';
import { may } from '../../console/roles.js';
import { EDUCATOR_CSV_COLUMNS } from '../../educators/educatorsCsv.js';
import type { Html, PageOptions } from '../layout.js';
import { consolePage, csrfField, flash, type Viewer } from './shell.js';

export interface EducatorRow {
  educator: Educator;
  progress: ProgressItem[];
}

export interface EducatorListState {
  rows: EducatorRow[];
  entries: CatalogEntry[];
  cohorts: string[];
  q?: string | undefined;
  cohort?: string | undefined;
  nextHref?: string | undefined;
  error?: string | undefined;
}

/** The highest level mastered, else the first level's counted/required. */
function cell(items: ProgressItem[]): { text: string; label: string; state: string } {
  const mastered = items.filter((i) => i.state === 'mastered');
  const top = mastered[mastered.length - 1];
  if (top) return { text: top.level.slice(0, 1).toUpperCase(), label: `mastered at ${top.level}`, state: 'mastered' };
  const first = items[0];
  if (!first || first.state === 'not-started') return { text: '·', label: 'not started', state: 'not-started' };
  return { text: `${first.counted}/${first.required}`, label: `in progress: ${first.counted} of ${first.required} toward ${first.level}`, state: 'in-progress' };
}

export function educatorListPage(viewer: Viewer, state: EducatorListState): PageOptions {
  const codes = state.entries.map((e) => e.competency.code);
  const body = html`<h1>Educators</h1>
${flash('error', state.error)}
<form method="get" action="/console/educators" class="card" role="search">
  <div class="row">
    <div><label for="q">Search by name, email or number</label><input type="search" id="q" name="q" value="${state.q ?? ''}"></div>
    <div><label for="cohort">Cohort</label><select id="cohort" name="cohort"><option value="">All cohorts</option>${state.cohorts.map((c) => html`<option${c === state.cohort ? ' selected' : ''}>${c}</option>`)}</select></div>
  </div>
  <div class="actions"><button type="submit">Search</button></div>
</form>
${
  state.rows.length === 0
    ? html`<p>No educators${state.q || state.cohort ? ' match' : ' yet'}.</p>`
    : html`<div class="table-wrap" tabindex="0" role="region" aria-label="Progress grid">
<table class="grid">
<caption class="sr-only">Progress of each educator on each competency</caption>
<thead><tr><th scope="col">Educator</th>${state.entries.map((e) => html`<th scope="col" class="c"><abbr title="${e.competency.name}">${e.competency.number}</abbr></th>`)}</tr></thead>
<tbody>${state.rows.map(
        (r) => html`<tr><th scope="row"><a href="/console/educators/${r.educator.id}">${r.educator.name}</a>${r.educator.cohort ? html`<br><span class="note">${r.educator.cohort}</span>` : ''}</th>${codes.map((code) => {
          const c = cell(r.progress.filter((p) => p.achievement === code));
          return html`<td class="c ${c.state}"><span aria-hidden="true">${c.text}</span><span class="sr-only">${c.label}</span></td>`;
        })}</tr>`,
      )}</tbody>
</table></div>
<details><summary>What the columns are</summary><ol class="note">${state.entries.map((e) => html`<li value="${e.competency.number}">${e.competency.name}</li>`)}</ol>
<p class="note">A letter is the highest level mastered (P proficient, E exemplary); 3/5 is observations counted toward the first badge level; · not started.</p></details>`
}
${state.nextHref ? html`<p><a href="${state.nextHref}">Next page</a></p>` : ''}
${
  may(viewer.role, 'issue')
    ? html`<details class="card"><summary>Add an educator</summary>
<form method="post" action="/console/educators">${csrfField(viewer)}
<div class="row"><div><label for="name">Name</label><input type="text" id="name" name="name" required maxlength="200" autocomplete="off"></div>
<div><label for="email">Email</label><input type="email" id="email" name="email" maxlength="320" autocomplete="off"></div></div>
<div class="row"><div><label for="externalId">Program number (optional)</label><input type="text" id="externalId" name="externalId" maxlength="100"></div>
<div><label for="new-cohort">Cohort (optional)</label><input type="text" id="new-cohort" name="cohort" maxlength="100"></div></div>
<div class="actions"><button type="submit">Add educator</button></div></form>
<p class="note">Many at once: upload observations or awards under <a href="/console/batches">Batches</a>.</p></details>
<details class="card" id="import"><summary>Import from CSV</summary>
<form method="post" action="/console/educators/import" enctype="multipart/form-data">${csrfField(viewer)}
<label for="import-file">CSV file of educators</label>
<input type="file" id="import-file" name="file" accept=".csv,text/csv" required aria-describedby="import-columns">
<p id="import-columns" class="note">Columns: ${EDUCATOR_CSV_COLUMNS.join(', ')} (a header row; name, and email or did, are required). Someone already here (the same external_id, email or DID) is not added twice.</p>
<div class="actions"><button type="submit">Import educators</button></div></form>
<p class="note">The import runs in the background; its page shows the progress and each row. Past imports are listed under <a href="/console/batches">Batches</a>.</p></details>`
    : ''
}`;
  return consolePage(viewer, { title: 'Educators', screen: 'educators', body });
}

export interface BadgeView {
  awardId: string;
  achievement: string;
  achievementName: string;
  level: string;
  createdAt: string;
  credentialUrl: string;
  status: 'valid' | 'revoked' | 'suspended';
  canSuspend: boolean;
  /** The live claim link (for a registrar), or why there is none. */
  claim?: { url: string; expiresAt: string } | { unavailable: string } | undefined;
}

export interface EducatorState {
  educator: Educator;
  progress: ProgressItem[];
  entries: CatalogEntry[];
  observations: RecordedObservation[];
  badges: BadgeView[];
  /** Observation id → the badges (not revoked) that count it. */
  countedBy: Map<string, string[]>;
  notice?: string | undefined;
  error?: string | undefined;
}

const STATUS_TONE = { valid: 'ok', revoked: 'bad', suspended: 'warn' } as const;
const STATUS_LABEL = { valid: 'Valid', revoked: 'Revoked', suspended: 'Suspended' } as const;
const UNAVAILABLE: Record<string, string> = {
  claimed: 'Collected by the educator.',
  revoked: 'No link: the badge is revoked.',
  suspended: 'No link while the badge is suspended.',
  'status-unknown': 'No link: the status could not be read.',
  'no-live-link': 'The link expired; make a new one.',
};

function badgeCard(viewer: Viewer, b: BadgeView, educatorId: string): Html {
  const claim = b.claim;
  return html`<li class="card" id="badge-${b.awardId}">
  <h3>${b.achievementName} <span class="note">(${b.level})</span></h3>
  <p><span class="pill ${STATUS_TONE[b.status]}" data-status="${b.status}">${STATUS_LABEL[b.status]}</span> <span class="note">awarded ${b.createdAt.slice(0, 10)}</span> · <a href="${b.credentialUrl}">Public badge page</a></p>
  ${
    claim && 'url' in claim
      ? html`<label for="claim-${b.awardId}">Claim link (until ${claim.expiresAt.slice(0, 10)})</label>
  <div class="copy"><input type="text" id="claim-${b.awardId}" readonly value="${claim.url}"><button type="button" class="secondary small" data-copy="claim-${b.awardId}" hidden>Copy</button></div>`
      : claim
        ? html`<p class="note">${UNAVAILABLE[claim.unavailable] ?? claim.unavailable}</p>`
        : ''
  }
  ${
    may(viewer.role, 'issue') && b.status === 'valid' && claim && !('unavailable' in claim && claim.unavailable === 'claimed')
      ? html`<form method="post" action="/console/awards/${b.awardId}/claim-link" class="actions">${csrfField(viewer)}<input type="hidden" name="educator" value="${educatorId}"><button type="submit" class="secondary small">Send again: new claim link</button></form>`
      : ''
  }
  ${
    may(viewer.role, 'revoke') && b.status !== 'revoked'
      ? html`<details><summary>${b.status === 'suspended' ? 'Reinstate or revoke' : 'Revoke or suspend'}</summary>
  <form method="post" action="/console/awards/${b.awardId}/status">${csrfField(viewer)}<input type="hidden" name="educator" value="${educatorId}">
  <fieldset><legend>Action</legend><div class="levels">
  ${b.status === 'suspended' ? html`<label><input type="radio" name="action" value="reinstate" required> Reinstate</label>` : b.canSuspend ? html`<label><input type="radio" name="action" value="suspend" required> Suspend</label>` : ''}
  <label><input type="radio" name="action" value="revoke" required> Revoke (final)</label></div></fieldset>
  <label for="reason-${b.awardId}">Reason (kept in the audit log, not published)</label>
  <textarea id="reason-${b.awardId}" name="reason" required maxlength="2000" rows="3"></textarea>
  <div class="actions"><button type="submit">Continue</button></div></form></details>`
      : ''
  }
</li>`;
}

function progressSection(state: EducatorState): Html {
  return html`<ul class="plain">${state.entries.map((e) => {
    const items = state.progress.filter((p) => p.achievement === e.competency.code);
    return html`<li class="card"><h3>${e.competency.number}. ${e.competency.name}</h3><ul class="checks">${items.map(
      (i) => html`<li><span class="mark ${i.state === 'mastered' ? 'ok' : 'skip'}" aria-hidden="true">${i.state === 'mastered' ? '✓' : `${i.counted}`}</span><div><strong>${i.level}</strong>: ${
        i.state === 'mastered' ? html`mastered${i.awardId ? ' (badge issued)' : ''}` : html`${i.counted} of ${i.required} counted${i.missing.length > 0 ? html`<br><span class="note">Missing: ${i.missing.join('; ')}</span>` : ''}`
      }</div></li>`,
    )}</ul></li>`;
  })}</ul>`;
}

function timeline(viewer: Viewer, state: EducatorState): Html {
  const nameOf = (code: string) => state.entries.find((e) => e.competency.code === code)?.competency.name ?? code;
  const sorted = [...state.observations].sort((a, b) => b.date.localeCompare(a.date) || (b.recordedAt ?? '').localeCompare(a.recordedAt ?? ''));
  if (sorted.length === 0) return html`<p>No observations yet.</p>`;
  return html`<ol class="timeline">${sorted.map((o) => {
    const counted = state.countedBy.get(o.id) ?? [];
    const own = o.educatorId === state.educator.id;
    return html`<li><div class="card"><h3>${o.date}${o.setting ? html` · ${o.setting}` : ''}${o.withdrawn ? html` <span class="pill bad">withdrawn</span>` : ''}</h3>
<p class="note">Observed by ${o.observer}${own ? '' : ' (a team lesson shared with this educator)'}</p>
<ul class="plain">${o.ratings.map((r) => html`<li>${nameOf(r.achievement)}: <strong>${r.level}</strong></li>`)}</ul>
${o.narrative ? html`<p>${o.narrative}</p>` : ''}
${
  counted.length > 0
    ? html`<p class="note">Counted in ${counted.join(', ')}: it can no longer be amended.</p>`
    : own && !o.withdrawn && may(viewer.role, 'observe')
      ? html`<p><a href="/console/educators/${state.educator.id}/observations/${o.id}/amend">Amend this observation</a></p>`
      : ''
}</div></li>`;
  })}</ol>`;
}

export function educatorPage(viewer: Viewer, state: EducatorState): PageOptions {
  const e = state.educator;
  const body = html`<p><a href="/console/educators">← Educators</a></p>
<h1>${e.name}</h1>
${flash('notice', state.notice)}${flash('error', state.error)}
<dl class="facts">${e.email ? html`<dt>Email</dt><dd>${e.email}</dd>` : ''}${e.did ? html`<dt>DID</dt><dd>${e.did}</dd>` : ''}${e.externalId ? html`<dt>Program number</dt><dd>${e.externalId}</dd>` : ''}${e.cohort ? html`<dt>Cohort</dt><dd>${e.cohort}</dd>` : ''}</dl>
${may(viewer.role, 'observe') ? html`<p><a class="button" href="/console/observe?educator=${e.id}">Record an observation</a></p>` : ''}
<h2>Badges</h2>
${state.badges.length === 0 ? html`<p>No badges yet.</p>` : html`<ul class="plain">${state.badges.map((b) => badgeCard(viewer, b, e.id))}</ul>`}
<h2>Progress</h2>
${progressSection(state)}
<h2>Observations</h2>
${timeline(viewer, state)}`;
  return consolePage(viewer, { title: e.name, screen: 'educators', body });
}

export interface StatusConfirmState {
  educatorId: string;
  educatorName: string;
  awardId: string;
  badgeName: string;
  action: 'revoke' | 'suspend' | 'reinstate';
  reason: string;
}

const ACTION_WORDS = {
  revoke: { verb: 'Revoke', says: 'Revoking is final: the badge stops verifying for everyone it was shared with, and cannot be reinstated.' },
  suspend: { verb: 'Suspend', says: 'A suspended badge does not verify until it is reinstated.' },
  reinstate: { verb: 'Reinstate', says: 'The badge verifies again.' },
} as const;

export function statusConfirmPage(viewer: Viewer, s: StatusConfirmState): PageOptions {
  const words = ACTION_WORDS[s.action];
  const body = html`<h1>${words.verb} this badge?</h1>
<div class="card"><p><strong>${s.badgeName}</strong>, awarded to ${s.educatorName}.</p><p>${words.says}</p><p>Reason: ${s.reason}</p>
<form method="post" action="/console/awards/${s.awardId}/status" class="actions">${csrfField(viewer)}
<input type="hidden" name="educator" value="${s.educatorId}"><input type="hidden" name="action" value="${s.action}"><input type="hidden" name="reason" value="${s.reason}"><input type="hidden" name="confirm" value="yes">
<button type="submit"${s.action === 'revoke' ? ' class="danger"' : ''}>Yes, ${words.verb.toLowerCase()} it</button><a class="button secondary" href="/console/educators/${s.educatorId}">Cancel</a></form></div>`;
  return consolePage(viewer, { title: `${words.verb} badge`, screen: 'educators', body });
}
