// Whether an award may be delivered through its claim link: its live status, read from this
// service's own status lists (the bits as they stand in the database, which is what the next
// published list says, W3C Bitstring Status List §3.2), the same bits POST /awards/:id/revoke
// changes. A revoked or suspended badge is shown but never delivered, and no link is made for
// it; an entry whose list cannot be read blocks it too (fail closed). Synchronous, so a claim
// checks it inside the transaction that spends the link: a revocation cannot slip in between.
import type { LiveStatus } from '../pages/liveStatus.js';
import { getBit } from '../status/bitstring.js';
import type { AwardRecord } from '../store/awards.js';
import type { Repositories } from '../store/store.js';
import { AwardNotClaimableError } from './errors.js';

export type ClaimBlock = 'revoked' | 'suspended' | 'unknown';

/** List bits read once per list; a batch view shares one across its rows. */
export type StatusListCache = Map<string, Uint8Array | undefined>;

/** What keeps the award from being claimed, from its status entries' bits; undefined when nothing does. */
export async function claimBlock(store: Repositories, awardId: string, lists: StatusListCache = new Map()): Promise<ClaimBlock | undefined> {
  let suspended = false;
  for (const entry of await store.statusLists.entriesOfAward(awardId)) {
    if (!lists.has(entry.listId)) lists.set(entry.listId, (await store.statusLists.readBits(entry.listId))?.bits);
    const bits = lists.get(entry.listId);
    if (!bits || entry.index >= bits.length * 8) return 'unknown';
    if (!getBit(bits, entry.index)) continue;
    if (entry.purpose === 'revocation') return 'revoked';
    suspended = true;
  }
  return suspended ? 'suspended' : undefined;
}

const BLOCKED: Record<ClaimBlock, LiveStatus> = {
  revoked: { state: 'revoked', detail: 'The issuer has revoked this badge. It is no longer valid.' },
  suspended: { state: 'suspended', detail: 'The issuer has suspended this badge for now. It is not valid while suspended.' },
  unknown: { state: 'unknown', detail: "The badge's status list could not be read." },
};

/** The award's live status for the claim page, in the words of the badge page (src/pages/liveStatus.ts). */
export async function awardLiveStatus(store: Repositories, award: AwardRecord, now = new Date()): Promise<LiveStatus> {
  const block = await claimBlock(store, award.id);
  if (block) return BLOCKED[block];
  const validUntil = award.credential.validUntil;
  if (typeof validUntil === 'string' && Date.parse(validUntil) <= now.getTime()) {
    return { state: 'expired', detail: `This badge expired on ${validUntil.slice(0, 10)}.` };
  }
  return { state: 'valid', detail: 'The issuer has not revoked or suspended this badge.' };
}

/** True when the status forbids handing the badge out. */
export const withholdsClaim = (status: LiveStatus): status is LiveStatus & { state: ClaimBlock } =>
  status.state === 'revoked' || status.state === 'suspended' || status.state === 'unknown';

/** Throws AwardNotClaimableError unless the award may be delivered now. */
export async function assertClaimable(store: Repositories, award: AwardRecord): Promise<void> {
  const block = await claimBlock(store, award.id);
  if (block) throw new AwardNotClaimableError(award.id, block);
}
