// The verify page (GET/POST /verify): paste or drop a badge, a presentation or a baked SVG and
// read the verification report as a checklist a non-expert can follow: what was checked, in
// plain words, with the reason; then whether this verifier trusts the issuer and, when a rule
// was chosen, whether it approves. Works without JavaScript; a small script adds drag-and-drop.
import { html } from 'hono/html';
import type { ApprovalDecision, Check, CredentialReport, PresentationReport } from '../verify/report.js';
import type { DocumentVerification, RuleSummary } from '../verify/types.js';
import type { Html, PageOptions } from './layout.js';

/** Each check as people would name it. */
const CHECK_NAMES: Record<string, string> = {
  structure: 'Well-formed credential',
  schema: 'Open Badges 3.0 format',
  proof: 'Signature',
  issuer: 'Signed by the issuer',
  dates: 'Validity dates',
  status: 'Not revoked or suspended',
  recipient: 'Issued to the expected person',
  endorsements: 'Endorsements of the issuer',
  presentation_structure: 'Well-formed presentation',
  presentation_proof: "Holder's signature",
  holder_binding: 'Badges belong to the holder',
  credentials: 'Every credential verifies',
};

export const checkName = (check: string): string => CHECK_NAMES[check] ?? check;

export interface VerifyFormState {
  rules: RuleSummary[];
  policyName: string;
  document?: string | undefined;
  rule?: string | undefined;
  challenge?: string | undefined;
  domain?: string | undefined;
  /** Why the last submission could not be verified at all (not JSON, nothing given...). */
  error?: string | undefined;
}

// Drag-and-drop and file reading into the textarea; the form works without it.
const SCRIPT = `
const drop=document.getElementById('drop'),area=document.getElementById('document');
if(drop&&area){
  const read=f=>f.text().then(t=>{area.value=t;});
  drop.addEventListener('dragover',e=>{e.preventDefault();drop.classList.add('over');});
  drop.addEventListener('dragleave',()=>drop.classList.remove('over'));
  drop.addEventListener('drop',e=>{e.preventDefault();drop.classList.remove('over');const f=e.dataTransfer&&e.dataTransfer.files[0];if(f)read(f);});
}`.trim();

function form(state: VerifyFormState): Html {
  return html`<form method="post" action="/verify" enctype="multipart/form-data" class="card">
  ${state.error ? html`<p class="verdict bad" role="alert" id="form-error">${state.error}</p>` : ''}
  <div class="drop" id="drop">
    <label for="document">Credential or presentation (JSON)</label>
    <textarea id="document" name="document" spellcheck="false" placeholder='{"@context": ["https://www.w3.org/ns/credentials/v2", …], "type": ["VerifiableCredential", "OpenBadgeCredential"], …}'>${state.document ?? ''}</textarea>
    <label for="file">…or a file: a badge (.json, or a .jwt) or a badge image with the credential inside (.svg, .png)</label>
    <input type="file" id="file" name="file" accept=".json,.jsonld,.jwt,.svg,.png,application/json,image/svg+xml,image/png">
  </div>
  <label for="rule">Approval rule (optional)</label>
  <select id="rule" name="rule">
    <option value="">No rule: just verify</option>
    ${state.rules.map((r) => html`<option value="${r.id}"${r.id === state.rule ? ' selected' : ''}>${r.name}</option>`)}
  </select>
  <details>
    <summary>Presentation options</summary>
    <label for="challenge">Challenge you gave the holder</label>
    <input type="text" id="challenge" name="challenge" value="${state.challenge ?? ''}">
    <label for="domain">Domain you gave the holder</label>
    <input type="text" id="domain" name="domain" value="${state.domain ?? ''}">
  </details>
  <div class="actions"><button type="submit">Verify</button></div>
  <p class="note">Trust decisions follow this verifier's policy: ${state.policyName}.</p>
</form>`;
}

export function verifyFormPage(state: VerifyFormState): PageOptions {
  return {
    title: 'Verify a badge',
    description: 'Check an Open Badges 3.0 credential or a wallet presentation: signature, dates, status, issuer trust.',
    script: SCRIPT,
    body: html`<h1>Verify a badge</h1>
<p>Paste a badge or a wallet presentation, or choose the file. Nothing is stored: the badge is checked against its issuer's public key and status list, and this page shows each check.</p>
${form(state)}`,
  };
}

function checklist(checks: Check[]): Html {
  return html`<ul class="checks">${checks.map(
    (c) => html`<li data-check="${c.check}" data-passed="${String(c.passed)}"><span class="mark ${c.passed ? 'ok' : 'bad'}" aria-hidden="true">${c.passed ? '✓' : '✗'}</span><div><strong>${checkName(c.check)}</strong>${c.passed ? '' : html` <span class="sr-only">failed</span>`}<br>${c.reason}</div></li>`,
  )}</ul>`;
}

/** One sentence a person can act on: the first thing to know about this credential. */
export function credentialHeadline(report: CredentialReport): { text: string; tone: 'ok' | 'bad' | 'warn' } {
  const status = report.checks.find((c) => c.check === 'status');
  if (status && !status.passed && status.code === 'revoked') return { text: 'Revoked: its issuer has withdrawn this badge.', tone: 'bad' };
  if (status && !status.passed && status.code === 'suspended') return { text: 'Suspended: its issuer has paused this badge.', tone: 'warn' };
  const failure = report.checks.find((c) => !c.passed && c.check !== 'endorsements');
  if (!report.verified) return { text: `Not verified: ${checkName(failure?.check ?? 'structure').toLowerCase()} check failed.`, tone: 'bad' };
  if (!report.trust.trusted) return { text: "Verified, but the issuer is not on this verifier's trust list.", tone: 'warn' };
  return { text: 'Verified and trusted.', tone: 'ok' };
}

function credentialSection(report: CredentialReport, heading: 'h2' | 'h3'): Html {
  const headline = credentialHeadline(report);
  const { summary } = report;
  const title = summary.achievement?.name ?? (summary.type.filter((t) => t !== 'VerifiableCredential').join(', ') || 'Credential');
  const h = heading === 'h2' ? html`<h2>${title}</h2>` : html`<h3>${title}</h3>`;
  return html`<section class="card credential-report">
  ${h}
  <p class="verdict ${headline.tone}">${headline.text}</p>
  <dl class="facts">
    ${summary.issuer ? html`<dt>Issuer</dt><dd>${summary.issuer.name ?? ''}${summary.issuer.name ? html`<br>` : ''}<span class="note">${summary.issuer.id}</span></dd>` : ''}
    ${summary.subject ? html`<dt>Awarded to</dt><dd>${summary.subject}</dd>` : ''}
    ${summary.validFrom ? html`<dt>Valid from</dt><dd>${summary.validFrom}</dd>` : ''}
    ${summary.validUntil ? html`<dt>Valid until</dt><dd>${summary.validUntil}</dd>` : ''}
  </dl>
  ${checklist(report.checks)}
  <p><strong>Trust:</strong> ${report.trust.reason}</p>
  ${report.warnings.length > 0 ? html`<ul class="note">${report.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
</section>`;
}

function approvalSection(approval: ApprovalDecision): Html {
  return html`<section class="card" id="approval">
  <h2>${approval.name ?? approval.rule}</h2>
  <p class="verdict ${approval.approved ? 'ok' : 'bad'}">${approval.approved ? 'Approved' : 'Not approved'}${approval.recipient ? html` <span class="note">for ${approval.recipient}</span>` : ''}</p>
  <ul class="checks">${approval.requirements.map(
    (r) => html`<li><span class="mark ${r.satisfied ? 'ok' : 'bad'}" aria-hidden="true">${r.satisfied ? '✓' : '✗'}</span><div><strong>${r.requirement}</strong><br>${r.reason}</div></li>`,
  )}</ul>
</section>`;
}

function presentationSection(report: PresentationReport): Html {
  const failure = report.checks.find((c) => !c.passed);
  const headline = report.verified
    ? { text: 'The presentation verifies.', tone: 'ok' }
    : { text: `Not verified: ${checkName(failure?.check ?? 'credentials').toLowerCase()} check failed.`, tone: 'bad' };
  return html`<section class="card">
  <h2>Presentation${report.holder ? html` <span class="note">by ${report.holder}</span>` : ''}</h2>
  <p class="verdict ${headline.tone}">${headline.text}</p>
  ${checklist(report.checks)}
  ${report.warnings.length > 0 ? html`<ul class="note">${report.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
</section>
${report.credentials.map((c) => credentialSection(c, 'h3'))}`;
}

export function verifyResultPage(verification: DocumentVerification, state: VerifyFormState): PageOptions {
  const approval = verification.kind === 'credential' ? verification.approval : verification.report.approval;
  const body = html`<h1>Verification result</h1>
${approval ? approvalSection(approval) : ''}
${verification.kind === 'credential' ? credentialSection(verification.report, 'h2') : presentationSection(verification.report)}
<h2>Verify another</h2>
${form({ ...state, document: undefined, error: undefined })}`;
  return { title: 'Verification result', script: SCRIPT, body };
}

/**
 * A set of credentials without a holder's signature (a share link's JSON, an unsigned VC 2.0
 * presentation): each credential verified on its own, with a note that nothing proves who
 * presents them.
 */
export function verifySetResultPage(reports: CredentialReport[], state: VerifyFormState, source?: string): PageOptions {
  const verified = reports.filter((r) => r.verified).length;
  const body = html`<h1>Verification result</h1>
<section class="card" id="set">
  <h2>${reports.length} shared credential${reports.length === 1 ? '' : 's'}${source ? html` <span class="note">from ${source}</span>` : ''}</h2>
  <p class="verdict ${verified === reports.length ? 'ok' : 'bad'}">${verified} of ${reports.length} verify.</p>
  <p class="note">This set carries no holder's signature: each credential was checked on its own (its issuer's signature, dates and status). Nothing here proves who is presenting them; ask for a wallet presentation when that matters.</p>
</section>
${reports.map((r) => credentialSection(r, 'h2'))}
<h2>Verify another</h2>
${form({ ...state, document: undefined, error: undefined })}`;
  return { title: 'Verification result', script: SCRIPT, body };
}
