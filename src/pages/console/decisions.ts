// The console's decisions (issue 17): the agency's decision records, newest first, and one
// decision with its summary (the same one the officer page prints) and, when it approved, the
// form that turns it into a licence (POST /decisions/:id/license does the same for systems).
import { html } from 'hono/html';
import { decisionSummary } from '../presentationRequestPage.js';
import type { DecisionRecord } from '../../store/decisions.js';
import type { RuleSummary } from '../../verify/types.js';
import type { PageOptions } from '../layout.js';
import { consolePage, csrfField, flash, type Viewer } from './shell.js';

const when = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

export function decisionsPage(viewer: Viewer, state: { decisions: readonly DecisionRecord[]; ruleName: (id: string) => string; olderHref?: string | undefined }): PageOptions {
  const body = html`<h1>Decisions</h1>
<p class="note">Every answered presentation request, in the order they were made. An approval can be turned into a licence from its page.</p>
${state.decisions.length === 0
  ? html`<p>No decision yet: presentation requests are made with <code>POST /presentation-requests</code>.</p>`
  : html`<div class="table-wrap"><table id="decisions"><thead><tr><th>Decided</th><th>Educator</th><th>Rule</th><th>Decision</th></tr></thead><tbody>${state.decisions.map(
      (d) => html`<tr><td>${when(d.decidedAt)}</td><td><a href="/console/decisions/${d.id}">${d.name ?? d.holder ?? 'unnamed'}</a></td><td>${state.ruleName(d.rule)}</td><td>${d.approved ? 'Approved' : 'Not approved'}</td></tr>`,
    )}</tbody></table></div>`}
${state.olderHref ? html`<p><a href="${state.olderHref}">Later decisions</a></p>` : ''}`;
  return consolePage(viewer, { title: 'Decisions', screen: 'decisions', body });
}

export interface LicenseFormState {
  code?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
  error?: string | undefined;
  reasons?: string[] | undefined;
  issued?: { credentialUrl: string; claimUrl?: string | undefined } | undefined;
}

export function decisionPage(viewer: Viewer, decision: DecisionRecord, rule: RuleSummary | undefined, form: LicenseFormState = {}): PageOptions {
  const licenseForm = decision.approved
    ? html`<h2 id="license">Issue the licence</h2>
${form.issued
  ? html`<p class="notice" role="status" id="license-issued">Licence issued: <a href="${form.issued.credentialUrl}">the credential</a>${form.issued.claimUrl ? html`; its claim link for the educator: <a href="${form.issued.claimUrl}">${form.issued.claimUrl}</a>` : ''}.</p>`
  : html`${flash('error', form.error)}${form.reasons?.length ? html`<ul class="error">${form.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
<form method="post" action="/console/decisions/${decision.id}/license" class="card">${csrfField(viewer)}
<p class="note">The presentation is verified again now (status lists fetched afresh); the licence goes to the wallet that presented (${decision.holder ?? 'no holder'}), named ${decision.name ?? 'as the credentials name them'}.</p>
<label for="license-code">Licence class (code)</label><input id="license-code" name="code" required pattern="[a-z0-9][a-z0-9\\-]{0,62}" value="${form.code ?? decision.rule}" autocomplete="off">
<label for="license-name">Licence name</label><input id="license-name" name="name" required maxlength="200" value="${form.name ?? rule?.name ?? ''}">
<label for="license-email">Educator's email for the claim link (optional: else the licence names the wallet's DID)</label><input id="license-email" name="email" type="email" maxlength="320" value="${form.email ?? ''}" autocomplete="off">
<div class="actions"><button type="submit">Issue licence</button></div></form>`}`
    : '';
  const body = html`<p><a href="/console/decisions">← Decisions</a></p>
<h1>${rule?.name ?? decision.rule}</h1>
${decisionSummary(decision, rule)}
${licenseForm}`;
  return consolePage(viewer, { title: `Decision: ${decision.name ?? decision.id}`, screen: 'decisions', body });
}
