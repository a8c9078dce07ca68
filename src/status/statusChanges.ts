// Changing an award's status: revoke (final), suspend, reinstate (lift a suspension). Each
// change is one immediate transaction that reads the award's status entries, flips the bit in
// its list, bumps the list's version and writes the audit row with the reason; the reason
// lives only in the audit log, never in the public list.
import { recordAudit } from '../store/audit.js';
import { findAward, findAwardByCredentialId, markAwardRevoked } from '../store/awards.js';
import type { Db } from '../store/db.js';
import { findStatusEntry, readStatusBits, statusEntriesOfAward, writeStatusBits, type StatusEntryRow, type StatusPurpose } from '../store/statusLists.js';
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

function bitOf(db: Db, entry: StatusEntryRow | undefined): boolean {
  if (!entry) return false;
  const list = readStatusBits(db, entry.listId);
  return list ? getBit(list.bits, entry.index) : false;
}

/** The award's current status as its lists say (not as last published). */
export function awardStatus(db: Db, awardId: string): AwardStatus & { entries: StatusEntryRow[] } {
  const entries = statusEntriesOfAward(db, awardId);
  const of = (p: StatusPurpose) => entries.find((e) => e.purpose === p);
  return { revoked: bitOf(db, of('revocation')), suspended: bitOf(db, of('suspension')), entries };
}

export function changeAwardStatus(db: Db, change: StatusChange): StatusChangeOutcome {
  const at = change.at ?? new Date();
  return db
    .transaction((): StatusChangeOutcome => {
      if (!findAward(db, change.awardId)) throw new UnknownAwardError(change.awardId);
      const before = awardStatus(db, change.awardId);
      const status: AwardStatus = { revoked: before.revoked, suspended: before.suspended };
      if (before.revoked && change.action !== 'revoke') throw new RevocationFinalError(change.awardId, change.action);
      const purpose = PURPOSE_OF[change.action];
      const entry = before.entries.find((e) => e.purpose === purpose);
      if (!entry) throw new NoStatusEntryError(change.awardId, purpose);
      const wanted = change.action !== 'reinstate';
      const list = readStatusBits(db, entry.listId);
      if (!list) throw new NoStatusEntryError(change.awardId, purpose);
      if (getBit(list.bits, entry.index) === wanted) return { awardId: change.awardId, action: change.action, changed: false, status };
      setBit(list.bits, entry.index, wanted);
      const version = writeStatusBits(db, entry.listId, list.bits, at);
      // A revoked award no longer holds its recipient's badge: a re-award becomes possible (migration 5).
      if (purpose === 'revocation') markAwardRevoked(db, change.awardId, at);
      if (purpose === 'revocation') status.revoked = wanted;
      else status.suspended = wanted;
      recordAudit(
        db,
        { actor: change.actor, action: AUDIT_ACTION[change.action], subject: change.awardId, detail: { reason: change.reason, purpose, statusList: entry.listId, statusListIndex: entry.index } },
        at,
      );
      return { awardId: change.awardId, action: change.action, changed: true, status, published: { listId: entry.listId, version } };
    })
    .immediate();
}

/**
 * The award a VC-API `credentialId` names: the credential's id (its URL), one of its status
 * entry ids (`<list url>#<index>`, what some issuers hand out), or the award id itself.
 */
export function findAwardIdForCredential(db: Db, baseUrl: string, credentialId: string): string | undefined {
  const byCredential = findAwardByCredentialId(db, credentialId);
  if (byCredential) return byCredential.id;
  const entryRef = parseStatusEntryId(baseUrl, credentialId);
  if (entryRef) return findStatusEntry(db, entryRef.listId, entryRef.index)?.awardId;
  return findAward(db, credentialId)?.id;
}
