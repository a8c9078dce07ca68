// Named adversarial inputs (fixtures under test/fixtures/hostile/): deeply nested and huge JSON,
// JSON-LD that points at remote contexts, redefines protected terms or carries unknown terms,
// SQL-ish strings in every field, invalid UTF-8, oversized CSV uploads, prototype keys.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ADMIN_TOKEN, awardBody, createTestInstance, masteryEvidence, postJson, type TestInstance } from '../helpers/app.js';
import { CSV_HEADER, csvBatch, postBatch } from '../helpers/batch.js';
import { BODILESS_ROUTES, endpoints, expectSafeAnswer, fillPath, isHtmlRoute, storedData } from '../helpers/hostile.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/hostile/${name}`, import.meta.url), 'utf8');
const SQL_STRINGS = JSON.parse(fixture('sql-strings.json')) as string[];

let t: TestInstance;
beforeAll(async () => {
  t = await createTestInstance({ env: { EDUCRED_BODY_LIMIT: String(256 * 1024) }, configure: (deps) => ({ ...deps, batchBodyLimit: 2 * 1024 * 1024 }) });
  expect((await postJson(t.app, '/awards', awardBody())).status).toBe(201);
});
afterAll(async () => t.close());

const tableNames = async (): Promise<string[]> => (await t.runtime.store.kysely.introspection.getTables()).map((table) => table.name).sort();

describe('deeply nested and huge JSON', () => {
  const deepArray = '['.repeat(100_000) + ']'.repeat(100_000);
  const deepObject = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);

  it.each([
    ['100,000 nested arrays', deepArray],
    ['5,000 nested objects', deepObject],
  ])('refuses %s at every write route, before any recursive code sees it', async (_name, body) => {
    const before = await storedData(t.runtime.store);
    for (const endpoint of endpoints(t.app, ['POST'])) {
      const res = await t.app.request(fillPath(endpoint.path, 'x'), { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` }, body });
      await expectSafeAnswer(res, `${endpoint.path} nested`);
      // Refused, except where no body is read (the nonce endpoint) or a page answers (the console
      // sends a browser without a session to its sign-in page).
      if (!BODILESS_ROUTES.has(endpoint.path) && !isHtmlRoute(endpoint)) expect(res.status, endpoint.path).toBeGreaterThanOrEqual(400);
    }
    const award = await postJson(t.app, '/awards', deepObject);
    expect(((await award.json()) as { detail: string }).detail).toContain('nests deeper than 64');
    expect(await storedData(t.runtime.store)).toBe(before);
  });

  it('refuses bodies over the limit with 413, and a batch over its own larger limit', async () => {
    const before = await storedData(t.runtime.store);
    const huge = JSON.stringify(awardBody({ recipient: { email: 'a@example.edu', name: 'x'.repeat(300 * 1024) } }));
    for (const path of ['/awards', '/credentials/issue', '/tokens']) {
      const res = await postJson(t.app, path, huge);
      expect(res.status, path).toBe(413);
      await expectSafeAnswer(res, path);
    }
    const bigBatch = JSON.stringify(Array.from({ length: 3000 }, () => awardBody()));
    expect(bigBatch.length).toBeGreaterThan(2 * 1024 * 1024);
    await expectSafeAnswer(await postJson(t.app, '/awards/batch', bigBatch), 'batch');
    expect((await postJson(t.app, '/awards/batch', bigBatch)).status).toBe(413);
    expect(await storedData(t.runtime.store)).toBe(before);
  });

  it('refuses prototype keys (__proto__, constructor) as unknown fields', async () => {
    const before = await storedData(t.runtime.store);
    const body = `{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}, ${JSON.stringify(awardBody()).slice(1)}`;
    const res = await postJson(t.app, '/awards', body);
    expect(res.status).toBe(400);
    await expectSafeAnswer(res, '__proto__');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(await storedData(t.runtime.store)).toBe(before);
  });
});

describe('JSON-LD that tries to steer signing', () => {
  const credentialFixture = (name: string): Record<string, unknown> =>
    JSON.parse(fixture(name).replaceAll('{{ISSUER}}', t.runtime.issuer.identity.did)) as Record<string, unknown>;

  it.each([
    ['remote-context.json', 'only the pinned contexts'],
    ['protected-term-redefinition.json', 'protected term'],
    ['unknown-terms.json', 'safe mode'],
    ['scoped-context-nulling.json', ''],
  ])('POST /credentials/issue refuses %s with 422 and never fetches anything', async (name, reason) => {
    const before = await storedData(t.runtime.store);
    const res = await postJson(t.app, '/credentials/issue', { credential: credentialFixture(name) });
    expect(res.status).toBe(422);
    const problem = (await res.clone().json()) as { detail: string };
    expect(problem.detail).toContain(reason);
    await expectSafeAnswer(res, name);
    expect(await storedData(t.runtime.store)).toBe(before);
  });

  it('signs a credential whose own @vocab defines its terms (explicit, not smuggled), storing only that credential', async () => {
    const before = await t.runtime.store.awards.count();
    const res = await postJson(t.app, '/credentials/issue', { credential: credentialFixture('vocab-override.json') });
    expect(res.status).toBe(201);
    const { verifiableCredential } = (await res.json()) as { verifiableCredential: unknown };
    // VC-API credentials are kept like awards, so that their status can change later.
    expect(await t.runtime.store.awards.count()).toBe(before + 1);
    const [newest] = (await sql<{ credential_json: string }>`SELECT credential_json FROM awards ORDER BY rowid DESC LIMIT 1`.execute(t.runtime.store.kysely)).rows;
    expect(JSON.parse(newest!.credential_json)).toEqual(verifiableCredential);
  });

  it('answers the fixtures safely at every verify route present', async () => {
    const verifyRoutes = endpoints(t.app, ['POST']).filter((e) => /verify/.test(e.path));
    for (const endpoint of verifyRoutes) {
      for (const name of ['remote-context.json', 'protected-term-redefinition.json', 'unknown-terms.json', 'vocab-override.json']) {
        const credential = credentialFixture(name);
        for (const body of [{ verifiableCredential: credential }, { verifiablePresentation: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [credential] } }]) {
          await expectSafeAnswer(await postJson(t.app, endpoint.path, body), `${endpoint.path} ${name}`);
        }
      }
    }
  });
});

describe('SQL-ish strings are data, never SQL', () => {
  const FIELDS: Array<[string, (s: string) => Record<string, unknown>]> = [
    ['recipient.name', (s) => awardBody({ recipient: { email: 'sql@example.edu', name: s } })],
    ['recipient.email', (s) => awardBody({ recipient: { email: s, name: 'X' } })],
    ['recipient.id', (s) => awardBody({ recipient: { id: s } })],
    ['achievement', (s) => awardBody({ achievement: s })],
    ['evidence[].observer', (s) => awardBody({ evidence: masteryEvidence().map((o) => ({ ...o, observer: s })) })],
    ['evidence[].narrative', (s) => awardBody({ evidence: masteryEvidence().map((o) => ({ ...o, narrative: s })) })],
    ['evidence[].date', (s) => awardBody({ evidence: masteryEvidence().map((o) => ({ ...o, date: s })) })],
    ['evidence[].level', (s) => awardBody({ evidence: masteryEvidence().map((o) => ({ ...o, level: s })) })],
    ['validUntil', (s) => awardBody({ validUntil: s })],
  ];

  it('in every field of POST /awards: refused with problem+json or stored verbatim; no table touched', async () => {
    const tables = await tableNames();
    for (const [field, build] of FIELDS) {
      for (const s of SQL_STRINGS) {
        const before = await storedData(t.runtime.store);
        const res = await postJson(t.app, '/awards', build(s));
        if (res.status === 201) {
          const { id } = (await res.json()) as { id: string };
          const award = await t.runtime.store.awards.find(id);
          if (field === 'recipient.name') expect(award?.recipientName).toBe(s.trim());
          if (field.startsWith('evidence')) expect(JSON.stringify(award?.credential)).toContain(JSON.stringify(s.trim()).slice(1, -1));
        } else {
          await expectSafeAnswer(res, `${field} = ${s}`);
          expect(await storedData(t.runtime.store), `${field} = ${s}`).toBe(before);
        }
      }
    }
    expect(await tableNames()).toEqual(tables);
    expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM api_tokens`.execute(t.runtime.store.kysely)).rows[0]!.n)).toBe(1);
  });

  it('in path parameters, queries, batch ids and CSV cells', async () => {
    const before = await storedData(t.runtime.store);
    for (const s of SQL_STRINGS) {
      for (const endpoint of endpoints(t.app, ['GET']).filter((e) => e.path.includes(':') && !e.path.startsWith('/claim/'))) {
        await expectSafeAnswer(await t.app.request(`${fillPath(endpoint.path, s)}?offset=${encodeURIComponent(s)}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }), `${endpoint.path} ${s}`);
      }
      await expectSafeAnswer(await postJson(t.app, `/awards/batch?batchId=${encodeURIComponent(s)}`, [awardBody()]), `batchId ${s}`);
      const cell = `"${s.replaceAll('"', '""')}"`;
      const csv = `${CSV_HEADER}\n${cell},${cell},${cell},${cell}\n`;
      await expectSafeAnswer(await postBatch(t.app, csv, 'text/csv'), `csv ${s}`);
    }
    expect(await storedData(t.runtime.store)).toBe(before);
  });
});

describe('invalid UTF-8 and oversized CSV uploads', () => {
  it('refuses a CSV with invalid UTF-8 bytes (400 invalid-encoding)', async () => {
    const bytes = readFileSync(new URL('../fixtures/hostile/invalid-utf8.csv', import.meta.url));
    const res = await t.app.request('/awards/batch', { method: 'POST', headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${ADMIN_TOKEN}` }, body: bytes });
    expect(res.status).toBe(400);
    expect(((await res.clone().json()) as { type: string }).type).toBe('urn:educred:problem:invalid-encoding');
  });

  it('answers invalid UTF-8 in a JSON body at every write route safely', async () => {
    const before = await storedData(t.runtime.store);
    const body = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0xc0, 0xaf, 0x7d]);
    for (const endpoint of endpoints(t.app, ['POST'])) {
      const res = await t.app.request(fillPath(endpoint.path, 'x'), { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` }, body });
      await expectSafeAnswer(res, endpoint.path);
    }
    expect(await storedData(t.runtime.store)).toBe(before);
  });

  it('refuses a CSV with more than 10,000 rows (413) and one over the upload limit (413)', async () => {
    const before = await storedData(t.runtime.store);
    expect((await postBatch(t.app, csvBatch(10_001), 'text/csv')).status).toBe(413);
    const wide = `${CSV_HEADER}\n` + `a@example.edu,${'N'.repeat(1024)},formative-assessment,x\n`.repeat(2100);
    const res = await postBatch(t.app, wide, 'text/csv');
    expect(res.status).toBe(413);
    await expectSafeAnswer(res, 'wide csv');
    expect(await storedData(t.runtime.store)).toBe(before);
  });

  it('refuses a CSV with a single huge cell or a runaway quote (400)', async () => {
    const before = await storedData(t.runtime.store);
    await expectSafeAnswer(await postBatch(t.app, `${CSV_HEADER}\n"${'x'.repeat(300_000)}",a,b,c\n`, 'text/csv'), 'huge cell');
    await expectSafeAnswer(await postBatch(t.app, `${CSV_HEADER}\n"unterminated,a,b,c\n${'y,'.repeat(1000)}`, 'text/csv'), 'runaway quote');
    expect(await storedData(t.runtime.store)).toBe(before);
  });
});
