// The admin flows over HTTP: listing awards (GET /awards) with filters and cursor pagination,
// the audit log (GET /audit), listing and revoking tokens (GET /tokens, DELETE /tokens/:id, a
// revoked token refused by the very next request), a changed EDUCRED_ADMIN_TOKEN replacing the
// old one at start, and refused requests audited in aggregate with bounded strings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { configureRefusalAudit, REFUSAL_STRING_LIMIT, RefusalAudit } from '../../src/http/refusalAudit.js';
import { ensureAdminToken } from '../../src/runtime.js';
import { createService } from '../../src/service.js';
import { ADMIN_TOKEN, awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;
const ALICE = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const BOB = 'did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG';

let t: TestInstance;
beforeAll(async () => {
  // The status filter covers suspension: this issuer chose both status entries.
  t = await createTestInstance({ env: { EDUCRED_STATUS_PURPOSES: 'revocation,suspension' } });
});
afterAll(async () => t.close());

const get = (url: string, token = ADMIN_TOKEN): Promise<Response> => Promise.resolve(t.app.request(url, { headers: { Authorization: `Bearer ${token}` } }));
const del = (url: string, token = ADMIN_TOKEN): Promise<Response> => Promise.resolve(t.app.request(url, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } }));
async function newToken(name: string, scopes: string[]): Promise<{ id: string; token: string }> {
  const res = await postJson(t.app, '/tokens', { name, scopes });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; token: string };
}
async function award(overrides: Record<string, unknown>): Promise<Json> {
  const res = await postJson(t.app, '/awards', awardBody(overrides));
  expect(res.status).toBe(201);
  return (await res.json()) as Json;
}
async function expectBadParam(res: Response, name: string): Promise<Json> {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Json;
  expect(body['invalid-params']).toEqual([expect.objectContaining({ name })]);
  expect(body.detail).toContain(`'${name}'`);
  return body;
}
/** Every item of a listing, walking its pages with `next`. */
async function walk(url: string, token = ADMIN_TOKEN): Promise<{ items: Json[]; pages: number }> {
  const items: Json[] = [];
  let pages = 0;
  let next: string | null = url;
  while (next !== null) {
    const res = await get(next, token);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: Json[]; next: string | null };
    items.push(...page.items);
    pages += 1;
    next = page.next === null ? null : `${url}${url.includes('?') ? '&' : '?'}cursor=${page.next}`;
  }
  return { items, pages };
}

describe('GET /awards: filters and cursor pagination', () => {
  const ids: Record<string, string> = {};
  const claimUrls: string[] = [];
  beforeAll(async () => {
    const made = {
      aliceFormative: await award({ recipient: { id: ALICE, name: 'Alice' } }),
      aliceDifferentiated: await award({ recipient: { id: ALICE, name: 'Alice' }, achievement: 'differentiated-support' }),
      bobFormative: await award({ recipient: { id: BOB, name: 'Bob' } }),
      carolEmail: await award({ recipient: { email: 'Carol.Diaz@Example.edu', name: 'Carol Diaz' } }),
      daveEmail: await award({ recipient: { email: 'dave@example.edu', name: 'Dave' }, achievement: 'differentiated-support' }),
    };
    for (const [k, v] of Object.entries(made)) {
      ids[k] = v.id as string;
      if (typeof v.claimUrl === 'string') claimUrls.push(v.claimUrl);
    }
    const reason = { reason: 'test' };
    expect((await postJson(t.app, `/awards/${ids.bobFormative}/revoke`, reason)).status).toBe(200);
    expect((await postJson(t.app, `/awards/${ids.carolEmail}/suspend`, reason)).status).toBe(200);
    // Revoked and suspended: revoked wins.
    expect((await postJson(t.app, `/awards/${ids.daveEmail}/suspend`, reason)).status).toBe(200);
    expect((await postJson(t.app, `/awards/${ids.daveEmail}/revoke`, reason)).status).toBe(200);
  });

  it('lists every award newest first with its fields, and never a claim token', async () => {
    const res = await get('/awards');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: Json[]; next: string | null };
    expect(body.next).toBeNull();
    expect(body.items.map((i) => i.id)).toEqual([ids.daveEmail, ids.carolEmail, ids.bobFormative, ids.aliceDifferentiated, ids.aliceFormative]);
    const carol = body.items[1]!;
    expect(carol).toEqual({
      id: ids.carolEmail,
      credentialId: `http://localhost:3000/credentials/${ids.carolEmail}`,
      achievement: 'formative-assessment',
      recipient: { email: 'carol.diaz@example.edu' },
      name: 'Carol Diaz',
      status: 'suspended',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      links: { award: `http://localhost:3000/awards/${ids.carolEmail}`, credential: `http://localhost:3000/credentials/${ids.carolEmail}` },
    });
    expect(body.items[2]).toMatchObject({ recipient: { id: BOB }, status: 'revoked' });
    expect(body.items.map((i) => i.status)).toEqual(['revoked', 'suspended', 'revoked', 'active', 'active']);
    expect(claimUrls.length).toBe(5);
    const text = JSON.stringify(body);
    for (const url of claimUrls) expect(text).not.toContain(url.split('/').pop());
  });

  it('filters by recipient DID or email (as the program gave it, any case), achievement and status, combined', async () => {
    const listed = async (query: string): Promise<string[]> => ((await (await get(`/awards?${query}`)).json()) as { items: Json[] }).items.map((i) => i.id as string);
    expect(await listed(`recipient=${encodeURIComponent(ALICE)}`)).toEqual([ids.aliceDifferentiated, ids.aliceFormative]);
    expect(await listed('recipient=CAROL.DIAZ%40example.edu')).toEqual([ids.carolEmail]);
    expect(await listed('achievement=differentiated-support')).toEqual([ids.daveEmail, ids.aliceDifferentiated]);
    expect(await listed('status=active')).toEqual([ids.aliceDifferentiated, ids.aliceFormative]);
    expect(await listed('status=revoked')).toEqual([ids.daveEmail, ids.bobFormative]);
    expect(await listed('status=suspended')).toEqual([ids.carolEmail]);
    expect(await listed(`recipient=${encodeURIComponent(ALICE)}&achievement=formative-assessment&status=active`)).toEqual([ids.aliceFormative]);
    expect(await listed('achievement=formative-assessment&status=revoked')).toEqual([ids.bobFormative]);
    expect(await listed('achievement=no-such-achievement')).toEqual([]);
  });

  it('pages with an opaque cursor: limit 2 walks all five, each once', async () => {
    const { items, pages } = await walk('/awards?limit=2');
    expect(pages).toBe(3);
    expect(items.map((i) => i.id)).toEqual([ids.daveEmail, ids.carolEmail, ids.bobFormative, ids.aliceDifferentiated, ids.aliceFormative]);
    const filtered = await walk('/awards?limit=1&status=revoked');
    expect(filtered.items.map((i) => i.id)).toEqual([ids.daveEmail, ids.bobFormative]);
  });

  it('answers a bad cursor, a cursor of other filters, an unknown status, a bad limit or recipient with 400 naming it', async () => {
    await expectBadParam(await get('/awards?cursor=not-a-cursor!'), 'cursor');
    await expectBadParam(await get(`/awards?cursor=${Buffer.from('{"p":"1; DROP TABLE awards"}').toString('base64url')}`), 'cursor');
    await expectBadParam(await get(`/awards?cursor=${Buffer.from('[1,2').toString('base64url')}`), 'cursor');
    const first = (await (await get('/awards?limit=1&status=revoked')).json()) as { next: string };
    expect(first.next).toMatch(/^[A-Za-z0-9_-]+$/);
    await expectBadParam(await get(`/awards?limit=1&status=active&cursor=${first.next}`), 'cursor');
    const tampered = JSON.parse(Buffer.from(first.next, 'base64url').toString('utf8')) as Json;
    await expectBadParam(await get(`/awards?limit=1&cursor=${Buffer.from(JSON.stringify({ ...tampered, f: 'x' })).toString('base64url')}`), 'cursor');
    const status = await expectBadParam(await get('/awards?status=expired'), 'status');
    expect(status.detail).toContain("'expired'");
    await expectBadParam(await get('/awards?limit=0'), 'limit');
    await expectBadParam(await get('/awards?limit=100000'), 'limit');
    await expectBadParam(await get('/awards?recipient=nobody'), 'recipient');
  });

  it('needs the issue scope', async () => {
    const { token } = await newToken('revocations only', ['revoke']);
    expect((await get('/awards', token)).status).toBe(403);
    const issuer = await newToken('registrar listing', ['issue']);
    expect((await get('/awards', issuer.token)).status).toBe(200);
  });
});

describe('GET /audit', () => {
  it('lists audit rows newest first, by subject, with the actor as a token name, for admins only', async () => {
    const { token } = await newToken('audit issuer', ['issue']);
    const made = (await (await t.app.request('/awards', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(awardBody({ recipient: { email: 'audited.educator@example.edu', name: 'Audited Educator' } })) })).json()) as Json;
    expect((await postJson(t.app, `/awards/${made.id}/suspend`, { reason: 'under review' })).status).toBe(200);
    expect((await postJson(t.app, `/awards/${made.id}/reinstate`, { reason: 'review done' })).status).toBe(200);

    const res = await get(`/audit?subject=${made.id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: Json[]; next: string | null };
    expect(body.next).toBeNull();
    expect(body.items.map((i) => i.action)).toEqual(['award.reinstated', 'award.suspended', 'award.issued']);
    expect(body.items[1]).toEqual({
      id: expect.any(Number),
      time: expect.stringMatching(/^\d{4}-/),
      actor: `token:${ADMIN_NAME}`,
      action: 'award.suspended',
      subject: made.id,
      detail: expect.objectContaining({ reason: 'under review', purpose: 'suspension' }),
    });
    expect(body.items[2]!.actor).toBe('token:audit issuer');
    expect(JSON.stringify(body)).not.toContain(token);

    const paged = await walk(`/audit?subject=${made.id}&limit=1`);
    expect(paged.pages).toBe(3);
    expect(paged.items.map((i) => i.id)).toEqual(body.items.map((i) => i.id));
    expect((await get('/audit', token)).status).toBe(403);
    await expectBadParam(await get('/audit?cursor=%7B%7D'), 'cursor');
  });
});
const ADMIN_NAME = 'admin (EDUCRED_ADMIN_TOKEN)';

describe('GET /tokens and DELETE /tokens/:id', () => {
  it('lists tokens with id, name, scopes and times, never a hash or secret', async () => {
    const created = await newToken('listed token', ['issue', 'revoke']);
    const { items } = await walk('/tokens?limit=2');
    const listed = items.find((i) => i.id === created.id);
    expect(listed).toEqual({ id: created.id, name: 'listed token', scopes: ['issue', 'revoke'], origin: 'api', createdAt: expect.stringMatching(/^\d{4}-/), revokedAt: null });
    expect(items.find((i) => i.name === ADMIN_NAME)).toMatchObject({ scopes: ['admin'], origin: 'env', revokedAt: null });
    const hashes = (await sql<{ token_hash: string }>`SELECT token_hash FROM api_tokens`.execute(t.runtime.store.kysely)).rows.map((r) => r.token_hash);
    const text = JSON.stringify(items);
    for (const hash of hashes) expect(text).not.toContain(hash);
    expect(text).not.toContain(created.token);
    expect(text).not.toContain(ADMIN_TOKEN);
    expect((await get('/tokens', created.token)).status).toBe(403);
  });

  it('revokes a token (204, audited), refused by the very next request', async () => {
    const victim = await newToken('leaked laptop', ['issue']);
    expect((await get('/awards?limit=1', victim.token)).status).toBe(200);
    const res = await del(`/tokens/${victim.id}`);
    expect(res.status).toBe(204);
    const refused = await get('/awards?limit=1', victim.token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('invalid_token');
    const listed = (await walk('/tokens')).items.find((i) => i.id === victim.id);
    expect(listed?.revokedAt).toEqual(expect.stringMatching(/^\d{4}-/));
    const trail = ((await (await get(`/audit?subject=token:${victim.id}`)).json()) as { items: Json[] }).items;
    expect(trail.map((i) => [i.action, i.actor])).toEqual([
      ['token.revoked', `token:${ADMIN_NAME}`],
      ['token.created', `token:${ADMIN_NAME}`],
    ]);
    // Revoking it again changes nothing; an unknown id is a 404.
    expect((await del(`/tokens/${victim.id}`)).status).toBe(204);
    const unknown = await del('/tokens/00000000-0000-0000-0000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('refuses to revoke the last active admin token, so the service is never locked out', async () => {
    const other = await newToken('second admin', ['admin']);
    const envAdmin = (await walk('/tokens')).items.find((i) => i.name === ADMIN_NAME)!;
    // With two admins, one may go; the remaining one may not.
    expect((await del(`/tokens/${other.id}`, other.token)).status).toBe(204);
    const refused = await del(`/tokens/${envAdmin.id}`);
    expect(refused.status).toBe(409);
    const problem = (await refused.json()) as Json;
    expect(problem.type).toBe('urn:educred:problem:last-admin-token');
    expect(problem.detail).toMatch(/last active admin token/);
    expect((await get('/tokens')).status).toBe(200);
  });
});

describe('EDUCRED_ADMIN_TOKEN changed between starts', () => {
  const TOKEN_A = 'admin-token-A-0123456789abcdef';
  const TOKEN_B = 'admin-token-B-0123456789abcdef';
  /** Starts the service on a data folder as src/server.ts does (the composition root, then the admin token). */
  async function start(dataDir: string, adminToken: string | undefined) {
    const config = loadConfig({
      EDUCRED_DATA_DIR: dataDir,
      BASE_URL: 'http://localhost:3000',
      LOG_LEVEL: 'silent',
      // Signing on this thread: the test restarts the service several times.
      EDUCRED_SIGNING_WORKERS: '0',
      ...(adminToken ? { EDUCRED_ADMIN_TOKEN: adminToken } : {}),
    });
    const service = await createService(config, pino({ level: 'silent' }));
    try {
      const generated = await ensureAdminToken(service.runtime.store, config.adminToken);
      // Any admin route will do: an accepted token reaches the route (404 for an unknown award), a refused one gets 401.
      const accepted = async (token: string): Promise<boolean> => {
        const status = (await service.app.request('/awards/no-such-award', { headers: { Authorization: `Bearer ${token}` } })).status;
        expect([401, 404]).toContain(status);
        return status === 404;
      };
      return { runtime: service.runtime, generated, accepted, close: () => service.close() };
    } catch (error) {
      await service.close();
      throw error;
    }
  }

  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'educred-restart-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('revokes the old token at start (audited): A is refused, B works, the generated token is unaffected', async () => {
    const first = await start(dataDir, undefined);
    const generated = first.generated!;
    expect(generated).toMatch(/^edc_/);
    await first.close();

    const withA = await start(dataDir, TOKEN_A);
    expect([await withA.accepted(TOKEN_A), await withA.accepted(generated)]).toEqual([true, true]);
    await withA.close();

    const withB = await start(dataDir, TOKEN_B);
    expect([await withB.accepted(TOKEN_A), await withB.accepted(TOKEN_B), await withB.accepted(generated)]).toEqual([false, true, true]);
    const rows = (await sql<Json>`SELECT actor, detail_json FROM audit_events WHERE action = 'token.revoked'`.execute(withB.runtime.store.kysely)).rows;
    expect(rows).toEqual([{ actor: 'system', detail_json: JSON.stringify({ reason: 'EDUCRED_ADMIN_TOKEN changed' }) }]);
    const envTokens = (await sql<{ n: number }>`SELECT count(*) AS n FROM api_tokens WHERE origin = 'env' AND revoked_at IS NULL`.execute(withB.runtime.store.kysely)).rows[0]!.n;
    expect(Number(envTokens)).toBe(1);
    await withB.close();

    // Going back to A does not bring a revoked token back: the start fails, saying why, and B stays.
    await expect(start(dataDir, TOKEN_A)).rejects.toThrow(/revoked; choose a new secret/);
    const again = await start(dataDir, TOKEN_B);
    expect([await again.accepted(TOKEN_A), await again.accepted(TOKEN_B)]).toEqual([false, true]);
    await again.close();
  });
});

describe('refused requests are audited in aggregate', () => {
  const refusalRows = async (): Promise<Json[]> => (await sql<Json>`SELECT subject, actor, detail_json FROM audit_events WHERE action = 'auth.refused' ORDER BY id`.execute(t.runtime.store.kysely)).rows;

  it('1,000 refused requests add a bounded number of rows, counting every one, with no stored string over the limit', async () => {
    // One aggregation window for the whole run, whatever the machine's speed.
    const audit = await configureRefusalAudit(t.runtime.store, { now: () => Date.parse('2026-03-01T10:00:30Z') });
    const before = (await refusalRows()).length;
    const longPath = `/awards/${'x'.repeat(5000)}`;
    for (let i = 0; i < 1000; i++) {
      const res = await t.app.request(i % 2 ? longPath : '/awards/batch/no-such-batch', { headers: i % 3 ? { Authorization: 'Bearer not-a-token-at-all' } : {} });
      expect(res.status).toBe(401);
    }
    // The first refusal of each reason is written at once, the rest are held and counted.
    expect((await refusalRows()).length - before).toBe(2);
    await audit.flush();
    const rows = (await refusalRows()).slice(before);
    expect(rows).toHaveLength(4);
    const details = rows.map((r) => JSON.parse(r.detail_json as string) as Json);
    expect(details.map((d) => [d.reason, d.count, d.windowStart])).toEqual([
      ['missing token', 1, '2026-03-01T10:00:00.000Z'],
      ['unknown or revoked token', 1, '2026-03-01T10:00:00.000Z'],
      ['missing token', 333, '2026-03-01T10:00:00.000Z'],
      ['unknown or revoked token', 665, '2026-03-01T10:00:00.000Z'],
    ]);
    for (const row of rows) {
      for (const value of [row.subject, row.actor, ...Object.values(JSON.parse(row.detail_json as string) as Json)]) {
        if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(REFUSAL_STRING_LIMIT);
      }
    }
    expect(rows.some((r) => (r.subject as string).startsWith('/awards/xxx'))).toBe(true);
  });

  it('redacts claim tokens in stored paths', async () => {
    const audit = new RefusalAudit(t.runtime.store);
    await audit.record({ client: 'c', reason: 'probe', path: '/claim/secret-claim-token-123/download', actor: 'anonymous' });
    await audit.record({ client: 'c', reason: 'probe 2', path: '/exchanges/secret-claim-token-456', actor: 'anonymous' });
    expect((await refusalRows()).slice(-2).map((r) => r.subject)).toEqual(['/claim/[token]/download', '/exchanges/[token]']);
  });

  it('bounds the rows of many clients per window, and starts a new row per window', async () => {
    let now = 0;
    const audit = new RefusalAudit(t.runtime.store, { maxKeys: 10, windowMs: 60_000, now: () => now });
    const before = (await refusalRows()).length;
    for (let i = 0; i < 5000; i++) await audit.record({ client: `203.0.113.${i}`, reason: 'missing token', path: '/audit', actor: 'anonymous' });
    await audit.flush();
    const rows = (await refusalRows()).slice(before).map((r) => JSON.parse(r.detail_json as string) as Json);
    expect(rows.length).toBeLessThanOrEqual(2 * 11);
    expect(rows.reduce((sum, d) => sum + (d.count as number), 0)).toBe(5000);
    expect(rows.filter((d) => d.client === '(other clients)').reduce((sum, d) => sum + (d.count as number), 0)).toBe(4990);

    const mark = (await refusalRows()).length;
    await audit.record({ client: 'one', reason: 'missing token', path: '/audit', actor: 'anonymous' });
    await audit.record({ client: 'one', reason: 'missing token', path: '/audit', actor: 'anonymous' });
    now += 60_000; // the next window: the held count is written, the new refusal starts a row
    await audit.record({ client: 'one', reason: 'missing token', path: '/audit', actor: 'anonymous' });
    const windows = (await refusalRows()).slice(mark).map((r) => JSON.parse(r.detail_json as string) as Json);
    expect(windows.map((d) => [d.count, d.windowStart])).toEqual([
      [1, '1970-01-01T00:00:00.000Z'],
      [1, '1970-01-01T00:00:00.000Z'],
      [1, '1970-01-01T00:01:00.000Z'],
    ]);
  });
});
