// `educred db check`: the invariants several nodes must keep between them, checked on the data
// itself. Every status entry a stored credential carries is held by that award in
// status_entries (the row verifiers' bits are set through), no (list, index) is carried by two
// credentials, and every held index is marked allocated (so no node can be handed it again).
// Reads in pages; the held entries of all lists are loaded once (a few bytes per award).
import type { Repositories } from './store.js';

export interface IntegrityProblem {
  kind: 'missing-status-entry' | 'shared-status-index' | 'entry-not-allocated' | 'allocation-count';
  detail: string;
  awardId?: string | undefined;
  listId?: string | undefined;
  index?: number | undefined;
}

export interface IntegrityReport {
  ok: boolean;
  awards: number;
  statusEntries: number;
  problems: IntegrityProblem[];
}

const LIST_URL = /\/status\/([^/#?]+)$/;
const MAX_PROBLEMS = 1000;

/** The (list id, index) pairs of a credential's BitstringStatusListEntry values. */
function carriedEntries(credential: Record<string, unknown>): Array<{ listId: string; index: number }> {
  const status = credential.credentialStatus;
  const entries = Array.isArray(status) ? status : status ? [status] : [];
  const carried: Array<{ listId: string; index: number }> = [];
  for (const entry of entries as Array<Record<string, unknown>>) {
    if (entry?.type !== 'BitstringStatusListEntry' || typeof entry.statusListCredential !== 'string') continue;
    const listId = LIST_URL.exec(entry.statusListCredential)?.[1];
    const index = Number(entry.statusListIndex);
    if (listId && Number.isInteger(index)) carried.push({ listId, index });
  }
  return carried;
}

const isSet = (bits: Uint8Array, index: number): boolean => ((bits[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;

export async function checkIntegrity(store: Repositories): Promise<IntegrityReport> {
  const problems: IntegrityProblem[] = [];
  const add = (p: IntegrityProblem): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const lists = await store.statusLists.allAllocations();
  const held = new Map<string, string>();
  let statusEntries = 0;
  for (const list of lists) {
    let allocated = 0;
    for (const byte of list.allocated) for (let b = byte; b; b &= b - 1) allocated++;
    if (allocated !== list.allocatedCount) add({ kind: 'allocation-count', listId: list.id, detail: `list ${list.id} counts ${list.allocatedCount} allocated indexes, its bitmap holds ${allocated}` });
    for (let after = -1; ; ) {
      const page = await store.statusLists.entriesPage(list.id, after, 5000);
      if (page.length === 0) break;
      for (const e of page) {
        statusEntries++;
        held.set(`${e.listId}#${e.index}`, e.awardId);
        if (!isSet(list.allocated, e.index)) add({ kind: 'entry-not-allocated', awardId: e.awardId, listId: e.listId, index: e.index, detail: `index ${e.index} of list ${e.listId} is held by award ${e.awardId} but not marked allocated` });
      }
      after = page[page.length - 1]?.index ?? after;
    }
  }
  const carriedBy = new Map<string, string>();
  let awards = 0;
  for (let after = 0; ; ) {
    const page = await store.awards.page(after, 1000);
    if (page.length === 0) break;
    for (const award of page) {
      awards++;
      for (const { listId, index } of carriedEntries(award.credential)) {
        const key = `${listId}#${index}`;
        const other = carriedBy.get(key);
        if (other !== undefined && other !== award.id) {
          add({ kind: 'shared-status-index', awardId: award.id, listId, index, detail: `awards ${other} and ${award.id} both carry index ${index} of list ${listId}` });
        }
        carriedBy.set(key, award.id);
        const holder = held.get(key);
        if (holder === undefined) add({ kind: 'missing-status-entry', awardId: award.id, listId, index, detail: `award ${award.id} carries index ${index} of list ${listId}, which no status entry holds` });
        else if (holder !== award.id) add({ kind: 'shared-status-index', awardId: award.id, listId, index, detail: `award ${award.id} carries index ${index} of list ${listId}, held by award ${holder}` });
      }
    }
    after = page[page.length - 1]?.seq ?? after;
  }
  return { ok: problems.length === 0, awards, statusEntries, problems };
}
