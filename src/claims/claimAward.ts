// Collecting an award through its claim link: by a wallet (DID authentication, then the
// credential bound to the wallet's DID) or by downloading the JSON. Either spends the link, and
// neither hands out a revoked or suspended badge (checked in the spending transaction).
import type { LiveStatus } from '../pages/liveStatus.js';
import type { DocumentLoader } from '../signing/documentLoader.js';
import type { Issuer } from '../signing/issuer.js';
import type { JsonObject } from '../signing/suites.js';
import type { AwardRecord } from '../store/awards.js';
import type { ClaimLinkRecord } from '../store/claimLinks.js';
import type { Repositories, Store } from '../store/store.js';
import { bindCredentialToHolder, subjectDid } from './bindCredential.js';
import { assertLive, liveClaimLink } from './claimLink.js';
import { assertClaimable, awardLiveStatus, withholdsClaim } from './claimStatus.js';
import { verifyDidAuthentication } from './didAuth.js';
import { AwardNotClaimableError, ClaimGoneError, RecipientMismatchError } from './errors.js';

export interface ClaimDeps {
  store: Store;
  issuer: Issuer;
  baseUrl: string;
  /** Resolves wallet holders' DIDs: did:key and did:jwk offline, did:web through the guarded fetcher (default: the issuer's offline loader). */
  holderLoader?: DocumentLoader | undefined;
  now?: () => Date;
}

export interface ClaimView {
  link: ClaimLinkRecord;
  award: AwardRecord;
  /** The badge's live status (the claim page shows it; only a deliverable one is offered). */
  status: LiveStatus;
}

/** The award behind a live link, with its live status (for the claim page). */
export async function openClaim(deps: ClaimDeps, token: string): Promise<ClaimView> {
  const now = (deps.now ?? (() => new Date()))();
  return viewOf(deps, await liveClaimLink(deps.store, token, now), now);
}

/** As openDeliverableClaim, for a link found by its hash (an OID4VCI grant names its link so). */
export async function openDeliverableClaimByHash(deps: ClaimDeps, tokenHash: string): Promise<ClaimView> {
  const now = (deps.now ?? (() => new Date()))();
  const view = await viewOf(deps, assertLive(await deps.store.claimLinks.findByHash(tokenHash), now), now);
  if (withholdsClaim(view.status)) throw new AwardNotClaimableError(view.award.id, view.status.state);
  return view;
}

async function viewOf(deps: ClaimDeps, link: ClaimLinkRecord, now: Date): Promise<ClaimView> {
  const award = await deps.store.awards.find(link.awardId);
  // The foreign key guarantees the award; a miss here is a broken database.
  if (!award) throw new Error(`Claim link refers to a missing award ${link.awardId}`);
  return { link, award, status: await awardLiveStatus(deps.store, award, now) };
}

/** As openClaim, for a delivery step: throws AwardNotClaimableError for a revoked or suspended badge. */
export async function openDeliverableClaim(deps: ClaimDeps, token: string): Promise<ClaimView> {
  const view = await openClaim(deps, token);
  if (withholdsClaim(view.status)) throw new AwardNotClaimableError(view.award.id, view.status.state);
  return view;
}

/** The domain a wallet's DID authentication is bound to: this service's host. */
export const exchangeDomain = (baseUrl: string): string => new URL(baseUrl).host;

async function spendOrGone(deps: ClaimDeps, link: ClaimLinkRecord, award: AwardRecord, spentBy: string, now: Date, write: (tx: Repositories) => Promise<void>): Promise<void> {
  await deps.store.transaction(async (tx) => {
    // The last word on the status, in the transaction that spends: a revocation made while the
    // wallet was signing (or by another process) still stops the delivery.
    await assertClaimable(tx, award);
    // Collected through another link (an educator's one claim for everything, issue 16).
    const spent = await tx.claimLinks.findSpent(award.id);
    if (spent) throw new ClaimGoneError('spent', spent.spentAt ?? now.toISOString());
    if (!(await tx.claimLinks.spend(link.tokenHash, spentBy, now))) {
      // Another claim won the race (or the link expired meanwhile).
      throw new ClaimGoneError('spent', now.toISOString());
    }
    await write(tx);
  });
}

/**
 * Verifies the wallet's DID authentication and delivers the credential bound to its DID: an
 * email-only award is re-issued with `credentialSubject.id`; an award already naming a DID is
 * delivered only to that DID.
 */
export async function claimWithWallet(deps: ClaimDeps, token: string, presentation: unknown): Promise<JsonObject> {
  const { link, award } = await openDeliverableClaim(deps, token);
  const holder = await verifyDidAuthentication(presentation, {
    challenge: link.challenge,
    domain: exchangeDomain(deps.baseUrl),
    documentLoader: deps.holderLoader ?? deps.issuer.documentLoader,
  });
  return deliverToHolder(deps, { link, award }, holder, 'wallet');
}

/**
 * Delivers a claim to a holder whose DID was proven (DID authentication in the VC-API exchange,
 * a key proof in OID4VCI): an email-only award is re-issued with `credentialSubject.id`; an
 * award already naming a DID is delivered only to that DID. Spends the link.
 */
export async function deliverToHolder(deps: ClaimDeps, view: Pick<ClaimView, 'link' | 'award'>, holder: string, via: 'wallet' | 'oid4vci'): Promise<JsonObject> {
  const { link, award } = view;
  const bound = subjectDid(award.credential);
  if (bound && bound !== holder) throw new RecipientMismatchError(bound, holder);
  const now = (deps.now ?? (() => new Date()))();
  const credential = bound ? award.credential : await bindCredentialToHolder(deps.issuer, award.credential, holder, now);
  await spendOrGone(deps, link, award, holder, now, async (tx) => {
    if (!bound) await tx.awards.replaceCredential(award.id, credential);
    await tx.audit.record({
      actor: `wallet:${holder}`,
      action: 'award.claimed',
      subject: award.id,
      detail: { via, holder, reissued: !bound, credentialId: award.credentialId },
    });
  });
  return credential;
}

/** Spends the link and returns the credential as stored (for "download credential (.json)"). */
export async function claimByDownload(deps: ClaimDeps, token: string): Promise<{ award: AwardRecord; credential: JsonObject }> {
  const { link, award } = await openDeliverableClaim(deps, token);
  const now = (deps.now ?? (() => new Date()))();
  await spendOrGone(deps, link, award, 'download', now, async (tx) => {
    await tx.audit.record({ actor: 'claim-link', action: 'award.claimed', subject: award.id, detail: { via: 'download', credentialId: award.credentialId } });
  });
  return { award, credential: award.credential };
}
