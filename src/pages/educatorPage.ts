// The educator's own page (GET /me, issue 16) and its sign-in and share pages: every badge and
// record issued to the educator with its live status, downloads (JSON, baked SVG, baked PNG),
// LinkedIn's "add to profile" link, the public page's link to copy, and share links to make and
// withdraw. Everything works without JavaScript; one small script (allowed by its hash) adds
// "Copy" buttons.
import { html } from 'hono/html';
import { humanDate } from './badgeFacts.js';
import type { Html, PageOptions } from './layout.js';
import { STATUS_PILL, type LiveStatus } from './liveStatus.js';
import { credentialHeadline } from './verifyPage.js';
import type { CredentialReport } from '../verify/report.js';

export interface EducatorItem {
  awardId: string;
  kind: 'badge' | 'record' | 'licence';
  name: string;
  issuerName: string;
  issued?: string | undefined;
  image?: string | undefined;
  status: LiveStatus;
  publicUrl: string;
  jsonHref: string;
  svgHref: string;
  pngHref: string;
  linkedInHref: string;
}

export interface EducatorShare {
  id: string;
  url: string;
  label: string | null;
  items: number;
  createdAt: string;
  expiresAt: string;
  state: 'open' | 'withdrawn' | 'expired';
}

export interface EducatorPageInput {
  subject: string;
  csrf: string;
  items: EducatorItem[];
  shares: EducatorShare[];
  /** A message after an action (share made, withdrawn), or a form error. */
  notice?: { tone: 'ok' | 'bad'; text: string } | undefined;
}

// Progressive enhancement: "Copy" buttons are hidden until this script shows them.
const COPY_SCRIPT = `
for(const b of document.querySelectorAll('button[data-copy]')){
  b.hidden=false;
  b.addEventListener('click',()=>{const t=document.getElementById(b.dataset.copy);if(!t)return;
    const done=()=>{b.textContent='Copied';setTimeout(()=>{b.textContent='Copy link';},2000);};
    if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(t.value).then(done,()=>{t.select();});}else{t.select();document.execCommand('copy');done();}
  });
}`.trim();

const STYLE = `
.plain{list-style:none;padding:0;margin:0}
.item{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-start}
.item img{width:88px;height:88px;flex:none}
.item .what{flex:1 1 14rem;min-width:0}
.item h3{margin:0 0 .2rem}
.copy-row{display:flex;gap:.5rem;align-items:center;margin:.4rem 0}
.copy-row input{flex:1 1 auto;min-width:0}
.pick{display:flex;gap:.5rem;align-items:center;font-weight:600;margin:.6rem 0 0}
.pick input{width:1.3rem;height:1.3rem}
.button.small,button.small{padding:.35rem .7rem;font-size:.92rem}
ul.shares{list-style:none;padding:0;margin:0}ul.shares li{border-bottom:1px solid var(--line);padding:.6rem 0}ul.shares li:last-child{border-bottom:0}
`.trim();

const KIND_LABEL: Record<EducatorItem['kind'], string> = { badge: 'Badge', record: 'Program record', licence: 'Licence' };

function copyRow(id: string, url: string, label: string): Html {
  return html`<div class="copy-row"><label class="sr-only" for="${id}">${label}</label><input type="text" id="${id}" value="${url}" readonly><button type="button" class="secondary small" data-copy="${id}" hidden>Copy link</button></div>`;
}

function itemCard(item: EducatorItem, index: number): Html {
  const pill = STATUS_PILL[item.status.state];
  return html`<li class="card" data-award="${item.awardId}">
  <div class="item">
    ${item.image ? html`<img src="${item.image}" alt="" width="88" height="88">` : ''}
    <div class="what">
      <h3>${item.name}</h3>
      <p class="note">${KIND_LABEL[item.kind]} from ${item.issuerName}${item.issued ? html`, ${humanDate(item.issued)}` : ''}</p>
      <p><span class="pill ${pill.tone}">${pill.label}</span> <span class="note">${item.status.detail}</span></p>
    </div>
  </div>
  <div class="actions">
    <a class="button secondary small" href="${item.jsonHref}" download>Download .json</a>
    <a class="button secondary small" href="${item.svgHref}" download>Download .svg</a>
    <a class="button secondary small" href="${item.pngHref}" download data-kind="png">Download .png</a>
    <a class="button secondary small" href="${item.linkedInHref}" target="_blank" rel="noopener noreferrer">Add to LinkedIn</a>
    <a class="button secondary small" href="${item.publicUrl}">Public page</a>
  </div>
  ${copyRow(`link-${index}`, item.publicUrl, `Public page link of ${item.name}`)}
  <label class="pick"><input type="checkbox" name="award" value="${item.awardId}" form="share-form"> Include in a new share link</label>
</li>`;
}

function shareRow(share: EducatorShare, index: number, csrf: string): Html {
  const state =
    share.state === 'open'
      ? html`<span class="pill ok">Open</span> <span class="note">until ${humanDate(share.expiresAt)}</span>`
      : share.state === 'expired'
        ? html`<span class="pill warn">Expired</span> <span class="note">on ${humanDate(share.expiresAt)}</span>`
        : html`<span class="pill bad">Withdrawn</span>`;
  return html`<li data-share="${share.id}">
  <strong>${share.label ?? `Share link of ${humanDate(share.createdAt)}`}</strong> <span class="note">(${share.items} ${share.items === 1 ? 'item' : 'items'})</span><br>${state}
  ${share.state === 'open'
    ? html`${copyRow(`share-${index}`, share.url, `Share link ${share.label ?? index + 1}`)}
  <form method="post" action="/me/shares/${share.id}/withdraw" class="actions"><input type="hidden" name="csrf" value="${csrf}"><a class="button secondary small" href="${share.url}">Open</a><button type="submit" class="secondary small">Withdraw</button></form>`
    : ''}
</li>`;
}

export function educatorPage(input: EducatorPageInput): PageOptions {
  const body: Html = html`
<h1>Your badges and records</h1>
<p class="note">Signed in as ${input.subject}.</p>
<form method="post" action="/me/sign-out" class="actions"><input type="hidden" name="csrf" value="${input.csrf}"><button type="submit" class="secondary small">Sign out</button></form>
${input.notice ? html`<p class="verdict ${input.notice.tone}" role="status" id="notice">${input.notice.text}</p>` : ''}
${input.items.length === 0
    ? html`<div class="card"><p>No badge or record has been issued to you yet.</p></div>`
    : html`<ul class="plain" aria-label="Badges and records">${input.items.map(itemCard)}</ul>`}

<section class="card" aria-labelledby="share">
  <h2 id="share">Make a share link</h2>
  <p>Tick the badges and records above, then make a link: whoever opens it sees them with their live verification, and can download them as JSON to check them with their own verifier. You can withdraw the link at any time; it also expires.</p>
  <form method="post" action="/me/shares" id="share-form">
    <input type="hidden" name="csrf" value="${input.csrf}">
    <label for="share-label">Name (only you see it)</label>
    <input type="text" id="share-label" name="label" maxlength="100" placeholder="For the district's hiring committee">
    <label for="share-days">Works for</label>
    <select id="share-days" name="days">
      <option value="7">7 days</option>
      <option value="30" selected>30 days</option>
      <option value="90">90 days</option>
      <option value="180">180 days</option>
      <option value="365">1 year</option>
    </select>
    <div class="actions"><button type="submit">Make a share link</button></div>
  </form>
</section>

<section class="card" aria-labelledby="shares">
  <h2 id="shares">Your share links</h2>
  ${input.shares.length === 0 ? html`<p>You have not made a share link yet.</p>` : html`<ul class="shares">${input.shares.map((s, i) => shareRow(s, i, input.csrf))}</ul>`}
</section>`;
  return { title: 'Your badges', script: COPY_SCRIPT, style: STYLE, body };
}

export interface SignInRequestState {
  email?: string | undefined;
  error?: string | undefined;
  /** After a request: the same sentence whether or not the address is known. */
  sent?: boolean | undefined;
}

export function signInRequestPage(state: SignInRequestState): PageOptions {
  return {
    title: 'Your badges: sign in',
    body: html`<h1>See all your badges</h1>
<p>Enter the email address your badges were sent to. We email you a link that opens your page: no password.</p>
${state.sent
  ? html`<p class="verdict ok" role="status" id="sent">If badges were issued to that address, a sign-in link is on its way. It works once, for 7 days. Check your spam folder if it does not arrive in a few minutes.</p>`
  : ''}
<form method="post" action="/me/sign-in" class="card">
  ${state.error ? html`<p class="verdict bad" role="alert" id="form-error">${state.error}</p>` : ''}
  <label for="email">Email address</label>
  <input type="text" inputmode="email" autocomplete="email" id="email" name="email" value="${state.email ?? ''}" required>
  <div class="actions"><button type="submit">Email me a sign-in link</button></div>
</form>
<p class="note">You can also open your page from the claim link in a badge email.</p>`,
  };
}

/** Opening an emailed link shows this button; its POST spends the link (mail scanners only GET). */
export function signInConfirmPage(token: string): PageOptions {
  return {
    title: 'Your badges: sign in',
    body: html`<h1>Open your page</h1>
<form method="post" action="/me/sign-in/${token}" class="card">
  <p>This link signs you in once. Continue to see all your badges and records.</p>
  <div class="actions"><button type="submit">Open my page</button></div>
</form>`,
  };
}

export interface ShareItemView {
  name: string;
  publicUrl: string;
  recipient?: string | undefined;
  issuerName: string;
  issued?: string | undefined;
  report: CredentialReport;
}

/** The public share page (GET /shared/:token): each item with its live verification. */
export function sharePage(input: { items: ShareItemView[]; expiresAt: string; jsonHref: string; verifyHref: string }): PageOptions {
  const body: Html = html`<h1>Shared badges and records</h1>
<p>The educator chose to share these with you. Each was verified just now: its signature, its dates, and its status with the issuer.</p>
<ul class="plain" aria-label="Shared credentials">
${input.items.map((item) => {
  const headline = credentialHeadline(item.report);
  return html`<li class="card credential-report" data-verified="${String(item.report.verified)}">
  <h2>${item.name}</h2>
  <p class="verdict ${headline.tone}">${headline.text}</p>
  <dl class="facts">
    ${item.recipient ? html`<dt>Awarded to</dt><dd>${item.recipient}</dd>` : ''}
    <dt>Issued by</dt><dd>${item.issuerName}</dd>
    ${item.issued ? html`<dt>Issued on</dt><dd>${humanDate(item.issued)}</dd>` : ''}
  </dl>
  <p><strong>Trust:</strong> ${item.report.trust.reason}</p>
  <p><a href="${item.publicUrl}">What this credential says</a></p>
</li>`;
})}
</ul>
<div class="actions">
  <a class="button" href="${input.jsonHref}" download="shared-credentials.json">Download all as JSON</a>
  <a class="button secondary" href="${input.verifyHref}">Verify with the verify page</a>
</div>
<p class="note">The JSON is a W3C verifiable presentation without a holder's signature: each credential inside carries its issuer's signature, so any Open Badges 3.0 verifier can check it. This link works until ${humanDate(input.expiresAt)}, unless the educator withdraws it sooner.</p>`;
  return { title: 'Shared badges', style: STYLE, description: 'Badges and records an educator shared, with their live verification.', body };
}
