// Resolving the keys that proofs name, for verification: pinned documents first (offline, the
// verifier's own copies), did:key and did:jwk by computation (offline), did:web over HTTPS through the
// guarded fetcher. Controller documents identified by https URLs are served only when pinned:
// the loader never fetches an arbitrary URL a credential names. did:web documents are kept in a
// bounded LRU cache (entries, bytes, age); concurrent resolutions of one DID share one fetch,
// and each request's fetches count against its budget (src/verify/limits.ts).
import { LRUCache } from 'lru-cache';
import { dereferenceDidUrl, didWebDocumentUrl, resolveDidKey } from '../signing/did.js';
import { resolveDidJwk } from '../signing/didJwk.js';
import { CACHE_LIMITS, LimitExceededError, RequestBudget, SharedFetches, type CacheBounds, type FetchJson } from './limits.js';
import type { PinnedDocuments } from './pinnedDocuments.js';
import { isObject, type Json } from '../credentials/jsonValues.js';

export type { FetchJson } from './limits.js';

export class KeyResolutionError extends Error {
  constructor(
    readonly code: 'did_not_found' | 'did_method_unsupported' | 'did_document_invalid' | 'key_not_found',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface KeyResolverOptions {
  pinned: PinnedDocuments;
  /** Fetches did:web documents (the guarded fetcher). */
  fetchJson: FetchJson;
  /** How long a fetched DID document is reused (default 5 minutes; 0: not cached). */
  cacheMs?: number | undefined;
  now?: (() => number) | undefined;
  /** Bounds of the DID document cache (default CACHE_LIMITS.didDocuments). */
  cache?: CacheBounds | undefined;
  /** The service's own DID, read from its store at each resolution (never cached: a retired key is refused at once). */
  own?: OwnDidDocument | undefined;
}

export interface OwnDidDocument {
  did: string;
  document(): Promise<Json>;
}

export interface KeyResolver {
  /**
   * Resolves a DID, a DID URL, or a pinned document or key id; throws KeyResolutionError, or
   * LimitExceededError when the request's budget (default: a budget of its own) is spent.
   */
  resolve(url: string, budget?: RequestBudget): Promise<Json>;
  /** Forgets cached DID documents (for cold-cache measurements). */
  clear(): void;
}


export function createKeyResolver(options: KeyResolverOptions): KeyResolver {
  const cacheMs = options.cacheMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const bounds = options.cache ?? CACHE_LIMITS.didDocuments;
  const cache = new LRUCache<string, { document: Json; bytes: number }>({
    max: bounds.max,
    maxSize: bounds.maxBytes,
    sizeCalculation: (entry) => Math.max(1, entry.bytes),
    ttl: Math.max(1, cacheMs),
    perf: { now },
    ttlResolution: 0,
  });
  // In flight only: concurrent resolutions of one DID (in one request or several) share a fetch.
  const fetching = new SharedFetches();

  const fetchDidWeb = async (did: string, budget: RequestBudget): Promise<{ document: Json; bytes: number }> => {
    const url = didWebDocumentUrl(did);
    let fetched: { document: unknown; bytes: number };
    try {
      fetched = await fetching.fetch(url, budget, options.fetchJson);
    } catch (cause) {
      if (cause instanceof LimitExceededError) throw cause;
      throw new KeyResolutionError('did_not_found', `Cannot resolve ${did}: ${url} could not be fetched (${(cause as Error).message})`, { cause });
    }
    const document = fetched.document;
    // did:web "Read": the document must be about the DID that was asked for.
    if (!isObject(document) || document.id !== did) {
      throw new KeyResolutionError('did_document_invalid', `The DID document at ${url} is not for ${did} (its id is ${JSON.stringify(isObject(document) ? document.id : null)})`);
    }
    return { document, bytes: fetched.bytes };
  };

  const didWebDocument = async (did: string, budget: RequestBudget): Promise<Json> => {
    budget.useUrl(didWebDocumentUrl(did));
    const cached = cache.get(did);
    if (cached) return cached.document;
    // Once per request: a failure is not fetched again in this request, nor remembered after it.
    const resolved = await budget.once(`did ${did}`, () => fetchDidWeb(did, budget));
    if (cacheMs > 0) cache.set(did, resolved);
    return resolved.document;
  };

  return {
    async resolve(url, budget = new RequestBudget()) {
      const base = url.split('#')[0] ?? url;
      if (options.own && base === options.own.did) {
        const method = dereferenceDidUrl(await options.own.document(), url);
        if (!method) throw new KeyResolutionError('key_not_found', `The DID document of ${base} has no verification method ${url}`);
        return method;
      }
      const pinned = options.pinned.get(url);
      if (pinned) return pinned;
      const pinnedBase = options.pinned.get(base);
      if (pinnedBase) {
        const method = dereferenceDidUrl(pinnedBase, url);
        if (!method) throw new KeyResolutionError('key_not_found', `The pinned document ${base} has no verification method ${url}`);
        return method;
      }
      if (url.startsWith('did:key:')) {
        try {
          return await resolveDidKey(url);
        } catch (cause) {
          throw new KeyResolutionError('did_method_unsupported', (cause as Error).message, { cause });
        }
      }
      if (url.startsWith('did:jwk:')) {
        try {
          return await resolveDidJwk(url);
        } catch (cause) {
          throw new KeyResolutionError('did_document_invalid', (cause as Error).message, { cause });
        }
      }
      if (url.startsWith('did:web:')) {
        const document = await didWebDocument(base, budget);
        const found = dereferenceDidUrl(document, url);
        if (!found) throw new KeyResolutionError('key_not_found', `The DID document of ${base} has no verification method ${url}`);
        return found;
      }
      if (url.startsWith('did:')) {
        throw new KeyResolutionError('did_method_unsupported', `Cannot resolve ${url}: only did:key, did:jwk and did:web are resolved (pin other documents with --documents)`);
      }
      throw new KeyResolutionError('key_not_found', `Cannot load ${url}: it is neither a context this verifier holds nor a pinned key or controller document (pin it with --documents or EDUCRED_VERIFY_DOCUMENTS_DIR; https documents are never fetched)`);
    },
    clear() {
      cache.clear();
    },
  };
}
