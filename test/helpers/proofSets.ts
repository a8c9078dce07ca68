// Proof sets for the hostile tests: a did:key holder that signs any presentation it is given
// (authentication, eddsa-rdfc-2022), and forgeries: a proof naming someone else's key with a
// signature that is not theirs.
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { walletLoader } from './wallet.js';

type Json = Record<string, any>;

export interface KeyHolder {
  did: string;
  /** The key's verification method id (did:key#fingerprint). */
  verificationMethod: string;
  /** Signs the presentation as given (holder, credentials and all) for an authentication. */
  sign(presentation: Json, options: { challenge: string; domain?: string | undefined }): Promise<Json>;
}

export async function createKeyHolder(): Promise<KeyHolder> {
  const generated = await Ed25519Multikey.generate();
  const did = `did:key:${generated.publicKeyMultibase}`;
  const verificationMethod = `${did}#${generated.publicKeyMultibase}`;
  const key = await Ed25519Multikey.from({ type: 'Multikey', id: verificationMethod, controller: did, publicKeyMultibase: generated.publicKeyMultibase, secretKeyMultibase: generated.secretKeyMultibase });
  return {
    did,
    verificationMethod,
    async sign(presentation, { challenge, domain }) {
      const { proof: _proof, ...unsigned } = presentation;
      const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 });
      return vc.signPresentation({ presentation: structuredClone(unsigned), suite, challenge, ...(domain !== undefined ? { domain } : {}), documentLoader: walletLoader });
    },
  };
}

/** An unsigned VC 2.0 presentation of these credentials, naming `holder` (or no holder). */
export function presentationOf(credentials: unknown[], holder: string | undefined): Json {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiablePresentation'],
    ...(holder !== undefined ? { holder } : {}),
    ...(credentials.length > 0 ? { verifiableCredential: credentials } : {}),
  };
}

/** A copy of a real proof claiming `did`'s key, with a signature of the right shape that is not its. */
export function forgedProofFor(proof: Json, did: string): Json {
  const value = String(proof.proofValue);
  // The same multibase string with its middle characters changed: well-formed, not a signature of anyone.
  const middle = Math.floor(value.length / 2);
  const garbage = `${value.slice(0, middle)}${value.slice(middle, middle + 8) === '22222222' ? '33333333' : '22222222'}${value.slice(middle + 8)}`;
  return { ...proof, verificationMethod: `${did}#${did.slice('did:key:'.length)}`, proofValue: garbage };
}

/** The presentation with this proof set (in this order). */
export const withProofs = (presentation: Json, proofs: Json[]): Json => ({ ...presentation, proof: proofs.map((p) => structuredClone(p)) });
