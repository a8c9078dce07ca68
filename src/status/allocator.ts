// Status list index allocation for awards: each credential gets one random free index per
// purpose (revocation, suspension) in its issuer's current list, and a new list starts when one
// fills. Indexes are held in memory from `reserve()` (before signing) and written by `commit()`
// inside the award's transaction; the table's primary key (list_id, idx) is the final guard.
import { randomUUID } from 'node:crypto';
import type { StatusAllocator, StatusReservation } from '../awards/issueAward.js';
import type { Db } from '../store/db.js';
import {
  entriesAfter,
  insertStatusEntry,
  insertStatusList,
  lastEntryRowid,
  openStatusLists,
  STATUS_PURPOSES,
  takenIndexes,
  type StatusPurpose,
} from '../store/statusLists.js';
import { MIN_STATUS_LIST_LENGTH } from './bitstring.js';
import { statusEntry } from './entries.js';
import { pickFreeIndex, type RandomInt } from './indexPicker.js';

export interface StatusAllocatorOptions {
  db: Db;
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
}

/** What this process knows of one list: which indexes are taken (stored or reserved). */
interface ListState {
  id: string;
  purpose: StatusPurpose;
  size: number;
  taken: Uint8Array;
  free: number;
}

export interface StatusAllocatorWithStats extends StatusAllocator {
  readonly purposes: readonly StatusPurpose[];
  /** Free indexes of the current list per purpose (for tests and the bench). */
  freeInCurrentList(purpose: StatusPurpose): number | undefined;
}

const mark = (list: ListState, index: number): boolean => {
  const mask = 0x80 >> (index & 7);
  const byte = list.taken[index >> 3] ?? 0;
  if (byte & mask) return false;
  list.taken[index >> 3] = byte | mask;
  list.free--;
  return true;
};

const unmark = (list: ListState, index: number): void => {
  const mask = 0x80 >> (index & 7);
  const byte = list.taken[index >> 3] ?? 0;
  if (!(byte & mask)) return;
  list.taken[index >> 3] = byte & ~mask;
  list.free++;
};

export function createStatusAllocator(options: StatusAllocatorOptions): StatusAllocatorWithStats {
  const { db, baseUrl, issuerId } = options;
  const purposes = options.purposes ?? STATUS_PURPOSES;
  const listSize = options.listSize ?? MIN_STATUS_LIST_LENGTH;
  if (!Number.isInteger(listSize) || listSize % 8 !== 0 || listSize <= 0) throw new RangeError(`listSize must be a positive multiple of 8 (got ${listSize})`);
  if (listSize < MIN_STATUS_LIST_LENGTH && !options.allowSmallListsForTests) {
    throw new RangeError(`A status list must hold at least ${MIN_STATUS_LIST_LENGTH} entries (W3C Bitstring Status List); got ${listSize}`);
  }
  const lists = new Map<string, ListState>();
  const current = new Map<StatusPurpose, ListState>();
  // Entries stored up to this rowid are reflected in `lists`: another process (the CLI beside
  // the server) may allocate from the same list, and we must not pick what it stored.
  let seenRowid = lastEntryRowid(db);

  const load = (row: { id: string; purpose: StatusPurpose; size: number }): ListState => {
    const state: ListState = { id: row.id, purpose: row.purpose, size: row.size, taken: new Uint8Array(row.size / 8), free: row.size };
    for (const index of takenIndexes(db, row.id)) mark(state, index);
    lists.set(row.id, state);
    return state;
  };

  const catchUp = (): void => {
    for (const entry of entriesAfter(db, seenRowid)) {
      const list = lists.get(entry.listId);
      if (list) mark(list, entry.index);
      seenRowid = entry.rowid;
    }
  };

  const listWithRoom = (purpose: StatusPurpose): ListState => {
    const held = current.get(purpose);
    if (held && held.free > 0) return held;
    for (const row of openStatusLists(db, issuerId, purpose)) {
      const state = lists.get(row.id) ?? load(row);
      if (state.free > 0) {
        current.set(purpose, state);
        return state;
      }
    }
    // Every list of this purpose is full (or none exists yet): start a new one.
    const id = randomUUID();
    insertStatusList(db, { id, issuer: issuerId, purpose, size: listSize });
    const state = load({ id, purpose, size: listSize });
    current.set(purpose, state);
    return state;
  };

  return {
    purposes,
    freeInCurrentList: (purpose) => current.get(purpose)?.free,
    reserve(): StatusReservation {
      catchUp();
      const held: Array<{ list: ListState; index: number }> = [];
      for (const purpose of purposes) {
        const list = listWithRoom(purpose);
        const index = pickFreeIndex(list.taken, list.size, list.free, options.random);
        if (index === undefined || !mark(list, index)) throw new Error(`Status list ${list.id} has no free index although ${list.free} were counted`);
        held.push({ list, index });
      }
      let released = false;
      return {
        entries: held.map(({ list, index }) => statusEntry(baseUrl, list.id, list.purpose, index)),
        commit(awardId) {
          for (const { list, index } of held) insertStatusEntry(db, { listId: list.id, index, awardId, purpose: list.purpose });
        },
        release() {
          // The credential that carried these indexes was never stored nor sent: they are free again.
          if (released) return;
          released = true;
          for (const { list, index } of held) unmark(list, index);
        },
      };
    },
  };
}
