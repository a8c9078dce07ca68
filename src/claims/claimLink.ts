// Claim links for awards: creating one (POST /awards does, with every replay), its URLs (the
// claim page, the VC-API exchange, the wallet deep links) and the state of a presented token.
import { findSpentClaimLink, findClaimLink, insertClaimLink, type ClaimLinkRecord } from '../store/claimLinks.js';
import type { Db } from '../store/db.js';
import { ClaimGoneError, ClaimNotFoundError } from './errors.js';

export const DEFAULT_CLAIM_TTL_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ClaimLinkDeps {
  db: Db;
  baseUrl: string;
  claimTtlDays?: number | undefined;
  now?: () => Date;
}

export interface ClaimLink {
  url: string;
  token: string;
  expiresAt: string;
}

export const claimPageUrl = (baseUrl: string, token: string): string => `${baseUrl}/claim/${token}`;
/** The VC-API exchange endpoint a wallet POSTs to; the token is the exchange id. */
export const exchangeUrl = (baseUrl: string, token: string): string => `${baseUrl}/exchanges/${token}`;

/**
 * A fresh link for an award. The token is stored hashed, so an earlier link cannot be shown
 * again: a new one replaces the older unspent one (an idempotent replay of POST /awards thus
 * returns a new working link and retires the previous). Once the award has been claimed, no
 * new link is made (undefined): the badge already went to its holder.
 */
export function createClaimLink(deps: ClaimLinkDeps, awardId: string): ClaimLink | undefined {
  if (findSpentClaimLink(deps.db, awardId)) return undefined;
  const now = (deps.now ?? (() => new Date()))();
  const expires = new Date(now.getTime() + (deps.claimTtlDays ?? DEFAULT_CLAIM_TTL_DAYS) * DAY_MS);
  const { token, record } = insertClaimLink(deps.db, awardId, now, expires);
  return { url: claimPageUrl(deps.baseUrl, token), token, expiresAt: record.expiresAt };
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

/**
 * The claim fields of a POST /awards response: `claimUrl` (null once the award was claimed)
 * and `claimExpiresAt`.
 */
export function claimLinkFields(deps: ClaimLinkDeps, awardId: string): { claimUrl: string | null; claimExpiresAt?: string } {
  const link = createClaimLink(deps, awardId);
  return link ? { claimUrl: link.url, claimExpiresAt: link.expiresAt } : { claimUrl: null };
}
