// The issuer as the rest of the service sees it: its DID, its public Profile, its chosen proof
// suite and a `sign` function. Key material stays inside the signer closure.
import type { ProofSuiteName } from '../config.js';
import { timeSigning } from '../metrics.js';
import type { IssuerProfile } from '../credentials/openBadge.js';
import { didDocument, issuerIdentity, type IssuerIdentity } from './did.js';
import type { DocumentLoader } from './documentLoader.js';
import { signerFor, type KeyProvider } from './keyProvider.js';
import { signCredential, type JsonObject } from './suites.js';

export interface Issuer {
  identity: IssuerIdentity;
  /** The key provider that signs (src/signing/keyProvider.ts); signing workers reach it through `key.workerKey`. */
  key: KeyProvider;
  profile: IssuerProfile;
  suite: ProofSuiteName;
  documentLoader: DocumentLoader;
  didDocument(): Record<string, unknown>;
  sign(credential: JsonObject, options?: { suite?: ProofSuiteName | undefined; created?: Date | undefined }): Promise<JsonObject>;
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
}

export function createIssuer(options: IssuerOptions): Issuer {
  const identity = issuerIdentity(options.key.publicKeyMultibase, options.didWebDomain);
  const signer = signerFor(options.key, identity.verificationMethod);
  const profile: IssuerProfile = {
    id: identity.did,
    type: ['Profile'],
    name: options.name,
    ...(options.url ? { url: options.url } : {}),
    ...(options.endorsements && options.endorsements.length > 0 ? { endorsement: options.endorsements } : {}),
  };
  return {
    identity,
    key: options.key,
    profile,
    suite: options.suite,
    documentLoader: options.documentLoader,
    didDocument: () => didDocument(identity),
    sign: (credential, o = {}) =>
      timeSigning(o.suite ?? options.suite, () =>
        signCredential(credential, {
          suite: o.suite ?? options.suite,
          signer,
          documentLoader: options.documentLoader,
          created: o.created,
        }),
      ),
  };
}
