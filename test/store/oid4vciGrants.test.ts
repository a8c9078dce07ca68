// The OID4VCI grants repository (migration 13) on both engines: a grant is recorded once per
// link, only hashes are stored, the code is redeemed exactly once (two concurrent redeems: one
// wins), wrong transaction codes are counted, an expired grant is not redeemed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, awardBody, createTestInstance, type TestInstance } from '../helpers/app.js';
import { describePostgres, freshPostgresDatabase, type FreshDatabase } from '../helpers/postgres.js';

type Json = Record<string, any>;

function grantsContract(env: () => Record<string, string>): void {
  let t: TestInstance;
  beforeAll(async () => {
    t = await createTestInstance({ env: env() });
  });
  afterAll(async () => t?.close());

  it('records, redeems once, counts tx_code failures', async () => {
    const res = await t.app.request('/awards', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify(awardBody({ recipient: { email: 'grants@example.edu', name: 'A' } })) });
    const awarded = (await res.json()) as Json;
    const token = new URL(awarded.claimUrl).pathname.split('/').pop()!;
    const link = (await t.runtime.store.claimLinks.find(token))!;
    const grants = t.runtime.store.oid4vciGrants;
    const now = new Date();
    const first = await grants.ensure({ code: 'code-1', linkTokenHash: link.tokenHash, createdAt: now, expiresAt: link.expiresAt });
    const again = await grants.ensure({ code: 'code-1', linkTokenHash: link.tokenHash, createdAt: new Date(now.getTime() + 1000), expiresAt: link.expiresAt });
    expect(again).toEqual(first);
    expect(first.codeHash).not.toContain('code-1');
    expect(await grants.countTxCodeFailure(first.codeHash)).toBe(1);
    expect(await grants.countTxCodeFailure(first.codeHash)).toBe(2);
    const outcomes = await Promise.all([grants.redeem(first.codeHash, 'token-a', now, new Date(now.getTime() + 60_000)), grants.redeem(first.codeHash, 'token-b', now, new Date(now.getTime() + 60_000))]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = outcomes[0] ? 'token-a' : 'token-b';
    expect((await grants.findByAccessToken(winner))?.redeemedAt).toBe(now.toISOString());
    expect(await grants.findByAccessToken(winner === 'token-a' ? 'token-b' : 'token-a')).toBeUndefined();
    const rows = await t.runtime.store.kysely.selectFrom('oid4vci_grants').selectAll().execute();
    expect(JSON.stringify(rows)).not.toMatch(/token-a|token-b|code-1/);
    // Past its link's expiry a grant is not redeemed.
    const late = await grants.ensure({ code: 'code-2', linkTokenHash: link.tokenHash, createdAt: now, expiresAt: link.expiresAt });
    expect(late.codeHash).toBe(first.codeHash); // one grant per link (UNIQUE link_token_hash)
    expect(await grants.redeem(first.codeHash, 'token-c', new Date(Date.parse(link.expiresAt) + 1), new Date())).toBe(false);
  });
}

describe('oid4vci grants on SQLite', () => grantsContract(() => ({})));

describePostgres('oid4vci grants on PostgreSQL', () => {
  let db: FreshDatabase;
  beforeAll(async () => {
    db = await freshPostgresDatabase('oid4vci');
  });
  afterAll(async () => db?.drop());
  grantsContract(() => ({ DATABASE_URL: db.url }));
});
