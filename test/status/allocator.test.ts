// Index allocation: random among free indexes, never the same index twice (in memory, across
// allocators sharing a database — two nodes, or the CLI beside the server — and by the table's
// primary key), a new list when one fills, and a bounded amount of work when a list is nearly
// full. Indexes are leased from the database in blocks (src/store/statusLists.ts leaseIndexes):
// a released index goes back to the allocator that leased it, and close() gives the unused ones
// back to the lists. Small lists appear only here, through the allocator's test-only parameter;
// production lists hold at least 131,072 entries.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createStatusAllocator } from '../../src/status/allocator.js';
import { pickFreeIndex } from '../../src/status/indexPicker.js';
import type { StatusReservation } from '../../src/awards/issueAward.js';
import { UniqueConflictError } from '../../src/store/errors.js';
import { openStore, type Repositories, type Store } from '../../src/store/store.js';

const ISSUER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const BASE = 'https://issuer.example';

const memoryStore = (): Promise<Store> => openStore({ engine: 'sqlite', file: ':memory:' });

async function storeAward(repos: Repositories): Promise<string> {
  const id = randomUUID();
  await repos.awards.insert({
    id,
    credentialId: `${BASE}/credentials/${id}`,
    achievementCode: 'formative-assessment',
    recipientDid: null,
    recipientEmail: null,
    recipientName: null,
    emailSalt: null,
    credential: {},
    idempotencyKey: null,
    requestHash: null,
    createdAt: new Date().toISOString(),
  });
  return id;
}

/** Stores an award holding the reservation's indexes, as issuance does (one unit of work). */
const commitAward = (store: Store, reservation: StatusReservation): Promise<string> =>
  store.transaction(async (tx) => {
    const id = await storeAward(tx);
    await reservation.commit(id, tx);
    return id;
  });

const small = (store: Store, listSize: number, extra: Record<string, unknown> = {}) =>
  createStatusAllocator({ store, baseUrl: BASE, issuerId: ISSUER, listSize, allowSmallListsForTests: true, ...extra });

const parse = (entry: Record<string, unknown>) => ({
  list: String(entry.statusListCredential),
  index: Number(entry.statusListIndex),
  purpose: String(entry.statusPurpose),
});

const keyOf = (entry: Record<string, unknown>) => `${String(entry.statusListCredential)}#${String(entry.statusListIndex)}`;
const listIdOf = (list: string) => list.slice(list.lastIndexOf('/') + 1);

async function storedEntries(store: Store): Promise<Array<{ list_id: string; list_index: number; purpose: string }>> {
  return (await sql<{ list_id: string; list_index: number; purpose: string }>`SELECT list_id, list_index, purpose FROM status_entries`.execute(store.kysely)).rows;
}

/** How many indexes of each list the database has handed out (to any allocator). */
async function allocatedCounts(store: Store): Promise<Map<string, number>> {
  const rows = (await sql<{ id: string; allocated_count: number }>`SELECT id, allocated_count FROM status_lists`.execute(store.kysely)).rows;
  return new Map(rows.map((r) => [r.id, Number(r.allocated_count)]));
}

describe('status index allocation', () => {
  it('gives each credential one BitstringStatusListEntry per purpose, in the shape the spec defines', async () => {
    const store = await memoryStore();
    const [revocation, suspension] = (await small(store, 64).reserve()).entries;
    for (const [entry, purpose] of [[revocation, 'revocation'], [suspension, 'suspension']] as const) {
      expect(entry).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: purpose });
      expect(entry!.statusListCredential).toMatch(new RegExp(`^${BASE}/status/[0-9a-f-]{36}$`));
      expect(entry!.statusListIndex).toMatch(/^\d+$/);
      expect(entry!.id).toBe(`${entry!.statusListCredential}#${entry!.statusListIndex}`);
    }
    expect(revocation!.statusListCredential).not.toBe(suspension!.statusListCredential);
    await store.close();
  });

  it('refuses lists below the spec minimum of 131,072 entries outside allocation unit tests', async () => {
    const store = await memoryStore();
    expect(() => createStatusAllocator({ store, baseUrl: BASE, issuerId: ISSUER, listSize: 1024 })).toThrow(/131072/);
    expect(() => createStatusAllocator({ store, baseUrl: BASE, issuerId: ISSUER })).not.toThrow();
    await store.close();
  });

  it('places indexes where the random draw says, not in issue order', async () => {
    const store = await memoryStore();
    // Every probe lands on a free index, so the lease holds exactly the drawn values.
    const drawn = [37, 5, 900, 12];
    let call = 0;
    const allocator = small(store, 1024, { purposes: ['revocation'], leaseSize: 4, random: () => drawn[call++ % drawn.length]! });
    const indexes: number[] = [];
    for (let i = 0; i < 4; i++) indexes.push(parse((await allocator.reserve()).entries[0]!).index);
    expect([...indexes].sort((a, b) => a - b)).toEqual([5, 12, 37, 900]);

    // With the real random source, 50 awards in a full-size list are scattered, not 0..49.
    const real = createStatusAllocator({ store, baseUrl: BASE, issuerId: 'did:example:other', purposes: ['revocation'] });
    const scattered: number[] = [];
    for (let i = 0; i < 50; i++) scattered.push(parse((await real.reserve()).entries[0]!).index);
    expect(new Set(scattered).size).toBe(50);
    expect(scattered).not.toEqual([...scattered].sort((a, b) => a - b));
    expect(Math.max(...scattered)).toBeGreaterThan(1000);
    await store.close();
  });

  it('never hands out an index twice, across two allocators on one database and whatever the order of commits and releases (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }).map((n) => n * 8),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.record({ node: fc.constantFrom(0, 1), outcome: fc.constantFrom('commit', 'release', 'hold') }), { minLength: 1, maxLength: 120 }),
        async (listSize, leaseSize, turns) => {
          const store = await memoryStore();
          // Two allocators on one database: two nodes (or the CLI beside the server).
          const nodes = [small(store, listSize, { leaseSize }), small(store, listSize, { leaseSize })];
          const live = new Set<string>();
          const owner = new Map<string, number>();
          for (const { node, outcome } of turns) {
            const reservation = await nodes[node]!.reserve();
            const keys = reservation.entries.map(keyOf);
            for (const key of keys) {
              expect(live.has(key), `${key} handed out twice`).toBe(false);
              live.add(key);
              // An index one node leased is never the other's, even after a release.
              expect(owner.get(key) ?? node, `${key} handed out by both nodes`).toBe(node);
              owner.set(key, node);
            }
            if (outcome === 'commit') await commitAward(store, reservation);
            else if (outcome === 'release') {
              reservation.release();
              for (const key of keys) live.delete(key);
            }
          }
          // Every committed index is in the table once (the primary key would have thrown otherwise).
          const stored = await storedEntries(store);
          expect(new Set(stored.map((e) => `${e.list_id}#${e.list_index}`)).size).toBe(stored.length);
          for (const e of stored) expect(e.list_index).toBeLessThan(listSize);
          // The database counts every index handed out: at least the stored ones, never more than a list holds.
          const allocated = await allocatedCounts(store);
          for (const [listId, count] of allocated) {
            expect(count).toBeLessThanOrEqual(listSize);
            expect(count).toBeGreaterThanOrEqual(stored.filter((e) => e.list_id === listId).length);
          }
          await store.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('does not hand out an index another store connection on the same database file leased (two processes)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'educred-alloc-'));
    const file = path.join(dir, 'educred.db');
    const one = await openStore({ engine: 'sqlite', file });
    const two = await openStore({ engine: 'sqlite', file });
    try {
      const a = small(one, 32, { purposes: ['revocation'], leaseSize: 5 });
      const b = small(two, 32, { purposes: ['revocation'], leaseSize: 5 });
      // One at a time: two better-sqlite3 connections in one thread cannot wait for each other's
      // lock (the waiting one blocks the thread the holder needs); two processes would.
      const reservations: StatusReservation[] = [];
      for (let i = 0; i < 40; i++) reservations.push(await (i % 2 === 0 ? a : b).reserve());
      const keys = reservations.map((r) => keyOf(r.entries[0]!));
      expect(new Set(keys).size).toBe(40);
      for (const [i, r] of reservations.entries()) await commitAward(i % 2 === 0 ? one : two, r);
      expect(await storedEntries(one)).toHaveLength(40);
    } finally {
      await one.close();
      await two.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fills a list completely before it starts the next one', async () => {
    const store = await memoryStore();
    const allocator = small(store, 16, { purposes: ['revocation'] });
    const lists: string[] = [];
    for (let i = 0; i < 40; i++) {
      const reservation = await allocator.reserve();
      await commitAward(store, reservation);
      lists.push(parse(reservation.entries[0]!).list);
    }
    const distinct = [...new Set(lists)];
    expect(distinct).toHaveLength(3);
    expect(lists.slice(0, 16).every((l) => l === distinct[0])).toBe(true);
    expect(lists.slice(16, 32).every((l) => l === distinct[1])).toBe(true);
    const counts = (await sql<{ n: number }>`SELECT count(*) AS n FROM status_entries GROUP BY list_id ORDER BY count(*) DESC`.execute(store.kysely)).rows.map((r) => Number(r.n));
    expect(counts).toEqual([16, 16, 8]);
    await store.close();
  });

  it('starts a new list when another allocator filled the current one', async () => {
    const store = await memoryStore();
    const a = small(store, 16, { purposes: ['revocation'], leaseSize: 16 });
    const b = small(store, 16, { purposes: ['revocation'], leaseSize: 16 });
    const first = parse((await a.reserve()).entries[0]!).list;
    // a leased the whole list in one trip: b must start the next one.
    expect(a.heldIndexes('revocation')).toBe(15);
    const second = parse((await b.reserve()).entries[0]!).list;
    expect(second).not.toBe(first);
    const lists = await store.statusLists.listsOf(ISSUER, 'revocation');
    expect(lists.map((l) => [l.id, l.allocated])).toEqual([
      [listIdOf(first), 16],
      [listIdOf(second), 16],
    ]);
    await store.close();
  });

  it('stays within a bounded number of random draws when the list is 99% full, and still picks only free indexes', async () => {
    const store = await memoryStore();
    const size = 1024;
    let draws = 0;
    const countingRandom = (max: number): number => {
      draws++;
      return Math.floor(Math.random() * max);
    };
    // One index per lease, so each reservation is one pick.
    const allocator = small(store, size, { purposes: ['revocation'], random: countingRandom, leaseSize: 1 });
    const taken = new Set<number>();
    let list: string | undefined;
    while (taken.size < size - 10) {
      const reservation = await allocator.reserve();
      await commitAward(store, reservation);
      const entry = parse(reservation.entries[0]!);
      list ??= entry.list;
      taken.add(entry.index);
    }
    for (let i = 0; i < 10; i++) {
      draws = 0;
      const entry = parse((await allocator.reserve()).entries[0]!);
      expect(entry.list).toBe(list);
      expect(taken.has(entry.index)).toBe(false);
      taken.add(entry.index);
      // At most 16 probes, then one uniform draw among the free indexes: never a retry loop.
      expect(draws).toBeLessThanOrEqual(17);
    }
    expect(allocator.heldIndexes('revocation')).toBe(0);
    const [full] = await store.statusLists.listsOf(ISSUER, 'revocation');
    expect(full).toMatchObject({ id: listIdOf(list!), size, allocated: size });
    expect(parse((await allocator.reserve()).entries[0]!).list).not.toBe(list);
    await store.close();
  });

  it('gives a released index back to its allocator (its credential was never stored nor sent), not to another', async () => {
    const store = await memoryStore();
    const allocator = small(store, 8, { purposes: ['revocation'] });
    const all: StatusReservation[] = [];
    for (let i = 0; i < 8; i++) all.push(await allocator.reserve());
    const list = parse(all[0]!.entries[0]!).list;
    expect(allocator.heldIndexes('revocation')).toBe(0);
    all[3]!.release();
    all[3]!.release(); // twice is harmless
    expect(allocator.heldIndexes('revocation')).toBe(1);
    // The database still counts it as handed out: another allocator starts a new list.
    const other = small(store, 8, { purposes: ['revocation'] });
    expect(parse((await other.reserve()).entries[0]!).list).not.toBe(list);
    const again = parse((await allocator.reserve()).entries[0]!);
    expect(again).toEqual({ ...parse(all[3]!.entries[0]!), list });
    expect(allocator.heldIndexes('revocation')).toBe(0);
    await store.close();
  });

  it('leases indexes in blocks and close() gives the unused ones back to the lists', async () => {
    const store = await memoryStore();
    const allocator = small(store, 64, { purposes: ['revocation'], leaseSize: 10 });
    const committed = await allocator.reserve();
    await commitAward(store, committed);
    const inFlight = await allocator.reserve(); // in a credential being signed: never given back
    const released = await allocator.reserve();
    released.release();
    expect(allocator.heldIndexes('revocation')).toBe(8);
    const listId = listIdOf(parse(committed.entries[0]!).list);
    expect((await allocatedCounts(store)).get(listId)).toBe(10);

    await allocator.close();
    expect(allocator.heldIndexes('revocation')).toBe(0);
    // The committed index and the one in flight stay handed out; the other eight are free again.
    expect((await allocatedCounts(store)).get(listId)).toBe(2);

    // Another allocator can be handed every free index of the list, and never the two kept.
    const kept = new Set([keyOf(committed.entries[0]!), keyOf(inFlight.entries[0]!)]);
    const next = small(store, 64, { purposes: ['revocation'], leaseSize: 62 });
    const keys = new Set<string>();
    for (let i = 0; i < 62; i++) {
      const entry = (await next.reserve()).entries[0]!;
      expect(parse(entry).list).toBe(parse(committed.entries[0]!).list);
      keys.add(keyOf(entry));
    }
    expect(keys.size).toBe(62);
    for (const key of kept) expect(keys.has(key)).toBe(false);
    await store.close();
  });

  it('should fail to store the same index twice: the primary key guards it', async () => {
    const store = await memoryStore();
    const reservation = await small(store, 8, { purposes: ['revocation'] }).reserve();
    const { list, index } = parse(reservation.entries[0]!);
    const listId = listIdOf(list);
    await store.statusLists.insertEntry({ listId, index, awardId: await storeAward(store), purpose: 'revocation' });
    const secondAward = await storeAward(store);
    const refused = await store.statusLists.insertEntry({ listId, index, awardId: secondAward, purpose: 'revocation' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UniqueConflictError);
    expect(refused).toMatchObject({ rule: 'status-index' });
    await store.close();
  });
});

describe('pickFreeIndex', () => {
  it('returns a free index whenever one exists, and none when the map is full (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.integer({ min: 0, max: 1000 }), (taken, seed) => {
        const size = taken.length * 8;
        let free = 0;
        for (let i = 0; i < size; i++) if (!((taken[i >> 3]! >> (7 - (i & 7))) & 1)) free++;
        let s = seed;
        const random = (max: number) => (s = (s * 1103515245 + 12345) % 2147483648) % max;
        const index = pickFreeIndex(taken, size, free, random);
        if (free === 0) expect(index).toBeUndefined();
        else expect((taken[index! >> 3]! >> (7 - (index! & 7))) & 1).toBe(0);
      }),
    );
  });

  it('can reach every free index of a nearly full map (uniform choice, not the first free after a point)', () => {
    const taken = new Uint8Array(128).fill(0xff);
    const free = [5, 300, 1017];
    for (const i of free) taken[i >> 3]! &= ~(0x80 >> (i & 7));
    const seen = new Set<number>();
    for (let k = 0; k < 3; k++) {
      // Probes all land on taken indexes (0); the uniform draw then asks for the k-th free index.
      let call = 0;
      seen.add(pickFreeIndex(taken, 1024, 3, (max) => (call++ < 16 ? 0 : k % max))!);
    }
    expect([...seen].sort((x, y) => x - y)).toEqual(free);
  });
});
