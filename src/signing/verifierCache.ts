// The Ed25519 verifier a Data Integrity suite asks for, made once per verification method.
// The cryptosuites' own createVerifier (eddsa-rdfc-2022, eddsa-jcs-2022) calls
// Ed25519Multikey.from(method) for every proof, and its verifier turns the 32 key bytes into a
// node:crypto KeyObject (createPublicKey) on every signature check: a few percent of a
// verification, for the same few issuer keys each time. Here the key is read by the same
// library (same validation, same errors) and the KeyObject made once; the check itself is
// node:crypto's Ed25519 verify, as in the library (RFC 8032 §5.1.7).
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { LRUCache } from 'lru-cache';

interface Verifier {
  algorithm: string;
  id: string;
  verify(input: { data: Uint8Array; signature: Uint8Array }): Promise<boolean>;
}

/** SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410 §4): the 32 key bytes follow. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** A method larger than this is not kept (a caller controls what a verifier resolves). */
const MAX_KEY_CHARS = 4096;

const verifiers = new LRUCache<string, Promise<Verifier>>({ max: 1000 });

async function makeVerifier(verificationMethod: Record<string, unknown>): Promise<Verifier> {
  const key = (await Ed25519Multikey.from(verificationMethod)) as unknown as { id: string; publicKey: Uint8Array; verifier(): Verifier };
  const base = key.verifier();
  if (key.publicKey.length !== 32) return base; // the library's own verifier says why
  const publicKey: KeyObject = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, key.publicKey]), format: 'der', type: 'spki' });
  return { algorithm: base.algorithm, id: base.id, verify: async ({ data, signature }) => cryptoVerify(null, data, publicKey, signature) };
}

/** A cryptosuite `createVerifier` equal to the library's, with the key made once per method. */
export async function createCachedVerifier({ verificationMethod }: { verificationMethod: Record<string, unknown> }): Promise<Verifier> {
  const cacheKey = JSON.stringify(verificationMethod);
  if (cacheKey.length > MAX_KEY_CHARS) return makeVerifier(verificationMethod);
  let found = verifiers.get(cacheKey);
  if (!found) {
    found = makeVerifier(verificationMethod);
    verifiers.set(cacheKey, found);
    // A method the library refuses is not remembered: the next proof gets the same error afresh.
    found.catch(() => verifiers.delete(cacheKey));
  }
  return found;
}
