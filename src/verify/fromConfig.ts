// The verifier a running service uses, from its configuration: its trust policy (or, with none,
// trust in its own issuer only), its pinned documents, and the guarded fetcher. The service's
// own status lists and DID document are read locally: asking itself over the network would
// cost a round trip and fail behind a proxy that does not route the service to itself.
import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from '../config.js';
import { countVerification } from '../metrics.js';
import { createGuardedFetcher, type GuardedFetcher } from '../net/guardedFetch.js';
import type { Issuer } from '../signing/issuer.js';
import type { CanonizeOffload } from '../signing/suites.js';
import { STATUS_LIST_ID } from '../status/entries.js';
import type { StatusListPublisher } from '../status/publisher.js';
import type { FetchJson } from './limits.js';
import { PinnedDocuments } from './pinnedDocuments.js';
import { loadTrustPolicy, selfTrustPolicy } from './trustPolicy.js';
import { createVerifier, type CachingVerifier } from './verifier.js';

export interface ServiceVerifierOptions {
  config: Readonly<Config>;
  issuer: Pick<Issuer, 'identity' | 'currentDidDocument' | 'profile'>;
  publisher: StatusListPublisher;
  extraContexts: ReadonlyMap<string, unknown>;
  /** Where proofs are canonicalized: the service points it at its signing pool (src/service.ts). */
  offload?: CanonizeOffload | undefined;
}

export function createServiceVerifier({ config, issuer, publisher, extraContexts, offload }: ServiceVerifierOptions): CachingVerifier {
  const pinned = PinnedDocuments.fromDirectory(config.verifyDocumentsDir);
  // Our own DID document from the store, so our badges verify without resolving ourselves
  // (did:web), and every key rotated to or retired on any node counts at once.
  const own = { did: issuer.identity.did, document: () => issuer.currentDidDocument() };
  const guarded = guardedFetcherFrom(config);
  const ownLists = `${config.baseUrl}/status/`;
  const ownListId = (url: string): string | undefined => {
    const listId = url.startsWith(ownLists) ? url.slice(ownLists.length) : undefined;
    return listId !== undefined && STATUS_LIST_ID.test(listId) ? listId : undefined;
  };
  const fetchJson: FetchJson = async (url, init) => {
    const listId = ownListId(url);
    if (listId !== undefined) {
      const published = await publisher.publish(listId);
      if (!published) throw new Error(`No status list ${url} on this service`);
      init?.onBytes?.(published.json.length);
      return JSON.parse(published.json) as unknown;
    }
    return guarded.fetchJson(url, init);
  };
  const policy = config.trustPolicyFile ? loadTrustPolicy(config.trustPolicyFile) : selfTrustPolicy({ id: issuer.identity.did, name: issuer.profile.name });
  return withVerificationMetrics(createVerifier({ policy, pinned, own, fetchJson, fetchText: guarded.fetchText, extraContexts, offload, maxFetchBytes: config.fetch.maxBytes, uncachedStatusLists: (url) => ownListId(url) !== undefined }));
}

/** The one guarded fetcher of a service, as configured (EDUCRED_FETCH_*). */
export function guardedFetcherFrom(config: Readonly<Config>): GuardedFetcher {
  return createGuardedFetcher({
    timeoutMs: config.fetch.timeoutMs,
    maxBytes: config.fetch.maxBytes,
    allowPrivateNetworks: config.fetch.allowPrivateNetworks,
    ca: config.fetch.caFile ? readFileSync(config.fetch.caFile, 'utf8') : undefined,
  });
}

/**
 * The verifier of a verifier-only instance (EDUCRED_ROLE=verifier): no issuer of its own, so
 * no own DID document or status lists; its trust policy must be configured (it trusts nobody
 * by default, and an instance that trusts nobody would refuse everything silently).
 */
export function createVerifierOnly({ config, extraContexts }: { config: Readonly<Config>; extraContexts: ReadonlyMap<string, unknown> }): CachingVerifier {
  if (!config.trustPolicyFile) throw new ConfigError('Invalid configuration:\n  EDUCRED_ROLE=verifier needs EDUCRED_TRUST_POLICY: the issuers and endorsers this verifier accepts');
  const pinned = PinnedDocuments.fromDirectory(config.verifyDocumentsDir);
  const guarded = guardedFetcherFrom(config);
  const policy = loadTrustPolicy(config.trustPolicyFile);
  return withVerificationMetrics(createVerifier({ policy, pinned, fetchJson: guarded.fetchJson, fetchText: guarded.fetchText, extraContexts, maxFetchBytes: config.fetch.maxBytes }));
}

/** Counts each verification the service answers (API, pages, CLI) by its outcome (src/metrics.ts). */
function withVerificationMetrics(verifier: CachingVerifier): CachingVerifier {
  return {
    ...verifier,
    verifyCredential: async (credential, options) => {
      const report = await verifier.verifyCredential(credential, options);
      countVerification('credential', report);
      return report;
    },
    verifyPresentation: async (presentation, options) => {
      const report = await verifier.verifyPresentation(presentation, options);
      countVerification('presentation', report);
      return report;
    },
    verifyDocument: async (document, options) => {
      const result = await verifier.verifyDocument(document, options);
      countVerification(result.kind, result.report);
      return result;
    },
  };
}
