// The issuer as the rest of the service sees it: its DID, its public Profile, its chosen proof
// suite and a `sign` function. Key material stays inside the signer closure. Its keys come from
// a key ring (src/signing/keyRing.ts): the store's current key signs, and `identity` follows a
// rotation made on any node.
import type { ProofSuiteName } from '../config.js';
import { timeSigning } from '../metrics.js';
import type { IssuerProfile } from '../credentials/openBadge.js';
import type { IssuerIdentity } from './did.js';
import type { DocumentLoader } from './documentLoader.js';
import { signerFor, type KeyProvider } from './keyProvider.js';
import { staticKeyRing, type IssuerKeyRing, type SigningKey } from './keyRing.js';
import { signCredential, type JsonObject } from './suites.js';

export interface Issuer {
  /** The DID and the current key's verification method (updated in place after a rotation). */
  identity: IssuerIdentity;
  /** The current key's provider (src/signing/keyProvider.ts), following rotations; signing workers reach it through `key.workerKey`. */
  key: KeyProvider;
  keys: IssuerKeyRing;
  profile: IssuerProfile;
  suite: ProofSuiteName;
  documentLoader: DocumentLoader;
  /** The DID document as last read (every key, the retired ones marked revoked). */
  didDocument(): Record<string, unknown>;
  /** The DID document checked against the store now: what is served, and what verification trusts. */
  currentDidDocument(): Promise<Record<string, unknown>>;
  /** The key that signs now (`fresh`: checked against the store now). */
  signingKey(options?: { fresh?: boolean | undefined }): Promise<SigningKey>;
  /** Signs with `key` when given (a caller inside a transaction), otherwise with the current key. */
  sign(credential: JsonObject, options?: SignWith): Promise<JsonObject>;
}

export interface SignWith {
  suite?: ProofSuiteName | undefined;
  created?: Date | undefined;
  key?: SigningKey | undefined;
}

export interface IssuerOptions {
  key: KeyProvider;
  suite: ProofSuiteName;
  documentLoader: DocumentLoader;
  name: string;
  url?: string | undefined;
  didWebDomain?: string | undefined;
  /** EndorsementCredentials about this issuer, embedded in every badge it issues. */
  endorsements?: unknown[] | undefined;
  /** The issuer's keys from the store; without it `key` is the only key (tests, benchmarks). */
  keys?: IssuerKeyRing | undefined;
}

/** A key provider that is always the ring's current key (what `issuer.key` is). */
function currentKeyOf(ring: IssuerKeyRing): KeyProvider {
  const provider = (): KeyProvider => ring.latest().key.provider;
  return {
    get keyId() {
      return provider().keyId;
    },
    get publicKeyMultibase() {
      return provider().publicKeyMultibase;
    },
    get workerKey() {
      return provider().workerKey;
    },
    sign: (data) => provider().sign(data),
    close: () => ring.close(),
  };
}

export function createIssuer(options: IssuerOptions): Issuer {
  const ring = options.keys ?? staticKeyRing(options.key, options.didWebDomain);
  const { identity } = ring;
  const profile: IssuerProfile = {
    id: identity.did,
    type: ['Profile'],
    name: options.name,
    ...(options.url ? { url: options.url } : {}),
    ...(options.endorsements && options.endorsements.length > 0 ? { endorsement: options.endorsements } : {}),
  };
  return {
    identity,
    key: currentKeyOf(ring),
    keys: ring,
    profile,
    suite: options.suite,
    documentLoader: options.documentLoader,
    didDocument: () => ring.latest().document,
    currentDidDocument: async () => (await ring.refresh({ fresh: true })).document,
    signingKey: async (o) => (await ring.refresh(o)).key,
    sign: async (credential, o = {}) => {
      const key = o.key ?? (await ring.refresh()).key;
      return timeSigning(o.suite ?? options.suite, () =>
        signCredential(credential, {
          suite: o.suite ?? options.suite,
          signer: signerFor(key.provider, key.verificationMethod),
          documentLoader: options.documentLoader,
          created: o.created,
        }),
      );
    },
  };
}
