// The claim-link secret and derived tokens: 32 random bytes in keys/claim-links.key (0600),
// made at first start and reused; a token is HMAC-SHA256(secret, link id), so the database keeps
// the link id and the token's hash, never the token or the secret; links made before link ids
// stay valid, and a replay for such an award makes a new link.
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateClaimSecret } from '../../src/claims/claimSecret.js';
import { hashClaimToken } from '../../src/store/claimLinks.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;
const logLines: string[] = [];
let t: TestInstance;
beforeAll(async () => {
  t = await createTestInstance({ logLines });
});
afterAll(async () => t.close());

const secretFile = (): string => path.join(t.dataDir, 'keys', 'claim-links.key');
const tokenOf = (url: string): string => url.split('/').pop()!;
/** Awards to an educator of the key's own (one badge per recipient); a replay of the key answers 200. */
const award = async (key: string): Promise<Json> => {
  const res = await postJson(t.app, '/awards', awardBody({ recipient: { email: `${key}@example.edu`, name: 'Ana Lopez' } }), { 'Idempotency-Key': key });
  expect([200, 201]).toContain(res.status);
  return (await res.json()) as Json;
};

describe('the claim-link secret', () => {
  it('is 32 random bytes in <data dir>/keys/claim-links.key, readable by its owner only', () => {
    const stat = statSync(secretFile());
    expect(stat.mode & 0o777).toBe(0o600);
    expect(readFileSync(secretFile())).toHaveLength(32);
  });

  it('is made once: a second start on the same data folder derives the same links', async () => {
    const first = await award('secret-restart');
    const again = await createTestInstance({ env: { EDUCRED_DATA_DIR: t.dataDir } });
    try {
      const res = await postJson(again.app, '/awards', awardBody({ recipient: { email: 'secret-restart@example.edu', name: 'Ana Lopez' } }), { 'Idempotency-Key': 'secret-restart' });
      expect(res.status).toBe(200);
      expect(((await res.json()) as Json).claimUrl).toBe(first.claimUrl);
    } finally {
      await again.close();
    }
  });

  it('never reaches the log, and a file of the wrong size stops the start with a message', () => {
    const secret = readFileSync(secretFile());
    for (const encoding of ['hex', 'base64', 'base64url'] as const) expect(logLines.join('\n')).not.toContain(secret.toString(encoding));
    const bad = path.join(t.dataDir, 'short.key');
    writeFileSync(bad, randomBytes(16));
    expect(() => loadOrCreateClaimSecret(bad)).toThrow(/must hold exactly 32 bytes/);
  });
});

describe('derived claim tokens', () => {
  it('a token is HMAC-SHA256(secret, link id); the database keeps the link id and the token hash only', async () => {
    const { id, claimUrl } = await award('secret-derive');
    const { rows } = await sql<Json>`SELECT link_id, token_hash FROM claim_links WHERE award_id = ${id}`.execute(t.runtime.store.kysely);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row!.link_id).toMatch(/^[0-9a-f-]{36}$/);
    const expected = createHmac('sha256', readFileSync(secretFile())).update(row!.link_id).digest('base64url');
    expect(tokenOf(claimUrl)).toBe(expected);
    expect(row!.token_hash).toBe(hashClaimToken(expected));
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(t.runtime.store.kysely);
    expect(readFileSync(t.config.databaseFile).includes(Buffer.from(expected))).toBe(false);
    expect(readFileSync(t.config.databaseFile).includes(readFileSync(secretFile()))).toBe(false);
  });

  it('a link made before link ids (a random token) stays valid; a replay then makes a new link, which replaces it', async () => {
    const { id } = await award('secret-legacy');
    const legacyToken = randomBytes(32).toString('base64url');
    await sql`UPDATE claim_links SET link_id = NULL, token_hash = ${hashClaimToken(legacyToken)} WHERE award_id = ${id}`.execute(t.runtime.store.kysely);
    expect((await t.app.request(`/claim/${legacyToken}`)).status).toBe(200);
    const replayed = await award('secret-legacy');
    expect(replayed.claimUrl).toMatch(/\/claim\/[A-Za-z0-9_-]{43}$/);
    expect(tokenOf(replayed.claimUrl)).not.toBe(legacyToken);
    expect((await t.app.request(`/claim/${legacyToken}`)).status).toBe(410);
    expect((await t.app.request(new URL(replayed.claimUrl).pathname)).status).toBe(200);
    // And from then on the replay returns that new link.
    expect((await award('secret-legacy')).claimUrl).toBe(replayed.claimUrl);
  });
});
