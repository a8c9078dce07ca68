// Claim links for awards: the award's live link (rebuilt from its link id, never stored in
// plaintext), making one (POST /awards, batches, the CLI, POST /awards/:id/claim-links), its
// URLs (the claim page, the VC-API exchange, the wallet deep links) and the state of a
// presented token. No link is made or handed out for a badge that was collected, revoked or
// suspended (src/claims/claimStatus.ts).
import type { KeyObject } from 'node:crypto';
import { findClaimLink, findLiveClaimLinkOfAward, findSpentClaimLink, hashClaimToken, insertClaimLink, newClaimLinkId, type ClaimLinkRecord } from '../store/claimLinks.js';
import type { Db } from '../store/db.js';
import { deriveClaimToken } from './claimSecret.js';
import { claimBlock, type StatusListCache } from './claimStatus.js';
import { ClaimGoneError, ClaimNotFoundError, type ClaimUnavailableReason } from './errors.js';

export const DEFAULT_CLAIM_TTL_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ClaimLinkDeps {
  db: Db;
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
function withheld(deps: ClaimLinkDeps, awardId: string, lists?: StatusListCache): ClaimUnavailableReason | undefined {
  if (findSpentClaimLink(deps.db, awardId)) return 'claimed';
  const block = claimBlock(deps.db, awardId, lists);
  return block === 'unknown' ? 'status-unknown' : block;
}

/**
 * Stores a new link for an award (replacing its older unspent one) without any check: for a
 * new award inside its own transaction (`onStored`), or after the checks below.
 */
export function addClaimLink(deps: ClaimLinkDeps, awardId: string): ClaimLink {
  const now = nowOf(deps);
  const expires = new Date(now.getTime() + (deps.claimTtlDays ?? DEFAULT_CLAIM_TTL_DAYS) * DAY_MS);
  const linkId = newClaimLinkId();
  const token = deriveClaimToken(deps.claimSecret, linkId);
  const record = insertClaimLink(deps.db, { awardId, linkId, tokenHash: hashClaimToken(token), createdAt: now, expiresAt: expires });
  return { url: claimPageUrl(deps.baseUrl, token), token, expiresAt: record.expiresAt };
}

/**
 * The award's current live link (URL and expiry), rebuilt without creating anything; for a
 * collected, revoked or suspended badge the reason instead, and `no-live-link` when its link
 * expired, was never made, or was made before link ids (then only a new link helps).
 */
export function currentClaimLink(deps: ClaimLinkDeps, awardId: string, lists?: StatusListCache): AwardClaimLink {
  const now = nowOf(deps);
  const reason = withheld(deps, awardId, lists);
  if (reason) return { unavailable: reason };
  const live = findLiveClaimLinkOfAward(deps.db, awardId, now);
  const link = live && rebuild(deps, live);
  return link ? { link, created: false } : { unavailable: 'no-live-link' };
}

/**
 * The award's live link, or a new one when it has none that can be rebuilt: what a replay of
 * POST /awards, a batch row and the CLI hand out, so the link sent first keeps working.
 */
export function ensureClaimLink(deps: ClaimLinkDeps, awardId: string): AwardClaimLink {
  return deps.db
    .transaction((): AwardClaimLink => {
      const current = currentClaimLink(deps, awardId);
      if (current.link || current.unavailable !== 'no-live-link') return current;
      return { link: addClaimLink(deps, awardId), created: true };
    })
    .immediate();
}

/** A new link for the award, replacing its older unspent one (POST /awards/:id/claim-links). */
export function replaceClaimLink(deps: ClaimLinkDeps, awardId: string): ClaimLinkOutcome<ClaimUnavailableReason> {
  return deps.db
    .transaction((): ClaimLinkOutcome<ClaimUnavailableReason> => {
      const reason = withheld(deps, awardId);
      return reason ? { unavailable: reason } : { link: addClaimLink(deps, awardId), created: true };
    })
    .immediate();
}

/** currentClaimLink for many awards (a batch's rows), reading each status list once. */
export function currentClaimLinks(deps: ClaimLinkDeps, awardIds: readonly string[]): Map<string, AwardClaimLink> {
  const lists: StatusListCache = new Map();
  return new Map(awardIds.map((id) => [id, currentClaimLink(deps, id, lists)]));
}

/** The claim fields of an award answer: `claimUrl` and `claimExpiresAt`, or `claimUrl: null` and `claimUnavailable`. */
export function claimLinkFields(claim: AwardClaimLink): { claimUrl: string | null; claimExpiresAt?: string; claimUnavailable?: string } {
  return claim.link ? { claimUrl: claim.link.url, claimExpiresAt: claim.link.expiresAt } : { claimUrl: null, claimUnavailable: claim.unavailable };
}

/** The live link for a token, or the reason it cannot be used. */
export function liveClaimLink(db: Db, token: string, now = new Date()): ClaimLinkRecord {
  const link = findClaimLink(db, token);
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
