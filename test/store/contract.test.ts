// The store contract: one suite, run against both engines (a SQLite file, and a fresh
// PostgreSQL database when TEST_DATABASE_URL names a server; CI always has one). Every rule
// several nodes rely on is asserted with two Store instances on one database, the way two
// nodes share it: two pools on PostgreSQL. On SQLite the two stores of one process share the
// file's connection (src/store/store.ts); other processes are the end-to-end tests' part.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwardRecord } from '../../src/store/awards.js';
import type { StoreLocation } from '../../src/store/engine.js';
import { UniqueConflictError } from '../../src/store/errors.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { LastAdminTokenError } from '../../src/store/tokens.js';
import { openStore, type Store } from '../../src/store/store.js';
import { describePostgres, freshPostgresDatabase, type FreshDatabase } from '../helpers/postgres.js';

const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

function award(overrides: Partial<AwardRecord> = {}): AwardRecord {
  const id = randomUUID();
  return {
    id,
    credentialId: `https://issuer.example/credentials/${id}`,
    achievementCode: 'formative-assessment',
    recipientDid: null,
    recipientEmail: 'ana@example.edu',
    recipientName: 'Ana',
    emailSalt: 'salt',
    credential: { id: `https://issuer.example/credentials/${id}` },
    idempotencyKey: null,
    requestHash: 'hash',
    createdAt: new Date().toISOString(),
    recipientKey: `ana-${id}@example.edu`,
    achievedLevel: 'proficient',
    ...overrides,
  };
}

/** Takes `count` random free indexes and marks them, as the allocator does. */
const chooseFirstFree = (allocated: Uint8Array, size: number, _free: number, count: number): number[] => {
  const chosen: number[] = [];
  for (let i = 0; i < size && chosen.length < count; i++) {
    const mask = 0x80 >> (i & 7);
    if (((allocated[i >> 3] ?? 0) & mask) === 0) {
      allocated[i >> 3] = (allocated[i >> 3] ?? 0) | mask;
      chosen.push(i);
    }
  }
  return chosen;
};

function contract(open: () => Promise<{ location: StoreLocation; cleanup: () => Promise<void> }>): void {
  let location: StoreLocation;
  let cleanup: () => Promise<void>;
  /** Two stores on one database: node A and node B. */
  let a: Store;
  let b: Store;

  beforeAll(async () => {
    ({ location, cleanup } = await open());
    // Both open (and migrate) at once: the migration lock makes them apply each version once.
    [a, b] = await Promise.all([openStore(location), openStore(location)]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await cleanup?.();
  });

  it('migrates once, to the newest version, when two nodes start together', async () => {
    const state = await a.schemaState();
    expect(state.missing).toEqual([]);
    expect(state.applied).toEqual(MIGRATIONS.map((m) => m.version));
    expect((await b.migrate()).applied).toEqual([]);
    expect((await b.migrate()).version).toBe(LATEST);
  });

  it('stores and finds an award, and counts it', async () => {
    const before = await a.awards.count();
    const record = award();
    await a.awards.insert(record);
    const found = await b.awards.find(record.id);
    expect(found?.credential).toEqual(record.credential);
    expect(found?.recipientKey).toBe(record.recipientKey);
    expect((await b.awards.findByCredentialId(record.credentialId))?.id).toBe(record.id);
    expect(await b.awards.count()).toBe(before + 1);
  });

  it('refuses a second award with one Idempotency-Key, naming the rule', async () => {
    const key = `key-${randomUUID()}`;
    await a.awards.insert(award({ idempotencyKey: key }));
    const second = b.awards.insert(award({ idempotencyKey: key }));
    await expect(second).rejects.toBeInstanceOf(UniqueConflictError);
    await expect(second).rejects.toMatchObject({ rule: 'award-idempotency-key' });
  });

  it('holds one active badge per recipient, achievement and level; a revoked one frees it', async () => {
    const recipientKey = `one-badge-${randomUUID()}`;
    const first = award({ recipientKey });
    await a.awards.insert(first);
    await expect(b.awards.insert(award({ recipientKey }))).rejects.toMatchObject({ rule: 'award-one-active-badge' });
    await b.awards.insert(award({ recipientKey, achievedLevel: 'exemplary' }));
    await a.awards.markRevoked(first.id, new Date());
    await b.awards.insert(award({ recipientKey }));
    expect((await a.awards.findActive(recipientKey, 'formative-assessment')).map((r) => r.achievedLevel).sort()).toEqual(['exemplary', 'proficient']);
  });

  it('of two nodes racing for one badge, exactly one wins', async () => {
    const recipientKey = `race-${randomUUID()}`;
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).transaction((tx) => tx.awards.insert(award({ recipientKey })))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ rule: 'award-one-active-badge' });
  });

  it('rolls a unit of work back whole when it throws', async () => {
    const record = award();
    await expect(
      a.transaction(async (tx) => {
        await tx.awards.insert(record);
        await tx.audit.record({ actor: 'test', action: 'test.rolled-back', subject: record.id });
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect(await b.awards.find(record.id)).toBeUndefined();
    expect(await b.audit.trail(record.id)).toEqual([]);
  });

  it('leases status indexes to two nodes at once without handing any out twice', async () => {
    const issuer = `did:example:${randomUUID()}`;
    const leases = await Promise.all(
      Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).statusLists.leaseIndexes({ issuer, purpose: 'revocation', count: 5, newListSize: 64, choose: chooseFirstFree })),
    );
    const taken = leases.flatMap((l) => l.indexes.map((index) => `${l.listId}#${index}`));
    // A lease takes what is left of the current list (the 13th: 4 of 5), the next one starts a list.
    expect(taken.length).toBeGreaterThanOrEqual(116);
    expect(new Set(taken).size).toBe(taken.length);
    // 64 per list: the first list filled, then a second, both of this issuer and purpose.
    const lists = await a.statusLists.listsOf(issuer, 'revocation');
    expect(lists).toHaveLength(2);
    expect(lists[0]?.allocated).toBe(64);
    expect(lists.reduce((n, l) => n + l.allocated, 0)).toBe(taken.length);
  });

  it('refuses a status index another award holds, naming the rule', async () => {
    const issuer = `did:example:${randomUUID()}`;
    const lease = await a.statusLists.leaseIndexes({ issuer, purpose: 'revocation', count: 1, newListSize: 64, choose: chooseFirstFree });
    const [first, second] = [award(), award()];
    await a.awards.insert(first);
    await a.awards.insert(second);
    const index = lease.indexes[0] ?? -1;
    await a.statusLists.insertEntry({ listId: lease.listId, index, awardId: first.id, purpose: 'revocation' });
    await expect(b.statusLists.insertEntry({ listId: lease.listId, index, awardId: second.id, purpose: 'revocation' })).rejects.toMatchObject({ rule: 'status-index' });
  });

  it('gives back leased indexes no award stored, and never one an award holds', async () => {
    const issuer = `did:example:${randomUUID()}`;
    const lease = await a.statusLists.leaseIndexes({ issuer, purpose: 'suspension', count: 3, newListSize: 64, choose: chooseFirstFree });
    const holder = award();
    await a.awards.insert(holder);
    await a.statusLists.insertEntry({ listId: lease.listId, index: lease.indexes[0] ?? -1, awardId: holder.id, purpose: 'suspension' });
    await b.statusLists.returnIndexes(lease.listId, lease.indexes);
    const [list] = await a.statusLists.listsOf(issuer, 'suspension');
    expect(list?.allocated).toBe(1);
    const next = await b.statusLists.leaseIndexes({ issuer, purpose: 'suspension', count: 3, newListSize: 64, choose: chooseFirstFree });
    expect(next.indexes).not.toContain(lease.indexes[0]);
  });

  it('keeps every concurrent change to one list (no lost bit), each a new version', async () => {
    const issuer = `did:example:${randomUUID()}`;
    const lease = await a.statusLists.leaseIndexes({ issuer, purpose: 'revocation', count: 1, newListSize: 64, choose: chooseFirstFree });
    const start = (await a.statusLists.readBits(lease.listId))?.version ?? 0;
    await Promise.all(
      Array.from({ length: 16 }, (_, index) =>
        (index % 2 ? a : b).transaction(async (tx) => {
          const list = await tx.statusLists.readBits(lease.listId, { forUpdate: true });
          if (!list) throw new Error('no list');
          list.bits[index >> 3] = (list.bits[index >> 3] ?? 0) | (0x80 >> (index & 7));
          await tx.statusLists.writeBits(lease.listId, list.bits);
        }),
      ),
    );
    const after = await b.statusLists.readBits(lease.listId);
    expect(Array.from(after?.bits.slice(0, 2) ?? [])).toEqual([0xff, 0xff]);
    expect(after?.version).toBe(start + 16);
  });

  it('signs a list version once, however many nodes ask at once', async () => {
    const issuer = `did:example:${randomUUID()}`;
    const lease = await a.statusLists.leaseIndexes({ issuer, purpose: 'revocation', count: 1, newListSize: 64, choose: chooseFirstFree });
    let signatures = 0;
    const sign = async (snapshot: { version: number }): Promise<string> => {
      signatures++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return JSON.stringify({ version: snapshot.version });
    };
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).statusLists.signOnce(lease.listId, sign)));
    expect(signatures).toBe(1);
    expect((await b.statusLists.signed(lease.listId))?.version).toBe((await a.statusLists.readBits(lease.listId))?.version);
  });

  it('spends a claim link exactly once when two nodes claim it at once', async () => {
    const holder = award();
    await a.awards.insert(holder);
    const tokenHash = `hash-${randomUUID()}`;
    const now = new Date();
    await a.claimLinks.insert({ awardId: holder.id, linkId: randomUUID(), tokenHash, createdAt: now, expiresAt: new Date(now.getTime() + 60_000) });
    const spends = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).transaction((tx) => tx.claimLinks.spend(tokenHash, `did:example:${i}`, new Date()))));
    expect(spends.filter(Boolean)).toHaveLength(1);
  });

  it('leases batch rows to one node at a time, and hands a dead node’s rows to another', async () => {
    const batchId = `batch-${randomUUID()}`;
    const rows = Array.from({ length: 40 }, (_, i) => ({ line: i + 2, state: 'pending' as const, request: { n: i }, idempotencyKey: `${batchId}:${i}` }));
    // Node A submits: it holds every row, briefly.
    await a.batches.start({ id: batchId, actor: 'test', source: 'json', inputHash: 'h' }, rows, { node: 'A', until: new Date(Date.now() + 200) });
    expect(await b.batches.leaseRows(batchId, { node: 'B', until: new Date(Date.now() + 60_000) }, new Date(), 100)).toEqual([]);
    expect(await b.batches.heldElsewhere(batchId, 'B', new Date())).toBe(true);
    // A's lease runs out (it died): both nodes reach for rows at once and never share one.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await a.batches.withFreeRows(new Date())).toContain(batchId);
    const [fromA, fromB] = await Promise.all([
      a.batches.leaseRows(batchId, { node: 'A2', until: new Date(Date.now() + 60_000) }, new Date(), 25),
      b.batches.leaseRows(batchId, { node: 'B', until: new Date(Date.now() + 60_000) }, new Date(), 25),
    ]);
    const lines = [...fromA, ...fromB].map((r) => r.line);
    expect(lines).toHaveLength(40);
    expect(new Set(lines).size).toBe(40);
    // Only the holder may record a row's outcome.
    const line = fromB[0]?.line ?? -1;
    expect(await a.batches.markRow(batchId, line, { state: 'issued' }, 'A2')).toBe(false);
    expect(await b.batches.markRow(batchId, line, { state: 'issued' }, 'B')).toBe(true);
    expect(await a.batches.finish(batchId)).toBe(false);
    for (const r of fromA) await a.batches.markRow(batchId, r.line, { state: 'rejected' }, 'A2');
    for (const r of fromB.slice(1)) await b.batches.markRow(batchId, r.line, { state: 'issued' }, 'B');
    const [doneA, doneB] = await Promise.all([a.batches.finish(batchId), b.batches.finish(batchId)]);
    expect([doneA, doneB].filter(Boolean)).toHaveLength(1);
    expect(await a.batches.rowCounts(batchId)).toMatchObject({ pending: 0, issued: fromB.length, rejected: fromA.length });
  });

  it('leases import rows to one node at a time, hands a dead node’s rows to another, and finishes a job once', async () => {
    const jobId = `import-${randomUUID()}`;
    const rows = Array.from({ length: 30 }, (_, i) => ({ line: i + 2, lines: [i + 2], state: 'pending' as const, request: { name: `P${i}`, email: `p${i}@example.edu` }, recordId: randomUUID() }));
    const invalid = { line: 40, lines: [40], state: 'invalid' as const, problem: { code: 'invalid_row', detail: 'line 40: email: must be an email address', column: 'email' } };
    await a.imports.start({ id: jobId, kind: 'educators', actor: 'test', fileName: 'people.csv' }, [...rows, invalid], { node: 'A', until: new Date(Date.now() + 200) });
    expect(await a.imports.find(jobId)).toMatchObject({ kind: 'educators', total: 31, state: 'running', fileName: 'people.csv' });
    expect(await b.imports.leaseRows(jobId, { node: 'B', until: new Date(Date.now() + 60_000) }, new Date(), 100)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await b.imports.withFreeRows(new Date())).toContain(jobId);
    const [fromA, fromB] = await Promise.all([
      a.imports.leaseRows(jobId, { node: 'A2', until: new Date(Date.now() + 60_000) }, new Date(), 20),
      b.imports.leaseRows(jobId, { node: 'B', until: new Date(Date.now() + 60_000) }, new Date(), 20),
    ]);
    const lines = [...fromA, ...fromB].map((r) => r.line);
    expect(lines).toHaveLength(30);
    expect(new Set(lines).size).toBe(30);
    expect(fromA[0]?.recordId).toBe(rows.find((r) => r.line === fromA[0]?.line)?.recordId);
    const line = fromB[0]?.line ?? -1;
    expect(await a.imports.markRow(jobId, line, { state: 'created' }, 'A2')).toBe(false);
    expect(await b.imports.markRow(jobId, line, { state: 'created', result: { educatorId: 'e1' } }, 'B')).toBe(true);
    expect(await a.imports.finish(jobId)).toBe(false);
    for (const r of fromA) await a.imports.markRow(jobId, r.line, { state: 'existing' }, 'A2');
    for (const r of fromB.slice(1)) await b.imports.markRow(jobId, r.line, { state: 'created' }, 'B');
    const [doneA, doneB] = await Promise.all([a.imports.finish(jobId), b.imports.finish(jobId)]);
    expect([doneA, doneB].filter(Boolean)).toHaveLength(1);
    expect(await b.imports.rowCounts(jobId)).toMatchObject({ pending: 0, created: fromB.length, existing: fromA.length, invalid: 1 });
    const [first] = await a.imports.listRows(jobId, { offset: 0, limit: 1, problemsOnly: true });
    expect(first).toMatchObject({ line: 40, state: 'invalid', problem: { column: 'email' } });
    expect(await a.imports.unfinished()).not.toContain(jobId);
  });

  it('keeps the last admin token however two nodes revoke at once', async () => {
    const existing = await a.tokens.list({ limit: 1000 });
    for (const t of existing) if (t.revokedAt === null && !t.scopes.includes('admin')) await a.tokens.revoke(t.id, 'test');
    const first = await a.tokens.create(`admin-${randomUUID()}`, ['admin']);
    const second = await b.tokens.create(`admin-${randomUUID()}`, ['admin']);
    const admins = (await a.tokens.list({ limit: 1000 })).filter((t) => t.revokedAt === null && t.scopes.includes('admin'));
    // Revoke all but the two, then both of those at once: one revocation must be refused.
    for (const t of admins) if (t.id !== first.record.id && t.id !== second.record.id) await a.tokens.revoke(t.id, 'test');
    const results = await Promise.allSettled([a.tokens.revoke(first.record.id, 'test'), b.tokens.revoke(second.record.id, 'test')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(LastAdminTokenError);
    // The survivor still authenticates.
    const survivors = [await a.tokens.find(first.token), await b.tokens.find(second.token)].filter((t) => t !== undefined);
    expect(survivors).toHaveLength(1);
  });

  it('lists awards newest first with status filters of any size', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const record = award({ achievementCode: `listing-${location.engine}` });
      ids.push(record.id);
      await a.awards.insert(record);
    }
    const all = await b.awards.listSummaries({ achievementCode: `listing-${location.engine}`, limit: 10 });
    expect(all.map((s) => s.id)).toEqual([...ids].reverse());
    const only = await b.awards.listSummaries({ achievementCode: `listing-${location.engine}`, onlyIds: [ids[1] ?? '', ...Array.from({ length: 40_000 }, () => randomUUID())], limit: 10 });
    expect(only.map((s) => s.id)).toEqual([ids[1]]);
    const except = await b.awards.listSummaries({ achievementCode: `listing-${location.engine}`, exceptIds: [ids[0] ?? ''], limit: 10 });
    expect(except.map((s) => s.id)).not.toContain(ids[0]);
    expect(except).toHaveLength(4);
    const page = await b.awards.listSummaries({ achievementCode: `listing-${location.engine}`, beforeSeq: all[1]?.seq, limit: 10 });
    expect(page.map((s) => s.id)).toEqual(all.slice(2).map((s) => s.id));
  });

  it('records the first issuer key once however two nodes start at once, and keeps one current key', async () => {
    const did = `did:web:keys-${randomUUID()}.example`;
    const key = (n: string) => ({ id: `${did}#z6Mk${n}`, did, publicKeyMultibase: `z6Mk${n}` });
    const recorded = await Promise.all([a.issuerKeys.recordFirst({ ...key('first'), location: { keyFile: 'keys/issuer.json' } }), b.issuerKeys.recordFirst({ ...key('first'), location: { keyFile: 'keys/issuer.json' } })]);
    expect(recorded.filter(Boolean)).toHaveLength(1);
    expect(await b.issuerKeys.version(did)).toBe(1);
    // Two rotations at once: both succeed one after the other, and exactly one key is current.
    await Promise.all([a.issuerKeys.rotate({ ...key('second'), location: { keyFile: 'keys/two.json' } }), b.issuerKeys.rotate({ ...key('third'), location: { pkcs11Label: 'educred-3' } })]);
    const keys = await a.issuerKeys.list(did);
    expect(keys.map((k) => k.state).sort()).toEqual(['current', 'previous', 'previous']);
    expect(keys.find((k) => k.publicKeyMultibase === 'z6Mkthird')?.location).toEqual({ pkcs11Label: 'educred-3' });
    expect(await a.issuerKeys.version(did)).toBe(3);
    const current = keys.find((k) => k.state === 'current');
    await expect(b.issuerKeys.retire(current?.id ?? '', new Date())).rejects.toThrow(/current signing key/);
    const retired = await b.issuerKeys.retire(`${did}#z6Mkfirst`, new Date('2027-01-01T00:00:00Z'));
    expect(retired).toMatchObject({ state: 'revoked', compromisedAt: '2027-01-01T00:00:00.000Z' });
    await expect(a.issuerKeys.retire(`${did}#z6Mkfirst`, new Date())).rejects.toThrow(/retired already/);
    expect((await a.issuerKeys.snapshot(did)).version).toBe(4);
    // The store itself refuses a second current key and a key without a location.
    await expect(
      a.kysely.insertInto('issuer_keys').values({ id: `${did}#z6Mkrogue`, did, public_key_multibase: 'z6Mkrogue', key_file: 'k', pkcs11_label: null, state: 'current', created_at: 'now', rotated_at: null, retired_at: null, compromised_at: null }).execute(),
    ).rejects.toThrow();
    await expect(
      a.kysely.insertInto('issuer_keys').values({ id: `${did}#z6Mknone`, did, public_key_multibase: 'z6Mknone', key_file: null, pkcs11_label: null, state: 'previous', created_at: 'now', rotated_at: null, retired_at: null, compromised_at: null }).execute(),
    ).rejects.toThrow();
  });
}

describe('the store contract on SQLite', () => {
  contract(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'educred-contract-'));
    return { location: { engine: 'sqlite', file: path.join(dir, 'educred.sqlite') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describePostgres('the store contract on PostgreSQL', () => {
  contract(async () => {
    const db: FreshDatabase = await freshPostgresDatabase('contract');
    return { location: { engine: 'postgres', url: db.url }, cleanup: () => db.drop() };
  });
});
