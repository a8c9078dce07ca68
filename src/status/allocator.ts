// Status list index allocation for awards: each credential gets one random free index per
// purpose (revocation, suspension) in its issuer's current list, and a new list starts when one
// fills. Several nodes (and the CLI beside the server) share the lists, so indexes are leased
// from the database a few at a time (src/store/statusLists.ts leaseIndexes: chosen at random
// among the free ones under the lists' lock, and marked allocated before the lock is released).
// No process learns what the others took; the database alone knows. A leased index is
// embedded in a credential by `reserve()` before signing and stored by `commit()` inside the
// award's transaction, where the PRIMARY KEY (list_id, list_index) is the final guard. An index
// a process leased and never used (it crashed) stays allocated and unused: harmless, never reused.
import type { StatusAllocator, StatusReservation } from '../awards/issueAward.js';
import type { Repositories, Store } from '../store/store.js';
import { STATUS_PURPOSES, type StatusPurpose } from '../store/statusLists.js';
import { MIN_STATUS_LIST_LENGTH } from './bitstring.js';
import { statusEntry } from './entries.js';
import { pickFreeIndex, type RandomInt } from './indexPicker.js';

export interface StatusAllocatorOptions {
  store: Store;
  baseUrl: string;
  /** The issuer DID the lists belong to (one set of lists per issuer and purpose). */
  issuerId: string;
  /** The purposes every credential gets an entry for (default: revocation and suspension). */
  purposes?: readonly StatusPurpose[] | undefined;
  /** Entries in a new list; at least the spec's 131,072 unless `allowSmallListsForTests`. */
  listSize?: number | undefined;
  /** Unit tests of allocation only: lists below the spec minimum, to fill them quickly. */
  allowSmallListsForTests?: boolean | undefined;
  random?: RandomInt | undefined;
  /**
   * Indexes leased per trip to the database (default 32): one lease serves this many awards, so
   * a burst costs one short locked transaction per 32 awards per purpose.
   */
  leaseSize?: number | undefined;
}

interface HeldIndex {
  listId: string;
  purpose: StatusPurpose;
  index: number;
}

export interface StatusAllocatorWithStats extends StatusAllocator {
  readonly purposes: readonly StatusPurpose[];
  /** Indexes this process holds for coming awards, per purpose (for tests and the bench). */
  heldIndexes(purpose: StatusPurpose): number;
  /** Gives the held, unused indexes back to the lists (a graceful stop). */
  close(): Promise<void>;
}

/** Marks and returns `count` random free indexes of `allocated` (index 0: the first byte's high bit). */
function chooseRandom(random: RandomInt | undefined) {
  return (allocated: Uint8Array, size: number, free: number, count: number): number[] => {
    const chosen: number[] = [];
    let left = free;
    for (let i = 0; i < count; i++) {
      const index = pickFreeIndex(allocated, size, left, random);
      if (index === undefined) break;
      allocated[index >> 3] = (allocated[index >> 3] ?? 0) | (0x80 >> (index & 7));
      left--;
      chosen.push(index);
    }
    return chosen;
  };
}

export function createStatusAllocator(options: StatusAllocatorOptions): StatusAllocatorWithStats {
  const { store, baseUrl, issuerId } = options;
  const purposes = options.purposes ?? STATUS_PURPOSES;
  const listSize = options.listSize ?? MIN_STATUS_LIST_LENGTH;
  const leaseSize = Math.max(1, options.leaseSize ?? 32);
  if (!Number.isInteger(listSize) || listSize % 8 !== 0 || listSize <= 0) throw new RangeError(`listSize must be a positive multiple of 8 (got ${listSize})`);
  if (listSize < MIN_STATUS_LIST_LENGTH && !options.allowSmallListsForTests) {
    throw new RangeError(`A status list must hold at least ${MIN_STATUS_LIST_LENGTH} entries (W3C Bitstring Status List); got ${listSize}`);
  }
  const choose = chooseRandom(options.random);
  /** Leased, not yet embedded in a credential; taken from the end (they were drawn at random). */
  const pools = new Map<StatusPurpose, HeldIndex[]>(purposes.map((p) => [p, []]));
  /** One lease trip per purpose at a time: awards arriving meanwhile wait for it. */
  const leasing = new Map<StatusPurpose, Promise<void>>();

  const refill = (purpose: StatusPurpose): Promise<void> => {
    let trip = leasing.get(purpose);
    if (!trip) {
      trip = store.statusLists
        .leaseIndexes({ issuer: issuerId, purpose, count: leaseSize, newListSize: listSize, choose })
        .then((lease) => {
          const pool = pools.get(purpose) ?? [];
          for (const index of lease.indexes) pool.push({ listId: lease.listId, purpose, index });
          pools.set(purpose, pool);
        })
        .finally(() => leasing.delete(purpose));
      leasing.set(purpose, trip);
    }
    return trip;
  };

  const take = async (purpose: StatusPurpose): Promise<HeldIndex> => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const held = pools.get(purpose)?.pop();
      if (held) return held;
      await refill(purpose);
    }
    throw new Error(`No status list index could be leased for ${purpose}`);
  };

  return {
    purposes,
    heldIndexes: (purpose) => pools.get(purpose)?.length ?? 0,
    async reserve(): Promise<StatusReservation> {
      const held: HeldIndex[] = [];
      try {
        for (const purpose of purposes) held.push(await take(purpose));
      } catch (error) {
        for (const h of held) pools.get(h.purpose)?.push(h);
        throw error;
      }
      let released = false;
      return {
        entries: held.map((h) => statusEntry(baseUrl, h.listId, h.purpose, h.index)),
        async commit(awardId: string, tx: Repositories) {
          for (const h of held) await tx.statusLists.insertEntry({ listId: h.listId, index: h.index, awardId, purpose: h.purpose });
        },
        release() {
          // The credential that carried these indexes was never stored nor sent: this process
          // may hand them to its next award (they stay allocated to it in the database).
          if (released) return;
          released = true;
          for (const h of held) pools.get(h.purpose)?.push(h);
        },
      };
    },
    async close() {
      const byList = new Map<string, number[]>();
      for (const pool of pools.values()) {
        for (const h of pool.splice(0)) byList.set(h.listId, [...(byList.get(h.listId) ?? []), h.index]);
      }
      for (const [listId, indexes] of byList) await store.statusLists.returnIndexes(listId, indexes);
    },
  };
}
