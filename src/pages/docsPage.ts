// The API reference at /docs, rendered on the server from the OpenAPI document (readable
// without JavaScript): descriptions as Markdown (src/pages/markdown.ts, raw HTML escaped), the
// parameters and headers of each operation, an example body for each request, the answers with
// their schemas, and the schemas themselves. A small inline script adds "Try it": send a
// request from the page with your token and see the answer. No CDN, no external assets.
import { html } from 'hono/html';
import type { Html, PageOptions } from './layout.js';
import { markdown, markdownInline } from './markdown.js';

// The document is our own (src/openapi/document.ts): reading it loosely keeps the view short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const TRY_SCRIPT = `
document.documentElement.classList.add('js');
document.querySelectorAll('form.try').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var out = form.querySelector('output');
    var path = form.dataset.path.replace(/\\{(\\w+)\\}/g, function (_, name) {
      var input = form.querySelector('[name="p-' + name + '"]');
      return encodeURIComponent(input ? input.value : '');
    });
    var query = [];
    form.querySelectorAll('[name^="q-"]').forEach(function (input) {
      if (input.value) query.push(encodeURIComponent(input.name.slice(2)) + '=' + encodeURIComponent(input.value));
    });
    if (query.length) path += '?' + query.join('&');
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

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

/** `#/components/schemas/Name` → `Name`. */
const refName = (schema: Json | undefined): string | undefined => (typeof schema?.$ref === 'string' ? (schema.$ref as string).split('/').pop() : undefined);

/** A short name of a schema: its component, `Name[]`, `A | B`, or its type. */
function schemaLabel(schema: Json | undefined): Html | string {
  if (!schema) return '';
  const name = refName(schema);
  if (name) return html`<a href="#schema-${name}">${name}</a>`;
  if (schema.type === 'array') return html`${schemaLabel(schema.items as Json | undefined)}[]`;
  const alternatives = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (alternatives) return html`${alternatives.map((a, i) => html`${i > 0 ? ' | ' : ''}${schemaLabel(a)}`)}`;
  if (schema.contentMediaType) return `${schema.contentMediaType as string}`;
  return Array.isArray(schema.type) ? (schema.type as string[]).join(' | ') : ((schema.type as string | undefined) ?? 'any');
}

function parametersView(params: Json[]): Html | string {
  if (params.length === 0) return '';
  return html`<div class="table-wrap"><table>
  <caption class="sr-only">Parameters</caption>
  <thead><tr><th scope="col">Parameter</th><th scope="col">In</th><th scope="col">Description</th></tr></thead>
  <tbody>${params.map(
    (p) => html`<tr><td><code>${p.name}</code>${p.required ? html` <span class="note">required</span>` : ''}</td><td>${p.in}</td><td>${markdownInline(
      (p.description as string | undefined) ?? '',
    )}${p.schema ? html` <span class="note">(${schemaLabel(p.schema as Json)}${(p.schema as Json).default !== undefined ? `, default ${String((p.schema as Json).default)}` : ''})</span>` : ''}${
      p.example !== undefined ? html`<br><span class="note">e.g. <code>${String(p.example)}</code></span>` : ''
    }</td></tr>`,
  )}</tbody>
</table></div>`;
}

function requestView(id: string, op: Json): Html | string {
  const content = (op.requestBody?.content ?? {}) as Json;
  const entries = Object.entries(content) as Array<[string, Json]>;
  if (entries.length === 0) return '';
  return html`<h4>Request body${op.requestBody.required === false ? html` <span class="note">(optional)</span>` : ''}</h4>
  ${entries.map(
    ([media, m]) => html`<p class="note">Example <code>${media}</code>${m.schema ? html` · ${schemaLabel(m.schema as Json)}` : ''}</p>
  <pre id="${id}-example-${media.replace(/\W+/g, '-')}">${typeof m.example === 'string' ? m.example : pretty(m.example ?? {})}</pre>
  ${m.schema && media.endsWith('json') ? html`<details><summary>Request schema (JSON Schema)</summary><pre>${pretty(m.schema)}</pre></details>` : ''}`,
  )}`;
}

function responsesView(op: Json): Html {
  return html`<h4>Responses</h4><ul>${Object.entries(op.responses as Json).map(([status, r]) => {
    const response = r as Json;
    const content = Object.entries((response.content ?? {}) as Json) as Array<[string, Json]>;
    const headers = Object.entries((response.headers ?? {}) as Json) as Array<[string, Json]>;
    return html`<li><code>${status}</code> ${markdownInline(response.description as string)}${
      content.length > 0 ? html` <span class="note">(${content.map(([media, m], i) => html`${i > 0 ? ', ' : ''}${media}: ${schemaLabel(m.schema as Json | undefined)}`)})</span>` : ''
    }${headers.length > 0 ? html`<br><span class="note">Headers: ${headers.map(([name, h], i) => html`${i > 0 ? '; ' : ''}<code>${name}</code> ${markdownInline(h.description as string)}`)}</span>` : ''}</li>`;
  })}</ul>`;
}

function operationView(path: string, method: string, op: Json): Html {
  const params = (op.parameters ?? []) as Json[];
  const json = op.requestBody?.content?.['application/json'] as Json | undefined;
  const security = (op.security?.[0]?.bearer ?? []) as string[];
  const id = op.operationId as string;
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  return html`<section class="card" id="${id}" aria-labelledby="${id}-h">
  <h3 id="${id}-h"><code>${method.toUpperCase()} ${path}</code></h3>
  <p>${markdownInline(op.summary as string)}${security.length > 0 ? html` <span class="pill warn">token: ${security.join(', ')}</span>` : ''}</p>
  ${op.description ? html`<div class="description">${markdown(op.description as string)}</div>` : ''}
  ${parametersView(params)}
  ${requestView(id, op)}
  ${responsesView(op)}
  <details><summary>Try it</summary>
    <form class="try" data-method="${method}" data-path="${path}">
      ${pathParams.map((p) => html`<label for="${id}-${p.name}">${p.name}</label><input type="text" id="${id}-${p.name}" name="p-${p.name}" required>`)}
      ${queryParams.map((p) => html`<label for="${id}-q-${p.name}">${p.name} <span class="note">(query, optional)</span></label><input type="text" id="${id}-q-${p.name}" name="q-${p.name}">`)}
      ${json ? html`<label for="${id}-body">Body (JSON)</label><textarea id="${id}-body" spellcheck="false">${pretty(json.example ?? {})}</textarea>` : ''}
      <div class="actions"><button type="submit">Send</button></div>
      <output></output>
    </form>
  </details>
</section>`;
}

function schemasView(schemas: Json): Html {
  return html`<h2 id="schemas">Schemas</h2>
${Object.entries(schemas).map(
  ([name, schema]) => html`<section class="card" id="schema-${name}" aria-labelledby="schema-${name}-h">
  <h3 id="schema-${name}-h"><code>${name}</code></h3>
  ${(schema as Json).description ? markdown((schema as Json).description as string) : ''}
  <details><summary>JSON Schema</summary><pre>${pretty(schema)}</pre></details>
</section>`,
)}`;
}

export function docsPage(document: Json): PageOptions {
  const byTag = new Map<string, Html[]>();
  for (const [path, methods] of Object.entries(document.paths as Json)) {
    for (const [method, op] of Object.entries(methods as Json)) {
      const tag = ((op as Json).tags?.[0] as string | undefined) ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationView(path, method, op as Json)]);
    }
  }
  const schemas = (document.components?.schemas ?? {}) as Json;
  const body = html`
<h1>API reference</h1>
${markdown(document.info.description as string)}
<p>The machine-readable document is at <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1).</p>
<div class="card">
  <label for="token">Bearer token for "Try it" (kept in this page only)</label>
  <input type="text" id="token" autocomplete="off" spellcheck="false" placeholder="edc_…">
</div>
<nav aria-label="Sections"><p>${[...byTag.keys()].map((tag, i) => html`${i > 0 ? ' · ' : ''}<a href="#tag-${tag}">${tag}</a>`)} · <a href="#schemas">Schemas</a></p></nav>
${[...byTag.entries()].map(([tag, ops]) => html`<h2 id="tag-${tag}">${tag}</h2>${ops}`)}
${schemasView(schemas)}`;
  return { title: 'API reference', description: 'The educred HTTP API', body, script: TRY_SCRIPT };
}
