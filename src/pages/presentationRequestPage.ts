// The officer's page of a presentation request: while it waits, the QR codes and deep links a
// wallet answers with (VC-API through the interaction URL, OpenID4VP), refreshed by itself when
// the answer arrives (a small script polls the request's state); then the decision record as a
// one-page summary: the decision, the educator's name from the credentials, each requirement
// in words, the credit tally, what was presented. The print stylesheet keeps it to one page.
import { html, raw } from 'hono/html';
import type { PresentationRequestState, PresentationRequestUrls } from '../presentations/requests.js';
import type { DecisionRecord } from '../store/decisions.js';
import type { PresentationRequestRecord } from '../store/presentationRequests.js';
import type { PresentationReport } from '../verify/report.js';
import type { RuleSummary } from '../verify/types.js';
import type { Html, PageOptions } from './layout.js';
import { credentialHeadline } from './verifyPage.js';

// Polls the state every two seconds and reloads when it changes (answered or expired); the
// print button prints. Constant text: the page policy allows it by its hash.
const SCRIPT = `
const box=document.getElementById('waiting');
if(box&&box.dataset.statusUrl){
  const url=box.dataset.statusUrl;
  const poll=()=>fetch(url,{headers:{accept:'application/json'},cache:'no-store'}).then(r=>r.json()).then(s=>{if(s.state!=='pending'){location.reload();}else{setTimeout(poll,2000);}}).catch(()=>setTimeout(poll,5000));
  setTimeout(poll,2000);
}
const print=document.getElementById('print');
if(print){print.addEventListener('click',()=>window.print());}`.trim();

export interface PresentationRequestPageInput {
  request: PresentationRequestRecord;
  rule: RuleSummary;
  state: PresentationRequestState;
  decision?: DecisionRecord | undefined;
  urls?: PresentationRequestUrls | undefined;
  qr?: { interact: string; openid4vp: string } | undefined;
  /** The page's own state URL (with its key), which the script polls. */
  statusUrl?: string | undefined;
}

const when = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

function waiting(input: PresentationRequestPageInput): Html {
  const { urls, qr } = input;
  if (!urls || !qr) return html``;
  return html`<section class="card" id="waiting" data-status-url="${input.statusUrl ?? ''}" aria-live="polite">
  <p class="verdict warn" id="state">Waiting for the educator's wallet…</p>
  <p>Ask the educator to scan a code with their wallet. This page shows the decision by itself when the wallet answers (until ${when(input.request.expiresAt)}).</p>
  <div class="badge-head">
    <div><h2>Learner Credential Wallet (VC-API)</h2><div class="qr" id="qr-vcapi">${raw(qr.interact)}</div><p class="note"><a href="${urls.interactUrl}">Interaction link</a></p></div>
    <div><h2>OpenID4VP wallet</h2><div class="qr" id="qr-openid4vp">${raw(qr.openid4vp)}</div><p class="note"><a href="${urls.openid4vpUrl}" id="openid4vp-link">Open in a wallet on this device</a></p></div>
  </div>
  <noscript><p>This page does not refresh without JavaScript: reload it once the educator has answered.</p></noscript>
</section>`;
}

/** The decision record as a page: what a credentialing analyst files or prints. */
export function decisionSummary(decision: DecisionRecord, rule: RuleSummary | undefined): Html {
  const report = decision.report as PresentationReport;
  const approval = report.approval;
  const credits = approval?.credits;
  return html`<section class="card decision" id="decision" data-approved="${String(decision.approved)}">
  <p class="verdict ${decision.approved ? 'ok' : 'bad'}" id="verdict">${decision.approved ? 'Approved' : 'Not approved'}: ${rule?.name ?? decision.rule}</p>
  <dl class="facts">
    <dt>Educator</dt><dd id="educator-name">${decision.name ?? 'No name is stated in the credentials'}</dd>
    <dt>Wallet (holder)</dt><dd><code>${decision.holder ?? 'not established'}</code></dd>
    <dt>Decided</dt><dd>${when(decision.decidedAt)}, ${decision.protocol === 'vc-api' ? 'VC-API exchange' : 'OpenID4VP'}</dd>
    <dt>Presentation</dt><dd>${decision.verified ? 'Verified: signed by the holder for this request, every credential verified.' : (report.checks.find((c) => !c.passed)?.reason ?? 'Not verified.')}</dd>
    <dt>Record</dt><dd><code>${decision.id}</code></dd>
  </dl>
  <h2>Requirements</h2>
  <ul class="checks" id="requirements">${(approval?.requirements ?? []).map(
    (r) => html`<li data-satisfied="${String(r.satisfied)}"><span class="mark ${r.satisfied ? 'ok' : 'bad'}" aria-hidden="true">${r.satisfied ? '✓' : '✗'}</span><div><strong>${r.requirement}</strong>${r.satisfied ? '' : html` <span class="sr-only">not met</span>`}<br>${r.reason}</div></li>`,
  )}</ul>
  ${credits
    ? html`<h2>Credit points: ${credits.earned} of ${credits.required}</h2>
  <div class="table-wrap"><table id="credits"><thead><tr><th>Credential</th><th>Points</th><th>Why</th></tr></thead><tbody>${credits.entries.map(
    (e) => html`<tr><td>${e.achievement ?? e.credentialId ?? 'a credential'}</td><td>${e.points}</td><td>${e.reason}</td></tr>`,
  )}</tbody></table></div>`
    : ''}
  ${decision.approved
    ? html`<p class="note no-print" id="license-hint">To turn this approval into a licence: on an issuing instance, the console's <a href="/console/decisions/${decision.id}">Decisions screen</a> (registrar or admin), or <code>POST /decisions/${decision.id}/license</code> (token with the issue scope); see <a href="/docs">the API reference</a>.</p>`
    : ''}
  <h2>Presented credentials</h2>
  <ul class="checks">${report.credentials.map((c) => {
    const headline = credentialHeadline(c);
    return html`<li><span class="mark ${headline.tone === 'ok' ? 'ok' : 'bad'}" aria-hidden="true">${headline.tone === 'ok' ? '✓' : '✗'}</span><div><strong>${c.summary.achievement?.name ?? c.summary.id ?? 'Credential'}</strong> <span class="note">${c.summary.issuer?.name ?? c.summary.issuer?.id ?? ''}${c.summary.validFrom ? `, ${c.summary.validFrom.slice(0, 10)}` : ''}</span><br>${headline.text}${headline.tone === 'ok' ? '' : ` ${c.trust.reason}`}</div></li>`;
  })}</ul>
</section>`;
}

export function presentationRequestPage(input: PresentationRequestPageInput): PageOptions {
  const { request, rule, state, decision } = input;
  const body = html`<h1>${rule.name}</h1>
<p class="note">Presentation request <code>${request.id}</code>, made ${when(request.createdAt)}${request.purpose ? html`: ${request.purpose}` : ''}</p>
${decision ? decisionSummary(decision, rule) : state === 'expired' ? html`<p class="verdict bad" id="state">This request expired at ${when(request.expiresAt)} unanswered. Make a new one.</p>` : waiting(input)}
${decision ? html`<div class="actions no-print"><button type="button" id="print">Print this decision</button></div>` : ''}`;
  return { title: rule.name, script: SCRIPT, body };
}
