// Builds the verifier once (document loader over the pinned contexts, key resolver, status
// checker, trust policy) for the HTTP routes, the pages and the CLI. The only network it uses
// goes through the fetcher it is given: did:web documents and status lists. Each call is one
// request with its own budget (src/verify/limits.ts): its document loader and status checks
// charge what they fetch and inflate to it.
import { pinnedContexts, createContextLookup, type DocumentLoader } from '../signing/documentLoader.js';
import { createLegacyVerifyingSuites, createRdfcFastCanonizer, createVerifyingSuites, usesLegacyDataIntegrityContext, type CanonizeOffload } from '../signing/suites.js';
import { createStatusChecker, type StatusChecker } from '../status/checkStatus.js';
import { evaluateApprovalRule } from './approvalRules.js';
import { createKeyResolver, type OwnDidDocument } from './didResolver.js';
import { RequestBudget, VERIFICATION_LIMITS, type CacheBounds, type FetchJson, type VerificationLimits } from './limits.js';
import type { PinnedDocuments } from './pinnedDocuments.js';
import { approvalRules, type ApprovalRule, type TrustPolicy } from './trustPolicy.js';
import { FederationTrust, type FederationListing, type FederationSource, type FetchText } from './federation.js';
import { TrustRegistries } from './trustRegistries.js';
import type { Verifier } from './types.js';
import { verifyOpenBadge, type CredentialVerificationContext } from './verifyCredential.js';
import { verifyPresentationDocument } from './verifyPresentation.js';

export interface VerifierOptions {
  policy: TrustPolicy;
  pinned: PinnedDocuments;
  /** Fetches did:web documents and status lists: the guarded fetcher, or a local shortcut to it. */
  fetchJson: FetchJson;
  /** Fetches signed statements (OpenID Federation); without it only pinned chains are read. */
  fetchText?: FetchText | undefined;
  extraContexts?: ReadonlyMap<string, unknown> | undefined;
  /** How long DID documents and status lists are reused (ms; status lists also obey their ttl). */
  cacheMs?: number | undefined;
  /** Status lists read fresh at every check (the service's own: a revocation shows at once). */
  uncachedStatusLists?: ((url: string) => boolean) | undefined;
  /** The fetcher's own body limit, the most one fetch of a request may reserve (default 2 MiB). */
  maxFetchBytes?: number | undefined;
  /** Per-request caps (default VERIFICATION_LIMITS). */
  limits?: VerificationLimits | undefined;
  /** The service's own DID document, read fresh (src/verify/didResolver.ts). */
  own?: OwnDidDocument | undefined;
  /** Cache bounds (default CACHE_LIMITS). */
  cache?: { statusLists?: CacheBounds | undefined; didDocuments?: CacheBounds | undefined } | undefined;
  /** Canonicalization on other threads when set (the service's signing pool): src/signing/suites.ts. */
  offload?: CanonizeOffload | undefined;
}

export interface CachingVerifier extends Verifier {
  /** Forgets resolved DID documents and status lists (a cold start, for measurements). */
  clearCaches(): void;
}

export class UnknownRuleError extends Error {
  constructor(
    readonly rule: string,
    readonly known: string[],
  ) {
    super(`Unknown approval rule '${rule}'; this verifier's rules are: ${known.join(', ') || 'none'}`);
  }
}

const isPresentation = (document: unknown): boolean => {
  if (typeof document !== 'object' || document === null) return false;
  const type = (document as { type?: unknown }).type;
  return type === 'VerifiablePresentation' || (Array.isArray(type) && type.includes('VerifiablePresentation'));
};

export function createVerifier(options: VerifierOptions): CachingVerifier {
  const keys = createKeyResolver({ pinned: options.pinned, fetchJson: options.fetchJson, cacheMs: options.cacheMs, cache: options.cache?.didDocuments, own: options.own });
  const contexts = createContextLookup(options.extraContexts);
  // Contexts first (pinned, never fetched); any other URL is a key or controller document.
  const loaderFor =
    (budget: RequestBudget): DocumentLoader =>
    async (url) => {
      const context = contexts(url);
      if (context) return context;
      // Every context of a credential was checked as known before any proof work, so what is
      // left is a key or its controller: resolved from pinned documents, did:key or did:web.
      return { contextUrl: null, documentUrl: url, document: await keys.resolve(url, budget) };
    };
  const limits = options.limits ?? VERIFICATION_LIMITS;
  const known = pinnedContexts();
  const isKnownContext = (url: string): boolean => known.has(url) || (options.extraContexts?.has(url) ?? false);
  // Badges about one achievement share its RDF: canonicalized through the fast path (the same
  // result; its cache is keyed by the parts' JSON and the contexts are the pinned ones).
  const fast = createRdfcFastCanonizer().canonize;
  const suites = createVerifyingSuites(options.offload, fast);
  const legacySuites = createLegacyVerifyingSuites(options.offload, fast);
  const suitesFor = (document: Record<string, unknown>): unknown[] => (usesLegacyDataIntegrityContext(document) ? legacySuites : suites);
  const newStatusChecker = (): StatusChecker =>
    createStatusChecker({ fetchJson: options.fetchJson, documentLoader: (url) => loaderFor(new RequestBudget(limits, options.maxFetchBytes))(url), suites, maxCacheMs: options.cacheMs, uncached: options.uncachedStatusLists, cache: options.cache?.statusLists, isKnownContext });
  let checkStatus = newStatusChecker();
  /** One request: a fresh budget, shared by its loader, its status checks and its endorsements. */
  const context = (maxStatusAge?: number): CredentialVerificationContext => {
    const budget = new RequestBudget(limits, options.maxFetchBytes);
    const documentLoader = loaderFor(budget);
    const maxAgeMs = maxStatusAge === undefined ? undefined : maxStatusAge * 1000;
    return { documentLoader, suitesFor, checkStatus: (credential) => checkStatus(credential, { budget, documentLoader, maxAgeMs }), isKnownContext, policy: options.policy, registry: lookupRegistry, federation: federations.length > 0 ? lookupFederation : undefined, limits };
  };

  const registries = new TrustRegistries(options.policy.registries ?? [], options.fetchJson);
  const lookupRegistry = (issuer: string) => registries.lookup(issuer);
  const federations = (options.policy.registries ?? []).filter((s): s is FederationSource => s.format === 'openid-federation').map((s) => new FederationTrust(s, options.fetchText));
  /** The first federation source with a chain for the issuer; else every source's reason. */
  const lookupFederation = async (issuer: string): Promise<{ listing?: FederationListing; reason?: string }> => {
    const reasons: string[] = [];
    for (const federation of federations) {
      const found = await federation.lookup(issuer);
      if (found.listing) return found;
      if (found.reason) reasons.push(found.reason);
    }
    return { reason: reasons.join('; ') };
  };
  const rules = approvalRules(options.policy);
  const findRule = (id: string | undefined): ApprovalRule | undefined => {
    if (id === undefined) return undefined;
    const rule = rules.find((r) => r.id === id);
    if (!rule) throw new UnknownRuleError(id, rules.map((r) => r.id));
    return rule;
  };

  const verifier: CachingVerifier = {
    verifyCredential: async (credential, opts = {}) => {
      await registries.refresh();
      return verifyOpenBadge(credential, context(opts.maxStatusAge), opts);
    },
    verifyPresentation: async (presentation, opts = {}) => {
      await registries.refresh();
      return verifyPresentationDocument(presentation, context(opts.maxStatusAge), { challenge: opts.challenge, domain: opts.domain, now: opts.now, checks: opts.checks, rule: findRule(opts.rule) });
    },
    async verifyDocument(document, opts = {}) {
      if (isPresentation(document)) return { kind: 'presentation', report: await verifier.verifyPresentation(document, opts) };
      const rule = findRule(opts.rule);
      await registries.refresh();
      const report = await verifyOpenBadge(document, context(opts.maxStatusAge), { now: opts.now, recipient: opts.recipient, checks: opts.checks });
      return { kind: 'credential', report, approval: rule && evaluateApprovalRule(rule, [report], opts.recipient?.did, opts.now) };
    },
    rules: () => rules.map((r) => ({ id: r.id, name: r.name, description: r.description })),
    policyName: () => options.policy.name,
    clearCaches() {
      keys.clear();
      checkStatus = newStatusChecker();
    },
  };
  return verifier;
}
