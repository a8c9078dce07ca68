// Collecting an award through its claim link: by a wallet (DID authentication, then the
// credential bound to the wallet's DID) or by downloading the JSON. Either spends the link, and
// neither hands out a revoked or suspended badge (checked in the spending transaction).
import type { LiveStatus } from '../pages/liveStatus.js';
import type { Issuer } from '../signing/issuer.js';
import type { JsonObject } from '../signing/suites.js';
import { recordAudit } from '../store/audit.js';
import { findAward, type AwardRecord } from '../store/awards.js';
import { replaceAwardCredential, spendClaimLink, type ClaimLinkRecord } from '../store/claimLinks.js';
import type { Db } from '../store/db.js';
import { bindCredentialToHolder, subjectDid } from './bindCredential.js';
import { liveClaimLink } from './claimLink.js';
import { assertClaimable, awardLiveStatus, withholdsClaim } from './claimStatus.js';
import { verifyDidAuthentication } from './didAuth.js';
import { AwardNotClaimableError, ClaimGoneError, RecipientMismatchError } from './errors.js';

export interface ClaimDeps {
  db: Db;
  issuer: Issuer;
  baseUrl: string;
  now?: () => Date;
}

export interface ClaimView {
  link: ClaimLinkRecord;
  award: AwardRecord;
  /** The badge's live status (the claim page shows it; only a deliverable one is offered). */
  status: LiveStatus;
}

/** The award behind a live link, with its live status (for the claim page). */
export function openClaim(deps: ClaimDeps, token: string): ClaimView {
  const now = (deps.now ?? (() => new Date()))();
  const link = liveClaimLink(deps.db, token, now);
  const award = findAward(deps.db, link.awardId);
  // The foreign key guarantees the award; a miss here is a broken database.
  if (!award) throw new Error(`Claim link refers to a missing award ${link.awardId}`);
  return { link, award, status: awardLiveStatus(deps.db, award, now) };
}

/** As openClaim, for a delivery step: throws AwardNotClaimableError for a revoked or suspended badge. */
export function openDeliverableClaim(deps: ClaimDeps, token: string): ClaimView {
  const view = openClaim(deps, token);
  if (withholdsClaim(view.status)) throw new AwardNotClaimableError(view.award.id, view.status.state);
  return view;
}

/** The domain a wallet's DID authentication is bound to: this service's host. */
export const exchangeDomain = (baseUrl: string): string => new URL(baseUrl).host;

function spendOrGone(deps: ClaimDeps, link: ClaimLinkRecord, award: AwardRecord, spentBy: string, now: Date, write: () => void): void {
  deps.db.transaction(() => {
    // The last word on the status, in the transaction that spends: a revocation made while the
    // wallet was signing (or by another process) still stops the delivery.
    assertClaimable(deps.db, award);
    if (!spendClaimLink(deps.db, link.tokenHash, spentBy, now)) {
      // Another claim won the race (or the link expired meanwhile).
      throw new ClaimGoneError('spent', now.toISOString());
    }
    write();
  }).immediate();
}

/**
 * Verifies the wallet's DID authentication and delivers the credential bound to its DID: an
 * email-only award is re-issued with `credentialSubject.id`; an award already naming a DID is
 * delivered only to that DID.
 */
export async function claimWithWallet(deps: ClaimDeps, token: string, presentation: unknown): Promise<JsonObject> {
  const { link, award } = openDeliverableClaim(deps, token);
  const holder = await verifyDidAuthentication(presentation, {
    challenge: link.challenge,
    domain: exchangeDomain(deps.baseUrl),
    documentLoader: deps.issuer.documentLoader,
  });
  const bound = subjectDid(award.credential);
  if (bound && bound !== holder) throw new RecipientMismatchError(bound, holder);
  const now = (deps.now ?? (() => new Date()))();
  const credential = bound ? award.credential : await bindCredentialToHolder(deps.issuer, award.credential, holder, now);
  spendOrGone(deps, link, award, holder, now, () => {
    if (!bound) replaceAwardCredential(deps.db, award.id, credential);
    recordAudit(deps.db, {
      actor: `wallet:${holder}`,
      action: 'award.claimed',
      subject: award.id,
      detail: { via: 'wallet', holder, reissued: !bound, credentialId: award.credentialId },
    });
  });
  return credential;
}

/** Spends the link and returns the credential as stored (for "download credential (.json)"). */
export function claimByDownload(deps: ClaimDeps, token: string): { award: AwardRecord; credential: JsonObject } {
  const { link, award } = openDeliverableClaim(deps, token);
  const now = (deps.now ?? (() => new Date()))();
  spendOrGone(deps, link, award, 'download', now, () => {
    recordAudit(deps.db, { actor: 'claim-link', action: 'award.claimed', subject: award.id, detail: { via: 'download', credentialId: award.credentialId } });
  });
  return { award, credential: award.credential };
}
