// Whether an award may be delivered through its claim link: its live status, read from this
// service's own status lists (the bits as they stand in the database, which is what the next
// published list says, W3C Bitstring Status List §3.2), the same reading POST /awards/:id/revoke
// changes. A revoked or suspended badge is shown but never delivered; a status that cannot be
// read is not delivered either (fail closed). Synchronous, so a claim checks it inside the
// transaction that spends the link: a revocation cannot slip in between the check and delivery.
import type { LiveStatus } from '../pages/liveStatus.js';
import { awardStatus } from '../status/statusChanges.js';
import type { AwardRecord } from '../store/awards.js';
import type { Db } from '../store/db.js';
import { AwardNotClaimableError } from './errors.js';

const entriesIn = (credential: Record<string, unknown>): number => {
  const status = credential.credentialStatus;
  const list = Array.isArray(status) ? status : status === undefined || status === null ? [] : [status];
  return list.filter((e) => (e as { type?: unknown } | null)?.type === 'BitstringStatusListEntry').length;
};

/** The award's live status, in the words of the badge page (src/pages/liveStatus.ts). */
export function awardLiveStatus(db: Db, award: AwardRecord, now = new Date()): LiveStatus {
  const status = awardStatus(db, award.id);
  if (status.revoked) return { state: 'revoked', detail: 'The issuer has revoked this badge. It is no longer valid.' };
  if (status.suspended) return { state: 'suspended', detail: 'The issuer has suspended this badge for now. It is not valid while suspended.' };
  // The credential names status entries the database does not hold: nothing vouches for them.
  if (entriesIn(award.credential) > status.entries.length) return { state: 'unknown', detail: "The badge's status list could not be read." };
  const validUntil = award.credential.validUntil;
  if (typeof validUntil === 'string' && Date.parse(validUntil) <= now.getTime()) {
    return { state: 'expired', detail: `This badge expired on ${validUntil.slice(0, 10)}.` };
  }
  return { state: 'valid', detail: 'The issuer has not revoked or suspended this badge.' };
}

/** True when the status forbids handing the badge out (or a new link for it). */
export const withholdsClaim = (status: LiveStatus): status is LiveStatus & { state: 'revoked' | 'suspended' | 'unknown' } =>
  status.state === 'revoked' || status.state === 'suspended' || status.state === 'unknown';

/** Throws AwardNotClaimableError unless the award may be delivered now. */
export function assertClaimable(db: Db, award: AwardRecord, now = new Date()): LiveStatus {
  const status = awardLiveStatus(db, award, now);
  if (withholdsClaim(status)) throw new AwardNotClaimableError(award.id, status.state);
  return status;
}
