// The key-provider port: what issuing needs of its key, wherever the private half lives (a
// Multikey file, a PKCS#11 token, a cloud KMS). One operation signs: Ed25519 over the exact bytes
// the proof suite hands over (RFC 8032 §5.1.6, PureEdDSA), never over a digest of them.
// eddsa-rdfc-2022, eddsa-jcs-2022 and Ed25519Signature2020 all verify PureEdDSA signatures
// (W3C Data Integrity EdDSA Cryptosuites v1.0, each suite's "Proof Serialization" algorithm:
// Ed25519 as RFC 8032 specifies it), so a prehash variant (Ed25519ph, RFC 8032 §5.1) cannot
// take its place: it signs SHA-512(message) under another domain separation.
import type { Signer } from './keys.js';

/**
 * How a signing worker thread reaches the key (src/signing/signingPool.ts): a key file it may
 * import itself, or no access at all, so that it asks the main thread to sign each proof's bytes
 * (a PKCS#11 token is opened once per process; see docs/DESIGN.md, "Keys in a token").
 */
export type WorkerKeySource = { kind: 'file'; keyFile: string } | { kind: 'main-thread' };

export interface KeyProvider {
  /** Where the key lives, for operators and logs: the Multikey id, or `pkcs11:token=…;object=…` (RFC 7512). */
  readonly keyId: string;
  /** The Ed25519 public key as a Multikey `publicKeyMultibase` (`z6Mk…`). */
  readonly publicKeyMultibase: string;
  /** Ed25519 (PureEdDSA) over `data`; 64 bytes. */
  sign(data: Uint8Array): Promise<Uint8Array>;
  readonly workerKey: WorkerKeySource;
  /** Releases what the provider holds (token sessions); signing afterwards fails. */
  close(): Promise<void>;
}

/** The signer the proof suites call, attributing its proofs to `verificationMethod`. */
export function signerFor(provider: Pick<KeyProvider, 'sign'>, verificationMethod: string): Signer {
  return {
    id: verificationMethod,
    algorithm: 'Ed25519',
    sign: ({ data }) => provider.sign(data),
  };
}
