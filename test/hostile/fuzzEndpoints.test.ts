// Property-based hostile input at every route the app mounts (taken from app.routes, so a new
// route is covered without editing this file): random JSON, random bytes (invalid UTF-8
// included) under every media type, random credentials in headers. The service must never
// answer 5xx, must answer every error as problem+json, and must not change stored data.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { endpoints, expectSafeAnswer, fillPath, isHtmlRoute, storedData, type Endpoint } from '../helpers/hostile.js';

let t: TestInstance;
let writes: Endpoint[];
let reads: Endpoint[];
let before: string;

beforeAll(async () => {
  t = await createTestInstance({ env: { EDUCRED_BODY_LIMIT: String(256 * 1024) } });
  // Something to protect: an award (with its claim link) and a finished batch.
  expect((await postJson(t.app, '/awards', awardBody())).status).toBe(201);
  expect((await postJson(t.app, '/awards/batch', [awardBody({ recipient: { email: 'x@example.edu', name: 'X' } })], { 'Batch-Id': 'kept' })).status).toBe(200);
  writes = endpoints(t.app, ['POST', 'PUT', 'PATCH', 'DELETE']);
  reads = endpoints(t.app, ['GET']).filter((e) => !isHtmlRoute(e));
  before = storedData(t.runtime.db);
});
afterAll(async () => t.close());

const RUNS = { numRuns: 40 };
const MEDIA_TYPES = ['application/json', 'application/ld+json', 'text/csv', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''];

async function send(endpoint: Endpoint, param: string, body: string | Uint8Array | undefined, headers: Record<string, string>): Promise<Response> {
  return t.app.request(fillPath(endpoint.path, param), { method: endpoint.method, headers, ...(body !== undefined ? { body } : {}) });
}

describe('hostile bodies at every write route', () => {
  it('covers every write route the app mounts', () => {
    expect(writes.map((e) => `${e.method} ${e.path}`)).toEqual(expect.arrayContaining(['POST /awards', 'POST /awards/batch', 'POST /credentials/issue', 'POST /tokens']));
  });

  it('answers random JSON without a 5xx, with problem+json, and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 6 }), async (endpoint, param, value) => {
        const res = await send(endpoint, param, JSON.stringify(value), { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` });
        await expectSafeAnswer(res, `${endpoint.method} ${endpoint.path} ${JSON.stringify(value).slice(0, 120)}`);
        expect(storedData(t.runtime.db)).toBe(before);
      }),
      RUNS,
    );
  });

  it('answers random bytes (invalid UTF-8 included) under any media type', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), fc.constantFrom(...MEDIA_TYPES), fc.uint8Array({ maxLength: 2048 }), async (endpoint, type, bytes) => {
        const headers: Record<string, string> = { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(type ? { 'Content-Type': type } : {}) };
        await expectSafeAnswer(await send(endpoint, 'x', bytes, headers), `${endpoint.method} ${endpoint.path} ${type}`);
        expect(storedData(t.runtime.db)).toBe(before);
      }),
      RUNS,
    );
  });

  it('answers objects shaped like the real bodies but with wrong types in every field', async () => {
    const field = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));
    const shaped = fc.record(
      { recipient: field, achievement: field, evidence: field, credential: field, options: field, name: field, scopes: field, awards: field, batchId: field, verifiableCredential: field },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), shaped, async (endpoint, body) => {
        const res = await send(endpoint, 'x', JSON.stringify(body), { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` });
        await expectSafeAnswer(res, `${endpoint.method} ${endpoint.path} ${JSON.stringify(body).slice(0, 160)}`);
        expect(storedData(t.runtime.db)).toBe(before);
      }),
      RUNS,
    );
  });
});

describe('hostile requests at every read route and in headers', () => {
  it('answers random path parameters and query strings at JSON read routes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...reads), fc.string({ maxLength: 80 }), fc.string({ maxLength: 40 }), async (endpoint, param, query) => {
        const url = `${fillPath(endpoint.path, param)}?${encodeURIComponent(query)}=${encodeURIComponent(query)}`;
        const res = await t.app.request(url, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
        await expectSafeAnswer(res, `GET ${url}`);
      }),
      RUNS,
    );
    expect(storedData(t.runtime.db)).toBe(before);
  });

  it('refuses random Authorization headers with 401 problem+json', async () => {
    const protectedWrites = ['POST /awards', 'POST /awards/batch', 'POST /credentials/issue', 'POST /tokens', 'POST /endorsements'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...protectedWrites), fc.oneof(fc.string({ maxLength: 200 }), fc.string().map((s) => `Bearer ${s}`)), async (route, authorization) => {
        const path = route.split(' ')[1] ?? '/';
        let res: Response;
        try {
          res = await t.app.request(path, { method: 'POST', headers: { Authorization: authorization, 'Content-Type': 'application/json' }, body: '{}' });
        } catch (error) {
          // The Fetch API itself refuses some header values (line breaks): nothing reaches the service.
          expect(error).toBeInstanceOf(TypeError);
          return;
        }
        expect([401, 403]).toContain(res.status);
        await expectSafeAnswer(res, `${route} Authorization: ${authorization.slice(0, 40)}`);
      }),
      RUNS,
    );
    expect(storedData(t.runtime.db)).toBe(before);
  });

  it('refuses hostile Idempotency-Key and Batch-Id headers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (value) => {
        const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` };
        let res: Response;
        try {
          res = await t.app.request('/awards/batch', { method: 'POST', headers: { ...headers, 'Batch-Id': value }, body: '[{}]' });
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          return;
        }
        await expectSafeAnswer(res, `Batch-Id ${value.slice(0, 40)}`);
        const award = await t.app.request('/awards', { method: 'POST', headers: { ...headers, 'Idempotency-Key': value }, body: '{}' });
        await expectSafeAnswer(award, `Idempotency-Key ${value.slice(0, 40)}`);
      }),
      RUNS,
    );
    expect(storedData(t.runtime.db)).toBe(before);
  });
});
