// Changing an award's status: revoke (final), suspend, reinstate (lift a suspension). Each
// change is one immediate transaction that reads the award's status entries, flips the bit in
// its list, bumps the list's version and writes the audit row with the reason; the reason
// lives only in the audit log, never in the public list.
import type { StatusEntryRow, StatusPurpose } from '../store/statusLists.js';
import type { Repositories, Store } from '../store/store.js';
import { getBit, setBit } from './bitstring.js';
import { parseStatusEntryId } from './entries.js';
import { NoStatusEntryError, RevocationFinalError, UnknownAwardError } from './errors.js';

export const STATUS_ACTIONS = ['revoke', 'suspend', 'reinstate'] as const;
export type StatusAction = (typeof STATUS_ACTIONS)[number];

export interface AwardStatus {
  revoked: boolean;
  suspended: boolean;
}

export interface StatusChange {
  awardId: string;
  action: StatusAction;
  /** Why, for the audit log (required: a program must be able to say why it took a badge back). */
  reason: string;
  actor: string;
  at?: Date | undefined;
}

export interface StatusChangeOutcome {
  awardId: string;
  action: StatusAction;
  /** False when the award already had the requested status (nothing written). */
  changed: boolean;
  status: AwardStatus;
  /** The list that changed and its new version, for publishing. */
  published?: { listId: string; version: number } | undefined;
}

const PURPOSE_OF: Record<StatusAction, StatusPurpose> = { revoke: 'revocation', suspend: 'suspension', reinstate: 'suspension' };
const AUDIT_ACTION: Record<StatusAction, string> = { revoke: 'award.revoked', suspend: 'award.suspended', reinstate: 'award.reinstated' };

async function bitOf(store: Repositories, entry: StatusEntryRow | undefined): Promise<boolean> {
  if (!entry) return false;
  const list = await store.statusLists.readBits(entry.listId);
  return list ? getBit(list.bits, entry.index) : false;
}

/** The award's current status as its lists say (not as last published). */
export async function awardStatus(store: Repositories, awardId: string): Promise<AwardStatus & { entries: StatusEntryRow[] }> {
  const entries = await store.statusLists.entriesOfAward(awardId);
  const of = (p: StatusPurpose) => entries.find((e) => e.purpose === p);
  return { revoked: await bitOf(store, of('revocation')), suspended: await bitOf(store, of('suspension')), entries };
}

export async function changeAwardStatus(store: Store, change: StatusChange): Promise<StatusChangeOutcome> {
  const at = change.at ?? new Date();
  return store.transaction(async (tx): Promise<StatusChangeOutcome> => {
      if (!(await tx.awards.find(change.awardId))) throw new UnknownAwardError(change.awardId);
      const before = await awardStatus(tx, change.awardId);
      const status: AwardStatus = { revoked: before.revoked, suspended: before.suspended };
      if (before.revoked && change.action !== 'revoke') throw new RevocationFinalError(change.awardId, change.action);
      const purpose = PURPOSE_OF[change.action];
      const entry = before.entries.find((e) => e.purpose === purpose);
      if (!entry) throw new NoStatusEntryError(change.awardId, purpose);
      const wanted = change.action !== 'reinstate';
      // FOR UPDATE: two changes to one list (on one node or two) take turns, so neither
      // overwrites the other's bit.
      const list = await tx.statusLists.readBits(entry.listId, { forUpdate: true });
      if (!list) throw new NoStatusEntryError(change.awardId, purpose);
      if (getBit(list.bits, entry.index) === wanted) return { awardId: change.awardId, action: change.action, changed: false, status };
      setBit(list.bits, entry.index, wanted);
      const version = await tx.statusLists.writeBits(entry.listId, list.bits, at);
      // A revoked award no longer holds its recipient's badge: a re-award becomes possible (migration 5).
      if (purpose === 'revocation') await tx.awards.markRevoked(change.awardId, at);
      if (purpose === 'revocation') status.revoked = wanted;
      else status.suspended = wanted;
      await tx.audit.record(
        { actor: change.actor, action: AUDIT_ACTION[change.action], subject: change.awardId, detail: { reason: change.reason, purpose, statusList: entry.listId, statusListIndex: entry.index } },
        at,
      );
      return { awardId: change.awardId, action: change.action, changed: true, status, published: { listId: entry.listId, version } };
  });
}

/**
 * The award a VC-API `credentialId` names: the credential's id (its URL), one of its status
 * entry ids (`<list url>#<index>`, what some issuers hand out), or the award id itself.
 */
export async function findAwardIdForCredential(store: Repositories, baseUrl: string, credentialId: string): Promise<string | undefined> {
  const byCredential = await store.awards.findByCredentialId(credentialId);
  if (byCredential) return byCredential.id;
  const entryRef = parseStatusEntryId(baseUrl, credentialId);
  if (entryRef) return (await store.statusLists.findEntry(entryRef.listId, entryRef.index))?.awardId;
  return (await store.awards.find(credentialId))?.id;
}
