// The public names of status lists and entries: a list's URL under the service's base URL, and
// the `BitstringStatusListEntry` a credential carries for one purpose (W3C Bitstring Status
// List §2.1: statusListIndex is a string, id must differ from statusListCredential).
import type { StatusPurpose } from '../store/statusLists.js';

export const statusListUrl = (baseUrl: string, listId: string): string => `${baseUrl}/status/${listId}`;

/** A list id as this service mints them (UUIDs); anything else cannot name one of our lists. */
export const STATUS_LIST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface BitstringStatusListEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: StatusPurpose;
  statusListIndex: string;
  statusListCredential: string;
  [key: string]: unknown;
}

export function statusEntry(baseUrl: string, listId: string, purpose: StatusPurpose, index: number): BitstringStatusListEntry {
  const url = statusListUrl(baseUrl, listId);
  return { id: `${url}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: purpose, statusListIndex: String(index), statusListCredential: url };
}

/** The list id and index an entry id of ours names (`<baseUrl>/status/<listId>#<index>`), if it is one. */
export function parseStatusEntryId(baseUrl: string, id: string): { listId: string; index: number } | undefined {
  const prefix = `${baseUrl}/status/`;
  if (!id.startsWith(prefix)) return undefined;
  const match = /^([^#/]+)#(\d{1,10})$/.exec(id.slice(prefix.length));
  if (!match?.[1] || !match[2] || !STATUS_LIST_ID.test(match[1])) return undefined;
  return { listId: match[1], index: Number(match[2]) };
}

/**
 * The `credentialStatus` value for a credential's entries: one entry as an object, as Open Badges
 * 3.0 types it (0..1, so a default badge validates against the 1EdTech schema it cites); several
 * as a VC 2.0 set (VC Data Model 2.0 §4.10), which only EDUCRED_STATUS_PURPOSES=revocation,suspension
 * produces.
 */
export function credentialStatusValue<Entry>(entries: readonly Entry[]): Entry | Entry[] | undefined {
  if (entries.length === 0) return undefined;
  return entries.length === 1 ? entries[0] : [...entries];
}
