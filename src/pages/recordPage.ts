// The public page of a program record (GET /records/:id for browsers): the completion statement,
// whom it is for and who issued it, its live status, and every competency inside it with its
// level and a summary of its evidence, each linking to its own badge.
import { html } from 'hono/html';
import { asArray, isObject, type Json } from '../credentials/jsonValues.js';
import { embeddedCredentials } from '../programs/clrCredential.js';
import { badgeFacts, humanDate } from './badgeFacts.js';
import type { Html, PageOptions } from './layout.js';
import { STATUS_PILL, type LiveStatus } from './liveStatus.js';
import { DEFAULT_NAME_PRIVACY, displayName, type NamePrivacy } from '../programs/namePrivacy.js';

const levelOf = (badge: Json): string | undefined => {
  const subject = asArray(badge.credentialSubject).find(isObject);
  const result = asArray(subject?.result).find(isObject);
  const level = typeof result?.achievedLevel === 'string' ? result.achievedLevel : undefined;
  return level?.split('#level-')[1];
};

/** `privacy`: how the educator's name is shown (the program's setting); the record itself is unchanged. */
export function recordPage(record: Json, status: LiveStatus, privacy: NamePrivacy = DEFAULT_NAME_PRIVACY): PageOptions {
  const pill = STATUS_PILL[status.state];
  const subject = asArray(record.credentialSubject).find(isObject) ?? {};
  const issuer = isObject(record.issuer) ? record.issuer : {};
  const name = asArray(subject.identifier).filter(isObject).find((i) => i.identityType === 'name')?.identityHash;
  const who = displayName(typeof name === 'string' ? name : undefined, privacy.recipients) ?? 'An educator';
  const statement = typeof record.name === 'string' ? record.name : 'Program record';
  const badges = embeddedCredentials(record).filter(isObject);
  const id = typeof record.id === 'string' ? record.id : undefined;
  const verifyHref = id ? `/verify?url=${encodeURIComponent(id)}` : '/verify';
  const body: Html = html`
<article>
<h1>${statement}</h1>
<p><span class="pill ${pill.tone}" id="status">${pill.label}</span> <span class="note">${status.detail}</span></p>

<section class="card" aria-labelledby="facts">
  <h2 id="facts">About this record</h2>
  <dl class="facts">
    <dt>Completed by</dt><dd>${who}${typeof subject.id === 'string' ? html`<br><span class="note">${subject.id}</span>` : ''}</dd>
    <dt>Issued by</dt><dd>${String(issuer.name ?? '')}${typeof issuer.id === 'string' ? html`<br><span class="note">${issuer.id}</span>` : ''}</dd>
    <dt>Issued on</dt><dd>${humanDate(typeof record.validFrom === 'string' ? record.validFrom : undefined) ?? 'unknown'}</dd>
  </dl>
  ${typeof record.description === 'string' ? html`<p>${record.description}</p>` : ''}
</section>

<section class="card" aria-labelledby="competencies">
  <h2 id="competencies">Competencies (${badges.length})</h2>
  <ol>${badges.map((badge) => {
    const f = badgeFacts(badge);
    const level = levelOf(badge);
    const summary = f.evidence.map((e) => e.name).join('; ');
    return html`<li><strong>${f.id ? html`<a href="${f.id}">${f.achievementName}</a>` : f.achievementName}</strong>${level ? html` <span class="note">(${level})</span>` : ''}<br>Issued by ${f.issuerName} on ${humanDate(f.awardedDate) ?? 'an unknown date'}.${summary ? html`<br><span class="note">Evidence: ${summary}</span>` : ''}</li>`;
  })}</ol>
</section>

<div class="actions">
  <a class="button" href="${verifyHref}">Verify this record</a>
  ${id ? html`<a class="button secondary" href="${new URL(id).pathname}/record.svg" download>Download record image (.svg, with the record inside)</a>` : ''}
</div>
<p class="note">Verifying checks the record's own signature and status and, inside it, every badge against its own issuer.</p>
</article>`;
  return { title: `${statement} · ${who}`, description: `${who}: ${statement}.`, body };
}
