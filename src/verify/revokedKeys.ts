// Keys their controller has revoked. W3C Controlled Identifiers 1.0 (§2.2, Verification
// Methods) lets a verification method carry `revoked`, the date-time from which it is revoked;
// educred's rotation marks a compromised key so (and drops it from assertionMethod). The
// Ed25519Signature2020 suite refuses such a key itself, the Data Integrity suites do not look,
// so the verifier checks every proof's key here and names the key and the time in its reason.
// A compromised key could sign with any `created` date, so every proof by it is refused.
import type { DocumentLoader } from '../signing/documentLoader.js';
import { asArray, isObject, type Json } from '../credentials/jsonValues.js';

/** The revoked keys among the proofs' verification methods: id → `revoked`. Keys that cannot be resolved are left to the proof check. */
export async function revokedProofKeys(credential: Json, documentLoader: DocumentLoader): Promise<Map<string, string>> {
  const methods = new Set(asArray(credential.proof).filter(isObject).map((p) => p.verificationMethod).filter((m): m is string => typeof m === 'string'));
  const revoked = new Map<string, string>();
  await Promise.all(
    [...methods].map(async (id) => {
      try {
        const { document } = await documentLoader(id);
        const method = isObject(document) ? document : undefined;
        if (method && method.revoked !== undefined) revoked.set(id, String(method.revoked));
      } catch {
        // Unresolvable: the proof check reports it (key_not_found).
      }
    }),
  );
  return revoked;
}

export const revokedKeyReason = (id: string, revoked: string): string =>
  `The proof was made with ${id}, which its controller revoked (as of ${revoked}); a proof by a revoked key is not accepted, whatever its date.`;
