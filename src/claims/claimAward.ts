// Collecting an award through its claim link: by a wallet (DID authentication, then the
// credential bound to the wallet's DID) or by downloading the JSON. Either spends the link.
import type { Issuer } from '../signing/issuer.js';
import type { JsonObject } from '../signing/suites.js';
import { recordAudit } from '../store/audit.js';
import { findAward, type AwardRecord } from '../store/awards.js';
import { replaceAwardCredential, spendClaimLink, type ClaimLinkRecord } from '../store/claimLinks.js';
import type { Db } from '../store/db.js';
import { bindCredentialToHolder, subjectDid } from './bindCredential.js';
import { liveClaimLink } from './claimLink.js';
import { verifyDidAuthentication } from './didAuth.js';
import { ClaimGoneError, RecipientMismatchError } from './errors.js';

export interface ClaimDeps {
  db: Db;
  issuer: Issuer;
  baseUrl: string;
  now?: () => Date;
}

export interface ClaimView {
  link: ClaimLinkRecord;
  award: AwardRecord;
}

/** The award behind a live link (for the claim page and the exchange's first message). */
export function openClaim(deps: ClaimDeps, token: string): ClaimView {
  const link = liveClaimLink(deps.db, token, (deps.now ?? (() => new Date()))());
  const award = findAward(deps.db, link.awardId);
  // The foreign key guarantees the award; a miss here is a broken database.
  if (!award) throw new Error(`Claim link refers to a missing award ${link.awardId}`);
  return { link, award };
}

/** The domain a wallet's DID authentication is bound to: this service's host. */
export const exchangeDomain = (baseUrl: string): string => new URL(baseUrl).host;

function spendOrGone(deps: ClaimDeps, link: ClaimLinkRecord, spentBy: string, now: Date, write: () => void): void {
  deps.db.transaction(() => {
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
  const { link, award } = openClaim(deps, token);
  const holder = await verifyDidAuthentication(presentation, {
    challenge: link.challenge,
    domain: exchangeDomain(deps.baseUrl),
    documentLoader: deps.issuer.documentLoader,
  });
  const bound = subjectDid(award.credential);
  if (bound && bound !== holder) throw new RecipientMismatchError(bound, holder);
  const now = (deps.now ?? (() => new Date()))();
  const credential = bound ? award.credential : await bindCredentialToHolder(deps.issuer, award.credential, holder, now);
  spendOrGone(deps, link, holder, now, () => {
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
  const { link, award } = openClaim(deps, token);
  const now = (deps.now ?? (() => new Date()))();
  spendOrGone(deps, link, 'download', now, () => {
    recordAudit(deps.db, { actor: 'claim-link', action: 'award.claimed', subject: award.id, detail: { via: 'download', credentialId: award.credentialId } });
  });
  return { award, credential: award.credential };
}
