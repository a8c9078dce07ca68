// One claim for everything an educator holds (issue 16): a claim link covering every unclaimed
// badge of one recipient (awards.recipient_key: the DID, or the email normalised) that is not
// revoked or suspended, and their current program record. Same secrets as an award's link (the
// token is HMAC(claim secret, link id), only its SHA-256 stored, src/claims/claimSecret.ts),
// same expiry, one live bundle per recipient (a newer one replaces it). The awards it covers are
// fixed when it is made; each is still checked when delivered (a badge revoked meanwhile is
// left out), and each is collected once, whichever link (the bundle or the award's own) wins:
// the unique index on spent links (migration 16) decides a race.
import { isClrCredential } from '../programs/clrCredential.js';
import { badgeFacts } from '../pages/badgeFacts.js';
import type { LiveStatus } from '../pages/liveStatus.js';
import type { JsonObject } from '../signing/suites.js';
import type { AwardRecord } from '../store/awards.js';
import { hashClaimToken, newClaimLinkId, type ClaimBundleRecord } from '../store/claimLinks.js';
import { UniqueConflictError } from '../store/errors.js';
import type { Repositories } from '../store/store.js';
import { bindCredentialToHolder, subjectDid } from './bindCredential.js';
import { exchangeDomain, type ClaimDeps } from './claimAward.js';
import { addClaimLink, claimPageUrl, DEFAULT_CLAIM_TTL_DAYS, ensureClaimLink, type ClaimLink, type ClaimLinkDeps } from './claimLink.js';
import { deriveClaimToken } from './claimSecret.js';
import { awardLiveStatus, claimBlock, withholdsClaim } from './claimStatus.js';
import { verifyDidAuthentication } from './didAuth.js';
import { AwardNotClaimableError, ClaimGoneError, ClaimNotFoundError, RecipientMismatchError } from './errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Nothing the bundle covers can be delivered any more (all collected, revoked or suspended): HTTP 409. */
export class NothingToClaimError extends Error {
  readonly code = 'nothing_to_claim';
  constructor(detail = 'Every credential this link covers was collected, revoked or suspended: there is nothing left to hand out') {
    super(detail);
  }
}

/** The award a credential identifier or a delivery names is not one this bundle covers. */
export class NotInBundleError extends Error {
  readonly code = 'not_in_bundle';
}

/** What the claim page and the mail say a credential is. */
export function credentialTitle(credential: JsonObject): string {
  if (isClrCredential(credential)) return typeof credential.name === 'string' ? credential.name : 'Program record';
  return badgeFacts(credential).achievementName;
}

/** A program record is current when every badge inside is neither revoked nor suspended (issue 15). */
async function recordIsCurrent(store: Repositories, award: AwardRecord): Promise<boolean> {
  const row = await store.programs.findRecord(award.id);
  if (!row) return true;
  for (const badge of row.badgeAwardIds) if ((await claimBlock(store, badge)) !== undefined) return false;
  return true;
}

/**
 * What a bundle for the recipient covers now: their awards neither revoked, suspended nor
 * collected, badges in the order awarded and records (ClrCredential) after them, a record only
 * while current.
 */
export async function bundleCandidates(store: Repositories, recipientKey: string): Promise<AwardRecord[]> {
  const badges: AwardRecord[] = [];
  const records: AwardRecord[] = [];
  for (const award of await store.awards.unclaimedOfRecipient(recipientKey)) {
    if ((await claimBlock(store, award.id)) !== undefined) continue;
    if (isClrCredential(award.credential)) {
      if (await recordIsCurrent(store, award)) records.push(award);
    } else badges.push(award);
  }
  return [...badges, ...records];
}

function rebuildBundle(deps: ClaimLinkDeps, bundle: ClaimBundleRecord): ClaimLink | undefined {
  const token = deriveClaimToken(deps.claimSecret, bundle.linkId);
  if (hashClaimToken(token) !== bundle.tokenHash) return undefined;
  return { url: claimPageUrl(deps.baseUrl, token), token, expiresAt: bundle.expiresAt };
}

/** Stores a new bundle for these awards, replacing the recipient's older live one. */
export async function addBundle(deps: ClaimLinkDeps, recipientKey: string, awardIds: readonly string[], tx: Repositories = deps.store): Promise<ClaimLink> {
  const now = (deps.now ?? (() => new Date()))();
  const linkId = newClaimLinkId();
  const token = deriveClaimToken(deps.claimSecret, linkId);
  const expires = new Date(now.getTime() + (deps.claimTtlDays ?? DEFAULT_CLAIM_TTL_DAYS) * DAY_MS);
  const record = await tx.claimLinks.insertBundle({ recipientKey, linkId, tokenHash: hashClaimToken(token), awardIds, createdAt: now, expiresAt: expires });
  return { url: claimPageUrl(deps.baseUrl, token), token, expiresAt: record.expiresAt };
}

export type RecipientClaim = { link: ClaimLink; awards: AwardRecord[]; bundle: boolean } | { unavailable: string };

/**
 * The one link a claim email carries for a recipient: for a single credential, that award's own
 * live link (so the link the POST /awards answer showed is the one mailed); for several, the
 * live bundle when it covers exactly them, else a new bundle (`fresh`: always a new link).
 */
export async function recipientClaimLink(deps: ClaimLinkDeps, recipientKey: string, options: { fresh?: boolean } = {}): Promise<RecipientClaim> {
  return deps.store.transaction(async (tx): Promise<RecipientClaim> => {
    const awards = await bundleCandidates(tx, recipientKey);
    if (awards.length === 0) return { unavailable: 'nothing-to-claim' };
    if (awards.length === 1) {
      const [award] = awards as [AwardRecord];
      if (options.fresh) {
        return { link: await addClaimLink(deps, award.id, tx), awards, bundle: false };
      }
      const claim = await ensureClaimLink(deps, award.id, tx);
      return claim.link ? { link: claim.link, awards, bundle: false } : { unavailable: claim.unavailable };
    }
    const ids = awards.map((a) => a.id);
    if (!options.fresh) {
      const live = await tx.claimLinks.findLiveBundle(recipientKey, (deps.now ?? (() => new Date()))());
      const same = live && live.awardIds.length === ids.length && live.awardIds.every((id, i) => id === ids[i]);
      const link = same ? rebuildBundle(deps, live) : undefined;
      if (link) return { link, awards, bundle: true };
    }
    return { link: await addBundle(deps, recipientKey, ids, tx), awards, bundle: true };
  });
}

/** One credential of a bundle as the claim page lists it. */
export interface BundleItem {
  award: AwardRecord;
  title: string;
  record: boolean;
  status: LiveStatus;
  /** Collected already (through this link or another): listed, not delivered again. */
  claimed: boolean;
}

export interface BundleView {
  bundle: ClaimBundleRecord;
  items: BundleItem[];
}

export function assertBundleLive(bundle: ClaimBundleRecord | undefined, now: Date): ClaimBundleRecord {
  if (!bundle) throw new ClaimNotFoundError();
  if (bundle.spentAt) throw new ClaimGoneError('spent', bundle.spentAt);
  if (bundle.replacedAt) throw new ClaimGoneError('replaced', bundle.replacedAt);
  if (bundle.expiresAt <= now.toISOString()) throw new ClaimGoneError('expired', bundle.expiresAt);
  return bundle;
}

async function itemsOf(store: Repositories, bundle: ClaimBundleRecord, now: Date): Promise<BundleItem[]> {
  const items: BundleItem[] = [];
  for (const id of bundle.awardIds) {
    const award = await store.awards.find(id);
    if (!award) throw new Error(`Claim bundle refers to a missing award ${id}`);
    const status = await awardLiveStatus(store, award, now);
    const claimed = (await store.claimLinks.findSpent(id)) !== undefined;
    items.push({ award, title: credentialTitle(award.credential), record: isClrCredential(award.credential), status, claimed });
  }
  return items;
}

/** The bundle a token names, live, with its credentials and their status (the claim page). */
export async function openBundle(deps: ClaimDeps, token: string): Promise<BundleView> {
  return openBundleByHash(deps, hashClaimToken(token));
}

export async function openBundleByHash(deps: ClaimDeps, tokenHash: string): Promise<BundleView> {
  const now = (deps.now ?? (() => new Date()))();
  const bundle = assertBundleLive(await deps.store.claimLinks.findBundleByHash(tokenHash), now);
  return { bundle, items: await itemsOf(deps.store, bundle, now) };
}

/** The items a delivery may hand out now: not collected, not withheld. */
export const deliverable = (view: BundleView): BundleItem[] => view.items.filter((i) => !i.claimed && !withholdsClaim(i.status));

/** A bundle is one recipient's: an award naming a DID goes only to that DID (as a single claim). */
function assertHolder(item: BundleItem, holder: string): void {
  const bound = subjectDid(item.award.credential);
  if (bound && bound !== holder) throw new RecipientMismatchError(bound, holder);
}

async function bindAll(deps: ClaimDeps, items: readonly BundleItem[], holder: string, now: Date): Promise<Map<string, JsonObject>> {
  const bound = new Map<string, JsonObject>();
  for (const item of items) {
    assertHolder(item, holder);
    // Each is re-issued bound to the holder's DID, the program record too (src/claims/bindCredential.ts).
    bound.set(item.award.id, subjectDid(item.award.credential) ? item.award.credential : await bindCredentialToHolder(deps.issuer, item.award.credential, holder, now));
  }
  return bound;
}

/**
 * Writes the collection of these awards through the bundle, inside the caller's transaction:
 * each is checked again (a revocation made while the wallet signed leaves that one out), its
 * spent link recorded, its credential replaced by the bound one, and audited. Returns the ids
 * delivered.
 */
async function recordDeliveries(tx: Repositories, bundle: ClaimBundleRecord, bound: Map<string, JsonObject>, holder: string, via: 'wallet' | 'oid4vci', now: Date): Promise<string[]> {
  const delivered: string[] = [];
  for (const [awardId, credential] of bound) {
    if ((await claimBlock(tx, awardId)) !== undefined) continue;
    if (await tx.claimLinks.findSpent(awardId)) continue;
    const award = await tx.awards.find(awardId);
    if (!award) continue;
    try {
      await tx.claimLinks.spendAwardThroughBundle(awardId, bundle.tokenHash, holder, now, bundle.expiresAt);
    } catch (error) {
      if (error instanceof UniqueConflictError) throw new ClaimGoneError('spent', now.toISOString());
      throw error;
    }
    const reissued = !subjectDid(award.credential);
    if (reissued) await tx.awards.replaceCredential(awardId, credential);
    await tx.audit.record({ actor: `wallet:${holder}`, action: 'award.claimed', subject: awardId, detail: { via, holder, reissued, credentialId: award.credentialId, bundle: true } });
    delivered.push(awardId);
  }
  return delivered;
}

/**
 * The VC-API exchange of a bundle: verifies the wallet's DID authentication and delivers every
 * deliverable credential bound to its DID, spending the bundle, in one transaction. The
 * credentials come back in the bundle's order (badges, then the record).
 */
export async function claimBundleWithWallet(deps: ClaimDeps, token: string, presentation: unknown): Promise<JsonObject[]> {
  const view = await openBundle(deps, token);
  const holder = await verifyDidAuthentication(presentation, {
    challenge: view.bundle.challenge,
    domain: exchangeDomain(deps.baseUrl),
    documentLoader: deps.holderLoader ?? deps.issuer.documentLoader,
  });
  return deliverBundle(deps, view, holder, 'wallet');
}

export async function deliverBundle(deps: ClaimDeps, view: BundleView, holder: string, via: 'wallet' | 'oid4vci'): Promise<JsonObject[]> {
  const items = deliverable(view);
  if (items.length === 0) throw new NothingToClaimError();
  const now = (deps.now ?? (() => new Date()))();
  const bound = await bindAll(deps, items, holder, now);
  const delivered = await deps.store.transaction(async (tx) => {
    if (!(await tx.claimLinks.spendBundle(view.bundle.tokenHash, holder, now))) throw new ClaimGoneError('spent', now.toISOString());
    const ids = await recordDeliveries(tx, view.bundle, bound, holder, via, now);
    // Everything was revoked or collected while the wallet signed: nothing is spent.
    if (ids.length === 0) throw new NothingToClaimError();
    return ids;
  });
  return delivered.map((id) => bound.get(id) as JsonObject);
}

/**
 * One credential of a bundle for an OID4VCI credential request (§8: one credential per
 * request). The first request spends the bundle (bound to its holder); later requests by the
 * same holder (`grantRedeemedAt` before the spending, so the same grant) collect the others, or
 * get a credential they collected again (another format). Anyone else is refused.
 */
export async function deliverBundleItem(deps: ClaimDeps, bundleHash: string, awardId: string, holder: string, grantRedeemedAt: string | null): Promise<JsonObject> {
  const now = (deps.now ?? (() => new Date()))();
  const bundle = await deps.store.claimLinks.findBundleByHash(bundleHash);
  if (!bundle) throw new ClaimNotFoundError();
  if (!bundle.awardIds.includes(awardId)) throw new NotInBundleError('This credential is not one the claim link covers');
  const ours = bundle.spentAt !== null && bundle.spentBy === holder && grantRedeemedAt !== null && grantRedeemedAt <= bundle.spentAt;
  if (bundle.spentAt && !ours) throw new ClaimGoneError('spent', bundle.spentAt);
  if (!bundle.spentAt) assertBundleLive(bundle, now);
  const items = await itemsOf(deps.store, bundle, now);
  const item = items.find((i) => i.award.id === awardId) as BundleItem;
  if (withholdsClaim(item.status)) throw new AwardNotClaimableError(awardId, item.status.state);
  if (item.claimed) {
    const spent = await deps.store.claimLinks.findSpent(awardId);
    // Collected by this holder through this bundle: the same bound credential again.
    if (ours && spent?.bundleHash === bundle.tokenHash && spent.spentBy === holder) return item.award.credential;
    throw new ClaimGoneError('spent', spent?.spentAt ?? now.toISOString());
  }
  const bound = await bindAll(deps, [item], holder, now);
  await deps.store.transaction(async (tx) => {
    if (!ours && !(await tx.claimLinks.spendBundle(bundle.tokenHash, holder, now))) throw new ClaimGoneError('spent', now.toISOString());
    const ids = await recordDeliveries(tx, bundle, bound, holder, 'oid4vci', now);
    if (ids.length === 0) throw new NothingToClaimError('This credential was revoked, suspended or collected meanwhile');
  });
  return bound.get(awardId) as JsonObject;
}
