// Listing awards for a program's staff (GET /awards): by recipient, achievement and status, a
// page at a time. An award's status is what its status lists say now (W3C Bitstring Status List
// §3.2: a set bit at the entry's index means the purpose applies): revoked when its revocation
// bit is set, suspended when its suspension bit is set and it is not revoked, else active.
import { credentialUrl } from './issueAward.js';
import { normalizeEmail } from '../credentials/recipient.js';
import { getBit } from '../status/bitstring.js';
import type { AwardSummary } from '../store/awards.js';
import type { Repositories } from '../store/store.js';

export const AWARD_STATUSES = ['active', 'revoked', 'suspended'] as const;
export type AwardListStatus = (typeof AWARD_STATUSES)[number];

export interface AwardListFilters {
  /** A DID (`did:…`) or an email address, as the program gave it. */
  recipient?: string | undefined;
  achievement?: string | undefined;
  status?: AwardListStatus | undefined;
}

export interface AwardListItem {
  id: string;
  credentialId: string;
  achievement: string;
  recipient: { id: string } | { email: string };
  name: string | null;
  status: AwardListStatus;
  createdAt: string;
  links: { award: string; credential: string | null };
}

export class InvalidRecipientFilterError extends Error {}

/** The award ids whose bit is set in a list of `purpose`. */
async function flaggedAwards(store: Repositories, lists: ReadonlyArray<{ id: string; purpose: string; bits: Uint8Array }>, purpose: string): Promise<Set<string>> {
  const entries: Array<{ listId: string; index: number }> = [];
  for (const list of lists) {
    if (list.purpose !== purpose) continue;
    list.bits.forEach((byte, i) => {
      if (byte === 0) return;
      for (let bit = 0; bit < 8; bit++) if (getBit(list.bits, i * 8 + bit)) entries.push({ listId: list.id, index: i * 8 + bit });
    });
  }
  return new Set(await store.statusLists.awardIdsAtEntries(entries));
}

function recipientQuery(recipient: string | undefined): { recipientDid?: string; recipientEmail?: string } {
  if (recipient === undefined) return {};
  if (/^did:[a-z0-9]+:\S+$/.test(recipient)) return { recipientDid: recipient };
  if (/^[^\s@]+@[^\s@]+$/.test(recipient)) return { recipientEmail: normalizeEmail(recipient) };
  throw new InvalidRecipientFilterError("must be a DID ('did:…') or an email address");
}

/** Up to `limit` awards, newest first, stored before position `beforeSeq`. */
export async function listAwards(
  store: Repositories,
  baseUrl: string,
  filters: AwardListFilters,
  page: { beforeSeq?: number | undefined; limit: number },
): Promise<Array<AwardListItem & { seq: number }>> {
  const recipient = recipientQuery(filters.recipient);
  const lists = await store.statusLists.allBits();
  const revoked = await flaggedAwards(store, lists, 'revocation');
  const suspended = new Set([...(await flaggedAwards(store, lists, 'suspension'))].filter((id) => !revoked.has(id)));
  const statusQuery =
    filters.status === 'revoked'
      ? { onlyIds: [...revoked] }
      : filters.status === 'suspended'
        ? { onlyIds: [...suspended] }
        : filters.status === 'active'
          ? { exceptIds: [...revoked, ...suspended] }
          : {};
  const rows = await store.awards.listSummaries({ ...recipient, achievementCode: filters.achievement, ...statusQuery, beforeSeq: page.beforeSeq, limit: page.limit });
  const statusOf = (id: string): AwardListStatus => (revoked.has(id) ? 'revoked' : suspended.has(id) ? 'suspended' : 'active');
  const ownCredentialUrl = (a: AwardSummary): string | null => (a.credentialId === credentialUrl(baseUrl, a.id) ? a.credentialId : null);
  return rows.map((a) => ({
    seq: a.seq,
    id: a.id,
    credentialId: a.credentialId,
    achievement: a.achievementCode,
    recipient: a.recipientDid !== null ? { id: a.recipientDid } : { email: a.recipientEmail ?? '' },
    name: a.recipientName,
    status: statusOf(a.id),
    createdAt: a.createdAt,
    links: { award: `${baseUrl}/awards/${a.id}`, credential: ownCredentialUrl(a) },
  }));
}
