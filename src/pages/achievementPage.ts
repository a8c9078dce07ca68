// Achievement and framework URLs for people (content negotiation, as credential URLs already
// do): a browser opening an achievement id or a framework id from a badge reads what it means;
// any other client gets the JSON at the same URL.
import { html } from 'hono/html';
import type { Html, PageOptions } from './layout.js';

type Json = Record<string, unknown>;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

export function achievementPage(achievement: Json): PageOptions {
  const name = text(achievement.name) ?? 'Achievement';
  const criteria = achievement.criteria as Json | undefined;
  const alignment = Array.isArray(achievement.alignment) ? (achievement.alignment as Json[]) : [];
  const body: Html = html`<h1>${name}</h1>
<section class="card" aria-labelledby="about">
  <h2 id="about" class="sr-only">About this achievement</h2>
  <dl class="facts">
    ${text(achievement.humanCode) ? html`<dt>Code</dt><dd>${text(achievement.humanCode)}</dd>` : ''}
    ${text(achievement.achievementType) ? html`<dt>Type</dt><dd>${text(achievement.achievementType)}</dd>` : ''}
    <dt>Identifier</dt><dd>${text(achievement.id) ?? ''}</dd>
  </dl>
  ${text(achievement.description) ? html`<p>${text(achievement.description)}</p>` : ''}
</section>
${text(criteria?.narrative) ? html`<section class="card" aria-labelledby="criteria"><h2 id="criteria">How it is earned</h2><p>${text(criteria?.narrative)}</p></section>` : ''}
${alignment.length > 0
    ? html`<section class="card" aria-labelledby="alignment"><h2 id="alignment">Aligned with</h2><ul>${alignment.map((a) => html`<li>${text(a.targetUrl) ? html`<a href="${text(a.targetUrl)}">${text(a.targetName) ?? text(a.targetUrl)}</a>` : (text(a.targetName) ?? '')}${text(a.targetCode) ? html` <span class="note">(${text(a.targetCode)})</span>` : ''}</li>`)}</ul></section>`
    : ''}
<p class="note">This page is the achievement's identifier; programs read the same address as JSON (Open Badges 3.0 Achievement).</p>`;
  return { title: name, description: text(achievement.description) ?? name, body };
}

export function frameworkPage(framework: Json): PageOptions {
  const name = text(framework.name) ?? 'Framework';
  const competencies = Array.isArray(framework.competencies) ? (framework.competencies as Json[]) : [];
  const body: Html = html`<h1>${name}</h1>
${text(framework.description) ? html`<section class="card"><p>${text(framework.description)}</p></section>` : ''}
<section class="card" aria-labelledby="competencies"><h2 id="competencies">Competencies</h2>
<ol>${competencies.map((k) => html`<li>${text(k.achievement) ? html`<a href="${text(k.achievement)}">${text(k.name) ?? ''}</a>` : (text(k.name) ?? '')}${text(k.description) ? html`<br><span class="note">${text(k.description)}</span>` : ''}</li>`)}</ol>
</section>`;
  return { title: name, description: text(framework.description) ?? name, body };
}
