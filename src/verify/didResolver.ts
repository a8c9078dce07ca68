// Resolving the keys that proofs name, for verification: pinned documents first (offline, the
// verifier's own copies), did:key by computation (offline), did:web over HTTPS through the
// guarded fetcher. Controller documents identified by https URLs are served only when pinned:
// the loader never fetches an arbitrary URL a credential names. Results are cached.
import { dereferenceDidUrl, didWebDocumentUrl, resolveDidKey } from '../signing/did.js';
import type { PinnedDocuments } from './pinnedDocuments.js';
import { isObject, type Json } from '../credentials/jsonValues.js';


export type FetchJson = (url: string) => Promise<unknown>;

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
}

export interface KeyResolver {
  /** Resolves a DID, a DID URL, or a pinned document or key id; throws KeyResolutionError. */
  resolve(url: string): Promise<Json>;
  /** Forgets cached DID documents (for cold-cache measurements). */
  clear(): void;
}


export function createKeyResolver(options: KeyResolverOptions): KeyResolver {
  const cacheMs = options.cacheMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { document: Promise<Json>; until: number }>();

  const fetchDidWeb = async (did: string): Promise<Json> => {
    const url = didWebDocumentUrl(did);
    let document: unknown;
    try {
      document = await options.fetchJson(url);
    } catch (cause) {
      throw new KeyResolutionError('did_not_found', `Cannot resolve ${did}: ${url} could not be fetched (${(cause as Error).message})`, { cause });
    }
    // did:web "Read": the document must be about the DID that was asked for.
    if (!isObject(document) || document.id !== did) {
      throw new KeyResolutionError('did_document_invalid', `The DID document at ${url} is not for ${did} (its id is ${JSON.stringify(isObject(document) ? document.id : null)})`);
    }
    return document;
  };

  const didWebDocument = (did: string): Promise<Json> => {
    const cached = cache.get(did);
    if (cached && cached.until > now()) return cached.document;
    const document = fetchDidWeb(did);
    cache.set(did, { document, until: now() + cacheMs });
    // A failure is not remembered: the next verification tries again.
    document.catch(() => cache.delete(did));
    return document;
  };

  return {
    async resolve(url) {
      const pinned = options.pinned.get(url);
      if (pinned) return pinned;
      const base = url.split('#')[0] ?? url;
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
      if (url.startsWith('did:web:')) {
        const document = await didWebDocument(base);
        const found = dereferenceDidUrl(document, url);
        if (!found) throw new KeyResolutionError('key_not_found', `The DID document of ${base} has no verification method ${url}`);
        return found;
      }
      if (url.startsWith('did:')) {
        throw new KeyResolutionError('did_method_unsupported', `Cannot resolve ${url}: only did:key and did:web are resolved (pin other documents with --documents)`);
      }
      throw new KeyResolutionError('key_not_found', `Cannot load ${url}: it is neither a context this verifier holds nor a pinned key or controller document (pin it with --documents or EDUCRED_VERIFY_DOCUMENTS_DIR; https documents are never fetched)`);
    },
    clear() {
      cache.clear();
    },
  };
}
