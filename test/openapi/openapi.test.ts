// The OpenAPI document: valid OpenAPI 3.1, listing exactly the routes the app mounts, with
// request bodies generated from the zod schemas the routes validate with.
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AwardPostSchema } from '../../src/mail/notify.js';
import { createTestInstance, type TestInstance } from '../helpers/app.js';

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

  it('serves a home page that points to verify and docs', async () => {
    const page = await (await t.app.request('/')).text();
    expect(page).toContain('href="/verify"');
    expect(page).toContain('href="/docs"');
  });
});
