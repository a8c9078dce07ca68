// Index allocation: random among free indexes, never the same index twice (in memory, across
// allocators sharing a database, and by the table's primary key), a new list when one fills,
// and a bounded amount of work when a list is nearly full. Small lists appear only here, through
// the allocator's test-only parameter; production lists hold at least 131,072 entries.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStatusAllocator } from '../../src/status/allocator.js';
import { pickFreeIndex } from '../../src/status/indexPicker.js';
import { insertAward } from '../../src/store/awards.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { insertStatusEntry } from '../../src/store/statusLists.js';

const ISSUER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const BASE = 'https://issuer.example';

function storeAward(db: Db): string {
  const id = randomUUID();
  insertAward(db, {
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

const small = (db: Db, listSize: number, extra: Record<string, unknown> = {}) =>
  createStatusAllocator({ db, baseUrl: BASE, issuerId: ISSUER, listSize, allowSmallListsForTests: true, ...extra });

const parse = (entry: Record<string, unknown>) => ({
  list: String(entry.statusListCredential),
  index: Number(entry.statusListIndex),
  purpose: String(entry.statusPurpose),
});

function storedEntries(db: Db): Array<{ list_id: string; list_index: number; purpose: string }> {
  return db.prepare('SELECT list_id, list_index, purpose FROM status_entries').all() as Array<{ list_id: string; list_index: number; purpose: string }>;
}

describe('status index allocation', () => {
  it('gives each credential one BitstringStatusListEntry per purpose, in the shape the spec defines', () => {
    const db = openDatabase(':memory:');
    const [revocation, suspension] = small(db, 64).reserve().entries;
    for (const [entry, purpose] of [[revocation, 'revocation'], [suspension, 'suspension']] as const) {
      expect(entry).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: purpose });
      expect(entry!.statusListCredential).toMatch(new RegExp(`^${BASE}/status/[0-9a-f-]{36}$`));
      expect(entry!.statusListIndex).toMatch(/^\d+$/);
      expect(entry!.id).toBe(`${entry!.statusListCredential}#${entry!.statusListIndex}`);
    }
    expect(revocation!.statusListCredential).not.toBe(suspension!.statusListCredential);
  });

  it('refuses lists below the spec minimum of 131,072 entries outside allocation unit tests', () => {
    const db = openDatabase(':memory:');
    expect(() => createStatusAllocator({ db, baseUrl: BASE, issuerId: ISSUER, listSize: 1024 })).toThrow(/131072/);
    expect(() => createStatusAllocator({ db, baseUrl: BASE, issuerId: ISSUER })).not.toThrow();
  });

  it('never hands out an index twice, whatever the order of commits and releases (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }).map((n) => n * 8), fc.array(fc.constantFrom('commit', 'release', 'hold'), { minLength: 1, maxLength: 150 }), (listSize, outcomes) => {
        const db = openDatabase(':memory:');
        const allocator = small(db, listSize);
        const live = new Set<string>();
        const held: Array<{ keys: string[]; release(): void }> = [];
        for (const outcome of outcomes) {
          const reservation = allocator.reserve();
          const keys = reservation.entries.map((e) => `${String(e.statusListCredential)}#${String(e.statusListIndex)}`);
          for (const key of keys) {
            expect(live.has(key), `${key} handed out twice`).toBe(false);
            live.add(key);
          }
          if (outcome === 'commit') db.transaction(() => reservation.commit(storeAward(db))).immediate();
          else if (outcome === 'release') {
            reservation.release();
            for (const key of keys) live.delete(key);
          } else held.push({ keys, release: reservation.release });
        }
        // Every committed index is in the table once (the primary key would have thrown otherwise).
        const stored = storedEntries(db);
        expect(new Set(stored.map((e) => `${e.list_id}#${e.list_index}`)).size).toBe(stored.length);
        for (const e of stored) expect(e.list_index).toBeLessThan(listSize);
      }),
      { numRuns: 60 },
    );
  });

  it('fills a list completely before it starts the next one', () => {
    const db = openDatabase(':memory:');
    const allocator = small(db, 16, { purposes: ['revocation'] });
    const lists: string[] = [];
    for (let i = 0; i < 40; i++) {
      const reservation = allocator.reserve();
      db.transaction(() => reservation.commit(storeAward(db))).immediate();
      lists.push(parse(reservation.entries[0]!).list);
    }
    const distinct = [...new Set(lists)];
    expect(distinct).toHaveLength(3);
    expect(lists.slice(0, 16).every((l) => l === distinct[0])).toBe(true);
    expect(lists.slice(16, 32).every((l) => l === distinct[1])).toBe(true);
    const counts = db.prepare('SELECT count(*) FROM status_entries GROUP BY list_id ORDER BY count(*) DESC').pluck().all();
    expect(counts).toEqual([16, 16, 8]);
  });

  it('stays within a bounded number of random draws when the list is 99% full, and still picks only free indexes', () => {
    const db = openDatabase(':memory:');
    const size = 1024;
    let draws = 0;
    const countingRandom = (max: number): number => {
      draws++;
      return Math.floor(Math.random() * max);
    };
    const allocator = small(db, size, { purposes: ['revocation'], random: countingRandom });
    const taken = new Set<number>();
    let list: string | undefined;
    while (taken.size < size - 10) {
      const reservation = allocator.reserve();
      db.transaction(() => reservation.commit(storeAward(db))).immediate();
      const entry = parse(reservation.entries[0]!);
      list ??= entry.list;
      taken.add(entry.index);
    }
    for (let i = 0; i < 10; i++) {
      draws = 0;
      const entry = parse(allocator.reserve().entries[0]!);
      expect(entry.list).toBe(list);
      expect(taken.has(entry.index)).toBe(false);
      taken.add(entry.index);
      // At most 16 probes, then one uniform draw among the free indexes: never a retry loop.
      expect(draws).toBeLessThanOrEqual(17);
    }
    expect(allocator.freeInCurrentList('revocation')).toBe(0);
    expect(parse(allocator.reserve().entries[0]!).list).not.toBe(list);
  });

  it('gives a released index back to the pool (its credential was never stored nor sent)', () => {
    const db = openDatabase(':memory:');
    const allocator = small(db, 8, { purposes: ['revocation'] });
    const all = Array.from({ length: 8 }, () => allocator.reserve());
    const list = parse(all[0]!.entries[0]!).list;
    all[3]!.release();
    all[3]!.release(); // twice is harmless
    const again = parse(allocator.reserve().entries[0]!);
    expect(again).toEqual({ ...parse(all[3]!.entries[0]!), list });
  });

  it('does not pick an index another allocator on the same database stored (the CLI beside the server)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }), (turns) => {
        const db = openDatabase(':memory:');
        const a = small(db, 32, { purposes: ['revocation'] });
        const b = small(db, 32, { purposes: ['revocation'] });
        for (const useA of turns) {
          const reservation = (useA ? a : b).reserve();
          db.transaction(() => reservation.commit(storeAward(db))).immediate();
        }
        const stored = storedEntries(db);
        expect(stored).toHaveLength(turns.length);
      }),
      { numRuns: 40 },
    );
  });

  it('should fail to store the same index twice: the primary key guards it', () => {
    const db = openDatabase(':memory:');
    const reservation = small(db, 8, { purposes: ['revocation'] }).reserve();
    const { list, index } = parse(reservation.entries[0]!);
    const listId = list.slice(list.lastIndexOf('/') + 1);
    insertStatusEntry(db, { listId, index, awardId: storeAward(db), purpose: 'revocation' });
    expect(() => insertStatusEntry(db, { listId, index, awardId: storeAward(db), purpose: 'revocation' })).toThrow(/UNIQUE|PRIMARY KEY/);
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
