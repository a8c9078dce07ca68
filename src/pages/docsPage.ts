// The API reference at /docs, rendered on the server from the OpenAPI document (readable
// without JavaScript), with a small inline script that adds "Try it": send a request from the
// page with your token and see the answer. No CDN, no external assets.
import { html } from 'hono/html';
import type { Html, PageOptions } from './layout.js';

// The document is our own (src/openapi/document.ts): reading it loosely keeps the view short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const TRY_SCRIPT = `
document.querySelectorAll('form.try').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var out = form.querySelector('output');
    var path = form.dataset.path.replace(/\\{(\\w+)\\}/g, function (_, name) {
      var input = form.querySelector('[name="p-' + name + '"]');
      return encodeURIComponent(input ? input.value : '');
    });
    var headers = { Accept: 'application/json' };
    var token = document.getElementById('token').value.trim();
    if (token) headers.Authorization = 'Bearer ' + token;
    var body = form.querySelector('textarea');
    if (body) headers['Content-Type'] = 'application/json';
    out.textContent = 'Sending…';
    fetch(path, { method: form.dataset.method.toUpperCase(), headers: headers, body: body ? body.value : undefined })
      .then(function (res) {
        return res.text().then(function (text) {
          try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) {}
          out.textContent = res.status + ' ' + res.statusText + '\\n\\n' + text.slice(0, 20000);
        });
      })
      .catch(function (error) { out.textContent = 'Request failed: ' + error.message; });
  });
});
`;

function example(schema: Json | undefined): string {
  if (!schema) return '';
  return JSON.stringify(schema, null, 2);
}

function operationView(path: string, method: string, op: Json): Html {
  const params = (op.parameters ?? []) as Json[];
  const schema = op.requestBody?.content?.['application/json']?.schema as Json | undefined;
  const security = (op.security?.[0]?.bearer ?? []) as string[];
  const id = op.operationId as string;
  return html`<section class="card" id="${id}" aria-labelledby="${id}-h">
  <h3 id="${id}-h"><code>${method.toUpperCase()} ${path}</code></h3>
  <p>${op.summary}${security.length > 0 ? html` <span class="pill warn">token: ${security.join(', ')}</span>` : ''}</p>
  ${op.description ? html`<p class="note">${op.description}</p>` : ''}
  ${schema ? html`<details><summary>Request body (JSON Schema)</summary><pre>${example(schema)}</pre></details>` : ''}
  <details><summary>Responses</summary><ul>${Object.entries(op.responses as Json).map(
    ([status, r]) => html`<li><code>${status}</code> ${(r as Json).description} <span class="note">(${Object.keys((r as Json).content ?? {}).join(', ')})</span></li>`,
  )}</ul></details>
  <details><summary>Try it</summary>
    <form class="try" data-method="${method}" data-path="${path}">
      ${params.map((p) => html`<label for="${id}-${p.name}">${p.name}</label><input type="text" id="${id}-${p.name}" name="p-${p.name}" required>`)}
      ${schema ? html`<label for="${id}-body">Body</label><textarea id="${id}-body" spellcheck="false">{}</textarea>` : ''}
      <div class="actions"><button type="submit">Send</button></div>
      <output></output>
    </form>
  </details>
</section>`;
}

export function docsPage(document: Json): PageOptions {
  const byTag = new Map<string, Html[]>();
  for (const [path, methods] of Object.entries(document.paths as Json)) {
    for (const [method, op] of Object.entries(methods as Json)) {
      const tag = ((op as Json).tags?.[0] as string | undefined) ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationView(path, method, op as Json)]);
    }
  }
  const body = html`
<h1>API reference</h1>
<p>${document.info.description}</p>
<p>The machine-readable document is at <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1).</p>
<div class="card">
  <label for="token">Bearer token for "Try it" (kept in this page only)</label>
  <input type="text" id="token" autocomplete="off" spellcheck="false" placeholder="edc_…">
</div>
<nav aria-label="Sections"><p>${[...byTag.keys()].map((tag, i) => html`${i > 0 ? ' · ' : ''}<a href="#tag-${tag}">${tag}</a>`)}</p></nav>
${[...byTag.entries()].map(([tag, ops]) => html`<h2 id="tag-${tag}">${tag}</h2>${ops}`)}`;
  return { title: 'API reference', description: 'The educred HTTP API', body, script: TRY_SCRIPT };
}
