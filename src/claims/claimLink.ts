// Claim links for awards: the award's live link (rebuilt from its link id, never stored in
// plaintext), making one (POST /awards, batches, the CLI, POST /awards/:id/claim-links), its
// URLs (the claim page, the VC-API exchange, the wallet deep links) and the state of a
// presented token. No link is made or handed out for a badge that was collected, revoked or
// suspended (src/claims/claimStatus.ts).
import type { KeyObject } from 'node:crypto';
import { hashClaimToken, newClaimLinkId, type ClaimLinkRecord } from '../store/claimLinks.js';
import type { Repositories, Store } from '../store/store.js';
import { deriveClaimToken } from './claimSecret.js';
import { claimBlock, type StatusListCache } from './claimStatus.js';
import { ClaimGoneError, ClaimNotFoundError, type ClaimUnavailableReason } from './errors.js';

export const DEFAULT_CLAIM_TTL_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ClaimLinkDeps {
  store: Store;
  baseUrl: string;
  /** The secret tokens are derived from (src/claims/claimSecret.ts). */
  claimSecret: KeyObject;
  claimTtlDays?: number | undefined;
  now?: () => Date;
}

export interface ClaimLink {
  url: string;
  token: string;
  expiresAt: string;
}

/** An award's claim link (`created` when made by this call), or why it has none to hand out. */
export type ClaimLinkOutcome<Reason extends string> = { link: ClaimLink; created: boolean; unavailable?: undefined } | { link?: undefined; unavailable: Reason };
/** `no-live-link`: no live link that can be rebuilt (expired, never made, or made before link ids). */
export type AwardClaimLink = ClaimLinkOutcome<ClaimUnavailableReason | 'no-live-link'>;

export const claimPageUrl = (baseUrl: string, token: string): string => `${baseUrl}/claim/${token}`;
/** The VC-API exchange endpoint a wallet POSTs to; the token is the exchange id. */
export const exchangeUrl = (baseUrl: string, token: string): string => `${baseUrl}/exchanges/${token}`;

const nowOf = (deps: ClaimLinkDeps): Date => (deps.now ?? (() => new Date()))();

/** The link a record stands for, when its token can be derived again (made with link ids, same secret). */
function rebuild(deps: ClaimLinkDeps, record: ClaimLinkRecord): ClaimLink | undefined {
  if (!record.linkId) return undefined;
  const token = deriveClaimToken(deps.claimSecret, record.linkId);
  // Another secret (the key file was replaced) yields another token: that link cannot be rebuilt.
  if (hashClaimToken(token) !== record.tokenHash) return undefined;
  return { url: claimPageUrl(deps.baseUrl, token), token, expiresAt: record.expiresAt };
}

/** Why an award gets no link, before looking at its links: collected, revoked, suspended. */
async function withheld(store: Repositories, awardId: string, lists?: StatusListCache): Promise<ClaimUnavailableReason | undefined> {
  if (await store.claimLinks.findSpent(awardId)) return 'claimed';
  const block = await claimBlock(store, awardId, lists);
  return block === 'unknown' ? 'status-unknown' : block;
}

/**
 * Stores a new link for an award (replacing its older unspent one) without any check: for a
 * new award inside its own transaction (`onStored`, through `tx`), or after the checks below.
 */
export async function addClaimLink(deps: ClaimLinkDeps, awardId: string, tx: Repositories = deps.store): Promise<ClaimLink> {
  const now = nowOf(deps);
  const expires = new Date(now.getTime() + (deps.claimTtlDays ?? DEFAULT_CLAIM_TTL_DAYS) * DAY_MS);
  const linkId = newClaimLinkId();
  const token = deriveClaimToken(deps.claimSecret, linkId);
  const record = await tx.claimLinks.insert({ awardId, linkId, tokenHash: hashClaimToken(token), createdAt: now, expiresAt: expires });
  return { url: claimPageUrl(deps.baseUrl, token), token, expiresAt: record.expiresAt };
}

/**
 * The award's current live link (URL and expiry), rebuilt without creating anything; for a
 * collected, revoked or suspended badge the reason instead, and `no-live-link` when its link
 * expired, was never made, or was made before link ids (then only a new link helps).
 */
export async function currentClaimLink(deps: ClaimLinkDeps, awardId: string, lists?: StatusListCache, tx: Repositories = deps.store): Promise<AwardClaimLink> {
  const now = nowOf(deps);
  const reason = await withheld(tx, awardId, lists);
  if (reason) return { unavailable: reason };
  const live = await tx.claimLinks.findLiveOfAward(awardId, now);
  const link = live && rebuild(deps, live);
  return link ? { link, created: false } : { unavailable: 'no-live-link' };
}

/**
 * The award's live link, or a new one when it has none that can be rebuilt: what a replay of
 * POST /awards, a batch row and the CLI hand out, so the link sent first keeps working.
 */
export async function ensureClaimLink(deps: ClaimLinkDeps, awardId: string, tx?: Repositories): Promise<AwardClaimLink> {
  const ensure = async (t: Repositories): Promise<AwardClaimLink> => {
    const current = await currentClaimLink(deps, awardId, undefined, t);
    if (current.link || current.unavailable !== 'no-live-link') return current;
    return { link: await addClaimLink(deps, awardId, t), created: true };
  };
  return tx ? ensure(tx) : deps.store.transaction(ensure);
}

/** A new link for the award, replacing its older unspent one (POST /awards/:id/claim-links). */
export async function replaceClaimLink(deps: ClaimLinkDeps, awardId: string): Promise<ClaimLinkOutcome<ClaimUnavailableReason>> {
  return deps.store.transaction(async (tx): Promise<ClaimLinkOutcome<ClaimUnavailableReason>> => {
    const reason = await withheld(tx, awardId);
    return reason ? { unavailable: reason } : { link: await addClaimLink(deps, awardId, tx), created: true };
  });
}

/** currentClaimLink for many awards (a batch's rows), reading each status list once. */
export async function currentClaimLinks(deps: ClaimLinkDeps, awardIds: readonly string[]): Promise<Map<string, AwardClaimLink>> {
  const lists: StatusListCache = new Map();
  const links = new Map<string, AwardClaimLink>();
  for (const id of awardIds) links.set(id, await currentClaimLink(deps, id, lists));
  return links;
}

/** The claim fields of an award answer: `claimUrl` and `claimExpiresAt`, or `claimUrl: null` and `claimUnavailable`. */
export function claimLinkFields(claim: AwardClaimLink): { claimUrl: string | null; claimExpiresAt?: string; claimUnavailable?: string } {
  return claim.link ? { claimUrl: claim.link.url, claimExpiresAt: claim.link.expiresAt } : { claimUrl: null, claimUnavailable: claim.unavailable };
}

/** The live link for a token, or the reason it cannot be used. */
export async function liveClaimLink(store: Repositories, token: string, now = new Date()): Promise<ClaimLinkRecord> {
  return assertLive(await store.claimLinks.find(token), now);
}

/** The link itself when it is live, or the reason it cannot be used (spent, replaced, expired). */
export function assertLive(link: ClaimLinkRecord | undefined, now: Date): ClaimLinkRecord {
  if (!link) throw new ClaimNotFoundError();
  if (link.spentAt) throw new ClaimGoneError('spent', link.spentAt);
  if (link.replacedAt) throw new ClaimGoneError('replaced', link.replacedAt);
  if (link.expiresAt <= now.toISOString()) throw new ClaimGoneError('expired', link.expiresAt);
  return link;
}

export interface WalletLinks {
  /** The Learner Credential Wallet's custom-scheme deep link (also what its QR scanner reads). */
  deepLink: string;
  /** The same request as an https link LCW's site hands to the app (for phones without the scheme registered yet). */
  lcwAppLink: string;
}

/**
 * The deep link LCW documents for issuers: `auth_type=bearer` means "answer the challenge with
 * a DID-authentication presentation", posted to `vc_request_url`. `issuer` is shown by the
 * wallet, so it is the issuing service's host.
 */
export function walletLinks(baseUrl: string, token: string, challenge: string): WalletLinks {
  const params = new URLSearchParams({
    issuer: new URL(baseUrl).host,
    vc_request_url: exchangeUrl(baseUrl, token),
    challenge,
    auth_type: 'bearer',
  }).toString();
  return { deepLink: `dccrequest://request?${params}`, lcwAppLink: `https://lcw.app/request.html?${params}` };
}
