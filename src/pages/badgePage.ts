// The public page of a badge (GET /credentials/:id for browsers): what was achieved, by which
// criteria and evidence, who issued it and who endorses the issuer, its live status, a link
// to verify it independently, and Open Graph tags so a shared link previews well.
import { html } from 'hono/html';
import { badgeFacts, humanDate } from './badgeFacts.js';
import type { Html, PageOptions } from './layout.js';
import { STATUS_PILL, type LiveStatus } from './liveStatus.js';
import { DEFAULT_NAME_PRIVACY, displayName, redactObserver, type NamePrivacy } from '../programs/namePrivacy.js';


/** `privacy`: how names are shown (the program setting, src/programs/pagePrivacy.ts); the credential itself is unchanged. */
export function badgePage(credential: Record<string, unknown>, status: LiveStatus, privacy: NamePrivacy = DEFAULT_NAME_PRIVACY): PageOptions {
  const f = badgeFacts(credential);
  const pill = STATUS_PILL[status.state];
  const verifyHref = f.id ? `/verify?url=${encodeURIComponent(f.id)}` : '/verify';
  const bakedHref = f.id ? `${new URL(f.id).pathname}/badge.svg` : undefined;
  const who = displayName(f.recipientName, privacy.recipients) ?? 'An educator';
  const body: Html = html`
<article>
<div class="badge-head">
  ${f.image ? html`<img src="${f.image}" alt="Badge image: ${f.achievementName}" width="140" height="140">` : ''}
  <div>
    <h1>${f.achievementName}</h1>
    <p><span class="pill ${pill.tone}" id="status">${pill.label}</span> <span class="note">${status.detail}</span></p>
  </div>
</div>

<section class="card" aria-labelledby="facts">
  <h2 id="facts">About this badge</h2>
  <dl class="facts">
    <dt>Awarded to</dt><dd>${who}${f.recipientDid ? html`<br><span class="note">${f.recipientDid}</span>` : ''}</dd>
    <dt>Competency</dt><dd>${f.competency ?? f.achievementName}</dd>
    ${f.framework ? html`<dt>Framework</dt><dd>${f.framework}</dd>` : ''}
    <dt>Issued by</dt><dd>${f.issuerName}${f.issuerId ? html`<br><span class="note">${f.issuerId}</span>` : ''}</dd>
    <dt>Awarded on</dt><dd>${humanDate(f.awardedDate) ?? 'unknown'}</dd>
    ${f.validUntil ? html`<dt>Valid until</dt><dd>${humanDate(f.validUntil)}</dd>` : ''}
  </dl>
  ${f.achievementDescription ? html`<p>${f.achievementDescription}</p>` : ''}
</section>

${f.criteria ? html`<section class="card" aria-labelledby="criteria"><h2 id="criteria">Criteria</h2><p>${f.criteria}</p></section>` : ''}

<section class="card" aria-labelledby="evidence">
  <h2 id="evidence">Evidence</h2>
  ${f.evidence.length === 0
    ? html`<p>No evidence is attached.</p>`
    : html`<ol>${f.evidence.map(
        (e) => html`<li><strong>${e.url ? html`<a href="${e.url}" rel="nofollow noopener">${e.name}</a>` : e.name}</strong>${e.description ? html`<br>${redactObserver(e.description, privacy.observers)}` : ''}${e.narrative ? html`<br><span class="note">“${e.narrative}”</span>` : ''}</li>`,
      )}</ol>`}
</section>

<section class="card" aria-labelledby="endorsements">
  <h2 id="endorsements">Endorsements of the issuer</h2>
  ${f.endorsements.length === 0
    ? html`<p>The badge carries no endorsement of ${f.issuerName}.</p>`
    : html`<ul>${f.endorsements.map((e) => html`<li><strong>${e.endorser}</strong>${e.date ? html` <span class="note">(${humanDate(e.date)})</span>` : ''}${e.comment ? html`<br>${e.comment}` : ''}</li>`)}</ul>`}
  <p class="note">Endorsements are signed by the endorsing agency and checked when the badge is verified.</p>
</section>

<div class="actions">
  <a class="button" href="${verifyHref}">Verify this badge</a>
  ${bakedHref ? html`<a class="button secondary" href="${bakedHref}" download>Download badge image (.svg, with the credential inside)</a>` : ''}
</div>
<p class="note">This page shows the badge as issued. Verifying checks its signature, its dates and its status, independently of this page.</p>
</article>`;
  const description = `${who} earned the ${f.achievementName} badge from ${f.issuerName}.`;
  return {
    title: `${f.achievementName} · ${who}`,
    description,
    openGraph: {
      'og:type': 'website',
      'og:title': `${f.achievementName} badge`,
      'og:description': description,
      'og:url': f.id,
      'og:image': f.image,
      'og:image:alt': `Badge image: ${f.achievementName}`,
      'og:site_name': 'educred',
    },
    body,
  };
}
