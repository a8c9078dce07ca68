// `educred keys reissue --key KEY-ID`: every credential in the store with a proof by that key
// (badges, bound copies, VC-API credentials: the awards table holds them all) is signed again with
// the current key: same id, same content and status entries, a new proof by the current key in
// place of the old one (other proofs of a set are kept). Each credential is replaced in a
// transaction of its own, only if it is still the one that was re-signed (a claim binding it
// meanwhile wins, and the next run picks it up). With mail configured, each educator whose badge
// can still be claimed gets a new claim link by email (the mail outbox). Status lists signed by
// the key are made due and signed again with the current key.
import type { ProofSuiteName } from '../config.js';
import { addClaimLink, currentClaimLink } from '../claims/claimLink.js';
import type { Runtime } from '../runtime.js';
import { resolveKeyId, IssuerKeyChangeError } from '../signing/rotation.js';
import type { JsonObject } from '../signing/suites.js';
import { createStatusListPublisher } from '../status/publisher.js';

export interface ReissueReport {
  key: string;
  /** The key that signed the new proofs. */
  signedWith: string;
  reissued: number;
  /** Award ids re-signed. */
  awards: string[];
  /** Claim emails queued with a new link (0 without mail). */
  claimEmails: number;
  statusListsResigned: number;
}

const proofsOf = (credential: JsonObject): JsonObject[] => {
  const proof = credential.proof;
  return (Array.isArray(proof) ? proof : proof === undefined ? [] : [proof]).filter((p): p is JsonObject => typeof p === 'object' && p !== null);
};

/** The proof suite a proof was made with, so the new proof is of the same kind. */
function suiteOf(proof: JsonObject): ProofSuiteName | undefined {
  if (proof.type === 'Ed25519Signature2020') return 'Ed25519Signature2020';
  if (proof.type === 'DataIntegrityProof' && (proof.cryptosuite === 'eddsa-rdfc-2022' || proof.cryptosuite === 'eddsa-jcs-2022')) return proof.cryptosuite;
  return undefined;
}

export async function reissueCredentials(runtime: Runtime, keyId: string, options: { pageSize?: number } = {}): Promise<ReissueReport> {
  const { store, issuer } = runtime;
  const { did } = issuer.identity;
  const key = await resolveKeyId(store, did, keyId);
  const signing = await issuer.signingKey({ fresh: true });
  if (signing.verificationMethod === key.id) throw new IssuerKeyChangeError(`${key.id} is the current signing key: rotate first (educred keys rotate), then reissue what it signed`);
  const claimDeps = { store, baseUrl: runtime.config.baseUrl, claimSecret: runtime.claimSecret, claimTtlDays: runtime.claimTtlDays };
  const report: ReissueReport = { key: key.id, signedWith: signing.verificationMethod, reissued: 0, awards: [], claimEmails: 0, statusListsResigned: 0 };
  const pageSize = options.pageSize ?? 200;
  for (let after = 0; ; ) {
    const page = await store.awards.page(after, pageSize);
    if (page.length === 0) break;
    after = page[page.length - 1]?.seq ?? after;
    for (const { id, credential } of page) {
      const proofs = proofsOf(credential);
      const byKey = proofs.filter((p) => p.verificationMethod === key.id);
      if (byKey.length === 0) continue;
      const { proof: _old, ...unsigned } = credential;
      const signed = await issuer.sign(unsigned, { suite: suiteOf(byKey[0] as JsonObject), key: signing });
      const others = proofs.filter((p) => p.verificationMethod !== key.id);
      const replacement = others.length === 0 ? signed : { ...signed, proof: [...proofsOf(signed), ...others] };
      const mailed = await store.transaction(async (tx) => {
        const stored = await tx.awards.find(id);
        // Changed since it was read (a claim bound it): left for the next run, never overwritten.
        if (!stored || JSON.stringify(stored.credential) !== JSON.stringify(credential)) return undefined;
        await tx.awards.replaceCredential(id, replacement);
        await tx.audit.record({ actor: 'cli', action: 'award.reissue', subject: id, detail: { key: key.id, signedWith: signing.verificationMethod } });
        if (!runtime.mail || !stored.recipientEmail) return false;
        const claim = await currentClaimLink(claimDeps, id, undefined, tx);
        if (claim.unavailable !== undefined && claim.unavailable !== 'no-live-link') return false;
        await addClaimLink(claimDeps, id, tx);
        await tx.mail.requeueClaimEmail(id);
        return true;
      });
      if (mailed === undefined) continue;
      report.reissued++;
      report.awards.push(id);
      if (mailed) report.claimEmails++;
    }
  }
  if (report.claimEmails > 0) runtime.mail?.wake();
  // Lists the key signed are signed again with the current key (they were made due when it was
  // rotated out or retired; this makes sure of it for a key reissued without either).
  const publisher = createStatusListPublisher({ store, issuer, baseUrl: runtime.config.baseUrl });
  for (const purpose of ['revocation', 'suspension'] as const) {
    for (const list of await store.statusLists.listsOf(did, purpose)) {
      const signed = await store.statusLists.signed(list.id);
      const proof = signed && proofsOf(JSON.parse(signed.json) as JsonObject)[0];
      if (proof?.verificationMethod !== key.id) continue;
      await store.statusLists.markForResigning(did, new Date(), list.id);
      await publisher.publish(list.id);
      report.statusListsResigned++;
    }
  }
  return report;
}
