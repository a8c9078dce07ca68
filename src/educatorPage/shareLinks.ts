// Share links (issue 16): an educator picks some of their badges and records and gets a public
// link a verifier can open, until it expires or the educator withdraws it. The token is
// HMAC-SHA256(claim secret, "share-link" + row id) (like a claim link's, src/claims/claimSecret.ts),
// so the owner's page can show the link again, while the database holds only its SHA-256 and
// the id: a copy of the database opens no share link.
//
// The set as JSON is an unsigned W3C VC 2.0 presentation (VC Data Model 2.0 §4.13: `@context`,
// `type: VerifiablePresentation`, `verifiableCredential`, no `proof`, no `holder`): every
// credential inside carries its own issuer proof and a verifier checks each; nothing proves who
// presents them (the service makes the set on the educator's behalf), so a verifier that needs
// holder binding asks the educator's wallet for a presentation instead.
import { createHmac, randomUUID, type KeyObject } from 'node:crypto';
import { VC_V2_CONTEXT } from '../credentials/openBadge.js';
import type { AwardRecord } from '../store/awards.js';
import type { ShareLinkRow } from '../store/educatorPages.js';
import type { Repositories, Store } from '../store/store.js';
import { hashSecret } from './signIn.js';

export const SHARE_DEFAULT_DAYS = 30;
export const SHARE_MAX_DAYS = 365;
export const SHARE_MAX_ITEMS = 50;

export const shareToken = (secret: KeyObject, id: string): string => createHmac('sha256', secret).update(`share-link\0${id}`, 'utf8').digest('base64url');
export const shareUrl = (baseUrl: string, token: string): string => `${baseUrl}/shared/${token}`;

export class ShareRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ShareRequest {
  awardIds: readonly string[];
  days: number;
  label?: string | undefined;
}

/** Makes a share link of the subject's own awards; refuses any award that is not theirs. */
export async function createShareLink(store: Store, secret: KeyObject, subject: string, request: ShareRequest, now: Date): Promise<{ row: ShareLinkRow; token: string }> {
  const ids = [...new Set(request.awardIds)];
  if (ids.length === 0) throw new ShareRequestError('awards', 'Choose at least one badge or record to share.');
  if (ids.length > SHARE_MAX_ITEMS) throw new ShareRequestError('awards', `A share link holds at most ${SHARE_MAX_ITEMS} badges and records.`);
  if (!Number.isInteger(request.days) || request.days < 1 || request.days > SHARE_MAX_DAYS) throw new ShareRequestError('days', `days: a whole number of days from 1 to ${SHARE_MAX_DAYS}.`);
  const label = request.label?.trim() || null;
  if (label && label.length > 100) throw new ShareRequestError('label', 'label: at most 100 characters.');
  return store.transaction(async (tx) => {
    const own = new Set((await tx.awards.listForSubject(subject)).map((a) => a.id));
    const foreign = ids.filter((id) => !own.has(id));
    if (foreign.length > 0) throw new ShareRequestError('awards', 'Only your own badges and records can be shared.');
    const id = randomUUID();
    const token = shareToken(secret, id);
    const row = { id, tokenHash: hashSecret(token), subject, label, awardIds: ids, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + request.days * 86_400_000).toISOString() };
    await tx.educatorPages.insertShare(row);
    await tx.audit.record({ actor: `educator:${hashSecret(subject).slice(0, 16)}`, action: 'share_link.created', subject: `share:${id}`, detail: { items: ids.length, expiresAt: row.expiresAt } });
    return { row: { ...row, withdrawnAt: null }, token };
  });
}

export type OpenedShare = { state: 'open'; row: ShareLinkRow; awards: AwardRecord[] } | { state: 'withdrawn' | 'expired'; at: string } | { state: 'unknown' };

/** The share link of a token with its awards (in the order chosen), or why it is gone. */
export async function openShareLink(store: Repositories, token: string, now: Date): Promise<OpenedShare> {
  if (token.length > 200) return { state: 'unknown' };
  const row = await store.educatorPages.findShareByTokenHash(hashSecret(token));
  if (!row) return { state: 'unknown' };
  if (row.withdrawnAt) return { state: 'withdrawn', at: row.withdrawnAt };
  if (row.expiresAt <= now.toISOString()) return { state: 'expired', at: row.expiresAt };
  const awards: AwardRecord[] = [];
  for (const id of row.awardIds) {
    const award = await store.awards.find(id);
    if (award) awards.push(award);
  }
  return { state: 'open', row, awards };
}

/** The set as an unsigned VC 2.0 presentation (see the header). */
export function sharePresentation(url: string, awards: readonly AwardRecord[]): Record<string, unknown> {
  return { '@context': [VC_V2_CONTEXT], id: url, type: ['VerifiablePresentation'], verifiableCredential: awards.map((a) => a.credential) };
}
