// The OpenAPI document: valid OpenAPI 3.1, listing exactly the routes the app mounts, with
// request bodies generated from the zod schemas the routes validate with, a schema for every
// success answer, every header and query parameter the handlers read, and examples that pass
// their own schemas.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { HonoRequest } from 'hono/request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AwardPostSchema } from '../../src/mail/notify.js';
import { AwardRequestSchema } from '../../src/awards/awardRequest.js';
import { awardRowsFromCsv, CSV_COLUMNS } from '../../src/awards/batchCsv.js';
import { CSV_EXAMPLE, ROUTES } from '../../src/openapi/routes.js';
import { docsPage } from '../../src/pages/docsPage.js';
import { renderPage } from '../../src/pages/layout.js';
import { ADMIN_TOKEN, createTestInstance, type TestInstance } from '../helpers/app.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, any>;
let t: TestInstance;
let doc: Json;
beforeAll(async () => {
  t = await createTestInstance();
  doc = (await (await t.app.request('/openapi.json')).json()) as Json;
});
afterAll(async () => t.close());

/** The app's own route list (Hono `app.routes`), as "METHOD /openapi/{path}". */
function mountedRoutes(): Set<string> {
  return new Set(
    t.app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method.toUpperCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
  );
}

function documentedRoutes(): Set<string> {
  const out = new Set<string>();
  for (const [path, methods] of Object.entries(doc.paths as Json)) for (const method of Object.keys(methods as Json)) out.add(`${method.toUpperCase()} ${path}`);
  return out;
}

describe('GET /openapi.json', () => {
  it('validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it('lists every route the app mounts, and only those', () => {
    const mounted = mountedRoutes();
    const documented = documentedRoutes();
    expect([...mounted].filter((r) => !documented.has(r)), 'mounted but not documented (add them to src/openapi/routes.ts)').toEqual([]);
    expect([...documented].filter((r) => !mounted.has(r)), 'documented but not mounted').toEqual([]);
  });

  it('gives every success answer of every mounted route its schema (no route without one)', () => {
    const missing: string[] = [];
    for (const route of mountedRoutes()) {
      const [method, routePath] = route.split(' ') as [string, string];
      const op = doc.paths[routePath]?.[method.toLowerCase()] as Json | undefined;
      if (!op) {
        missing.push(`${route}: not documented`);
        continue;
      }
      const ok = Object.entries(op.responses as Json).filter(([status]) => status.startsWith('2'));
      // A console form answered by a redirect to the page that shows the result (POST, redirect, GET) has a 303 instead.
      if (ok.length === 0 && !('303' in (op.responses as Json))) missing.push(`${route}: no 2xx answer`);
      for (const [status, response] of ok) {
        if (status === '204') continue;
        const content = ((response as Json).content ?? {}) as Json;
        if (Object.keys(content).length === 0) missing.push(`${route} ${status}: no body described`);
        for (const [media, { schema }] of Object.entries(content) as Array<[string, Json]>) {
          const real = schema && (schema.$ref || schema.properties || schema.items || schema.anyOf || schema.oneOf || (schema.type === 'string' && schema.contentMediaType === media));
          if (!real) missing.push(`${route} ${status} ${media}: ${JSON.stringify(schema)}`);
        }
      }
    }
    expect(missing, 'give each 2xx answer a schema in src/openapi/routes.ts (src/openapi/schemas.ts)').toEqual([]);
    expect(doc.paths['/awards'].post.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/AwardCreated' });
    expect(doc.paths['/status/{listId}'].get.responses['200'].content['application/vc+ld+json'].schema).toEqual({ $ref: '#/components/schemas/BitstringStatusListCredential' });
    expect(doc.paths['/credentials/verify'].post.responses['400'].content['application/problem+json'].schema.anyOf).toEqual([
      { $ref: '#/components/schemas/CredentialNotVerified' },
      { $ref: '#/components/schemas/Problem' },
    ]);
  });

  it('declares every request header and query parameter a handler reads', () => {
    const declared = new Set<string>();
    for (const methods of Object.values(doc.paths as Json)) {
      for (const op of Object.values(methods as Json)) for (const p of ((op as Json).parameters ?? []) as Json[]) declared.add(`${p.in as string}:${(p.name as string).toLowerCase()}`);
    }
    // Read by the transport, not an API parameter (OAS 3.1 §4.8.12: Accept, Content-Type and
    // Authorization parameters are ignored; CORS preflight headers belong to the browser).
    const transport = new Set(['header:accept', 'header:content-type', 'header:authorization', 'header:access-control-request-method', 'header:access-control-request-headers', 'header:origin']);
    const dir = path.resolve('src/http');
    const read = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      for (const m of text.matchAll(/req\.(header|query)\(\s*['"]([^'"]+)['"]\s*\)/g)) read.add(`${m[1] === 'header' ? 'header' : 'query'}:${(m[2] as string).toLowerCase()}`);
    }
    expect(read.size).toBeGreaterThan(5);
    expect([...read].filter((name) => !transport.has(name) && !declared.has(name)), 'read by a handler but not declared').toEqual([]);

    const names = (routePath: string, method: string, where: string) => ((doc.paths[routePath][method].parameters ?? []) as Json[]).filter((p) => p.in === where).map((p) => p.name as string);
    expect(names('/awards', 'post', 'header')).toEqual(['Idempotency-Key']);
    expect(Object.keys(doc.paths['/awards'].post.responses['201'].headers)).toEqual(['Location']);
    expect(Object.keys(doc.paths['/awards'].post.responses['200'].headers)).toEqual(['Location', 'Idempotent-Replayed']);
    expect(names('/awards/batch', 'post', 'header')).toEqual(expect.arrayContaining(['Batch-Id', 'Prefer']));
    expect(names('/awards/batch', 'post', 'query')).toEqual(['batchId']);
    expect(Object.keys(doc.paths['/awards/batch'].post.responses['202'].headers)).toEqual(['Location', 'Retry-After']);
    expect(names('/awards/batch/{batchId}', 'get', 'query')).toEqual(['offset', 'limit', 'rows']);
    expect(names('/status/{listId}', 'get', 'header')).toEqual(['If-None-Match']);
    expect(Object.keys(doc.paths['/status/{listId}'].get.responses['200'].headers)).toEqual(['ETag', 'Cache-Control']);
    expect(Object.keys(doc.paths['/credentials/issue'].post.responses['201'].headers)).toEqual(['Idempotent-Replayed']);
  });

  it('declares, on each route, the headers and query parameters its handler reads when called', async () => {
    // Every c.req.query(name) / c.req.header(name) a request makes is recorded, so a parameter
    // read through a helper function is seen too.
    const read = new Set<string>();
    const proto = HonoRequest.prototype as unknown as Record<string, (this: unknown, key?: string) => unknown>;
    const original = { query: proto.query!, queries: proto.queries!, header: proto.header! };
    for (const [name, where] of [['query', 'query'], ['queries', 'query'], ['header', 'header']] as const) {
      proto[name] = function (this: unknown, key?: string) {
        read.add(typeof key === 'string' ? `${where}:${key.toLowerCase()}` : `${where}:*`);
        return original[name].call(this, key);
      };
    }
    const transport = new Set(['header:accept', 'header:content-type', 'header:authorization', 'header:origin', 'header:sec-fetch-site', 'header:access-control-request-method', 'header:access-control-request-headers']);
    const undeclared: string[] = [];
    let exercised = 0;
    try {
      for (const [routePath, methods] of Object.entries(doc.paths as Json)) {
        for (const [method, op] of Object.entries(methods as Json) as Array<[string, Json]>) {
          const params = (op.parameters ?? []) as Json[];
          const url = routePath.replace(/\{(\w+)\}/g, 'unknown-$1');
          const media = op.requestBody?.content?.['application/json'] as Json | undefined;
          read.clear();
          await t.app.request(url, {
            method: method.toUpperCase(),
            headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(media ? { 'Content-Type': 'application/json' } : {}) },
            ...(media ? { body: JSON.stringify(media.example ?? {}) } : {}),
          });
          exercised++;
          const declared = new Set(params.filter((p) => p.in !== 'path').map((p) => `${p.in as string}:${(p.name as string).toLowerCase()}`));
          for (const name of read) if (!transport.has(name) && !declared.has(name)) undeclared.push(`${method.toUpperCase()} ${routePath} reads ${name}`);
        }
      }
    } finally {
      Object.assign(proto, original);
    }
    expect(exercised).toBe(ROUTES.length);
    expect(undeclared, 'declare them in the route\'s query/headers (src/openapi/routes.ts)').toEqual([]);
  });

  it('describes the CSV body of a batch column by column, with an example file that reads without a problem', () => {
    const op = doc.paths['/awards/batch'].post;
    const csv = op.requestBody.content['text/csv'];
    expect(csv.schema).toMatchObject({ type: 'string', contentMediaType: 'text/csv' });
    expect(csv.example).toBe(CSV_EXAMPLE);
    for (const column of CSV_COLUMNS) expect(op.description, column).toMatch(new RegExp(`^\\| \`${column}\` \\| .+ \\|$`, 'm'));
    const rows = awardRowsFromCsv(CSV_EXAMPLE, 10);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.errors).toEqual([]);
      expect(AwardRequestSchema.safeParse(row.body).success).toBe(true);
    }
  });

  it('gives every route with a JSON body an example that passes the route\'s own schema and the documented one', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const withBody = ROUTES.filter((r) => r.body);
    expect(withBody.length).toBeGreaterThan(10);
    for (const route of withBody) {
      const name = `${route.method.toUpperCase()} ${route.path}`;
      expect(route.example, `${name} has no example`).toBeDefined();
      const parsed = route.body!.safeParse(route.example);
      expect(parsed.success, `${name}: ${parsed.error?.message ?? ''}`).toBe(true);
      const media = doc.paths[route.path][route.method].requestBody.content['application/json'];
      expect(media.example).toEqual(route.example);
      const validate = ajv.compile({ ...media.schema, components: doc.components });
      expect(validate(route.example), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });

  it('lists the DID document where a path-form did:web serves it, as the app mounts it', async () => {
    const pathForm = await createTestInstance({ env: { EDUCRED_DID_WEB_DOMAIN: 'localhost%3A3000:programs:east' } });
    try {
      const own = (await (await pathForm.app.request('/openapi.json')).json()) as Json;
      expect(Object.keys(own.paths as Json).filter((p) => p.endsWith('did.json'))).toEqual(['/programs/east/did.json']);
      expect(pathForm.app.routes.some((r) => r.method === 'GET' && r.path === '/programs/east/did.json')).toBe(true);
      expect(own.paths['/programs/east/did.json'].get.responses['200'].content['application/did+json'].schema).toEqual({ $ref: '#/components/schemas/DidDocument' });
    } finally {
      await pathForm.close();
    }
  });

  it('documents request bodies with the zod schemas the routes validate with, and admin routes with bearer security', () => {
    const awards = doc.paths['/awards'].post;
    const { $schema: _s, ...expected } = z.toJSONSchema(AwardPostSchema, { io: 'input', unrepresentable: 'any' }) as Json;
    expect(awards.requestBody.content['application/json'].schema).toEqual(expected);
    expect(awards.security).toEqual([{ bearer: ['issue'] }]);
    expect(doc.paths['/endorsements'].post.security).toEqual([{ bearer: ['admin'] }]);
    expect(doc.paths['/credentials/{id}'].get.security).toBeUndefined();
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('GET /docs', () => {
  it('renders every operation without external assets, with its script allowed by hash', async () => {
    const res = await t.app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'sha256-[^']+'/);
    const page = await res.text();
    for (const route of documentedRoutes()) expect(page).toContain(`<code>${route.replace(' ', ' ')}</code>`);
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);
  });

  const unescape = (text: string): string => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

  it('renders descriptions as Markdown on the server (strong, lists, the CSV column table)', async () => {
    const page = await (await t.app.request('/docs')).text();
    const batch = page.slice(page.indexOf('id="postAwardsBatch"'), page.indexOf('</section>', page.indexOf('id="postAwardsBatch"')));
    expect(batch).toContain('<strong>CSV</strong>');
    expect(batch).toContain('<td><code>observations</code></td>');
    // The pipes of the observation format stay inside their cell.
    expect(batch).toMatch(/<td>The evidence: observations separated by <code>;<\/code>, each <code>date\|observer\|level<\/code> or <code>date\|observer\|level\|narrative<\/code>/);
    const description = batch.slice(batch.indexOf('<div class="description">'), batch.indexOf('</div>', batch.indexOf('<div class="description">')));
    expect((description.match(/<tr>/g) ?? []).length).toBe(1 + CSV_COLUMNS.length); // the header row, then one row per column
    const exchange = page.slice(page.indexOf('id="postExchangesToken"'));
    expect(exchange).toMatch(/<ol>\s*<li>Send <code>\{\}<\/code>/);
    expect(page).not.toMatch(/\*\*[A-Za-z]/);
  });

  it('shows an example body for each operation that takes one: JSON for every JSON body, the CSV file for a batch', async () => {
    const page = await (await t.app.request('/docs')).text();
    const withBody = ROUTES.filter((r) => r.body);
    for (const route of withBody) {
      const id = doc.paths[route.path][route.method].operationId as string;
      const shown = new RegExp(`<pre id="${id}-example-application-json">([^<]*)</pre>`).exec(page);
      expect(shown, `${id} shows an example`).not.toBeNull();
      expect(JSON.parse(unescape(shown![1]!)), id).toEqual(route.example);
      const tryBody = new RegExp(`<textarea id="${id}-body"[^>]*>([^<]*)</textarea>`).exec(page);
      expect(JSON.parse(unescape(tryBody![1]!)), `${id} Try it starts from the example`).toEqual(route.example);
    }
    const csv = /<pre id="postAwardsBatch-example-text-csv">([^<]*)<\/pre>/.exec(page);
    expect(unescape(csv![1]!)).toBe(CSV_EXAMPLE);
  });

  it('shows each parameter and response header of an operation', async () => {
    const page = await (await t.app.request('/docs')).text();
    const award = page.slice(page.indexOf('id="postAwards"'), page.indexOf('</section>', page.indexOf('id="postAwards"')));
    expect(award).toContain('<td><code>Idempotency-Key</code></td><td>header</td>');
    expect(award).toMatch(/<code>200<\/code>[^\n]*Headers: <code>Location<\/code>[^\n]*<code>Idempotent-Replayed<\/code>/);
    expect(award).toContain('<a href="#schema-AwardCreated">AwardCreated</a>');
    expect(page).toContain('id="schema-AwardCreated"');
  });

  it('escapes raw HTML in descriptions and keeps only safe links and no images', async () => {
    const hostile = {
      ...doc,
      info: { ...doc.info, description: 'Intro <script>alert(1)</script> <img src=x onerror=alert(2)>' },
      paths: {
        '/x': {
          get: {
            operationId: 'getX',
            summary: 'S <b>bold</b>',
            description: '[click](javascript:alert(3)) [fine](https://example.org/a) [local](/verify) ![pic](https://evil.example/p.png)\n\n<iframe src="https://evil.example"></iframe>',
            responses: { '200': { description: 'ok <em>x</em>' } },
          },
        },
      },
      components: { schemas: {} },
    };
    const page = String(await renderPage(docsPage(hostile)));
    expect(page).not.toMatch(/<script>alert|<img|<iframe|<b>bold|<em>x|javascript:/i);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&lt;iframe src=&quot;https://evil.example&quot;&gt;&lt;/iframe&gt;');
    expect(page).toContain('<a href="https://example.org/a">fine</a>');
    expect(page).toContain('<a href="/verify">local</a>');
    expect(page).toMatch(/>click<|\bclick\b/);
    expect(page).not.toContain('evil.example/p.png');
  });

  it('serves a home page that points to verify and docs', async () => {
    const page = await (await t.app.request('/')).text();
    expect(page).toContain('href="/verify"');
    expect(page).toContain('href="/docs"');
  });
});
