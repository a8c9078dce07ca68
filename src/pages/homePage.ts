// The home page: what this service is and where a program officer, an educator or a verifier
// goes next. It is what a new user sees on the first `npm start`.
import { html } from 'hono/html';
import type { PageOptions } from './layout.js';

export interface HomeInput {
  issuerName: string;
  issuerDid: string;
  achievements: Array<{ code: string; name: string; image: string }>;
}

export function homePage(input: HomeInput): PageOptions {
  const body = html`
<h1>${input.issuerName}</h1>
<p>This service issues <strong>Open Badges 3.0</strong> verifiable credentials for educator competencies, backed by classroom evidence, and lets anyone verify them.</p>
<p class="note">Issuer DID: <code>${input.issuerDid}</code></p>
<div class="card">
  <h2>What would you like to do?</h2>
  <ul>
    <li><strong>Check a badge or a wallet presentation:</strong> <a href="/verify">open the verify page</a>.</li>
    <li><strong>Issue badges</strong> (programs): use the API with your admin token — see the <a href="/docs">API reference</a>. Each award returns a one-time claim link for the educator.</li>
    <li><strong>Received a claim link?</strong> Open it on your phone and add the badge to your wallet.</li>
  </ul>
</div>
<h2>Competencies this issuer awards</h2>
<ul class="checks">${input.achievements.map(
    (a) => html`<li><img src="${a.image}" alt="" width="40" height="40"><span><a href="/achievements/${a.code}">${a.name}</a></span></li>`,
  )}</ul>`;
  return { title: input.issuerName, description: `Open Badges 3.0 issuer: ${input.issuerName}`, body };
}
