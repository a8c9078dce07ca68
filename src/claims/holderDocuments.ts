// The document loader for wallet holders' DIDs (the VC-API exchange's DID authentication): the
// issuer's offline loader (contexts, did:key, did:jwk, its own DID), and did:web documents
// fetched through the guarded fetcher (src/net/guardedFetch.ts: no private addresses unless
// configured, bounded bodies and time), resolved like the verifier resolves them.
import type { DocumentLoader } from '../signing/documentLoader.js';
import { createKeyResolver } from '../verify/didResolver.js';
import type { FetchJson } from '../verify/limits.js';
import { PinnedDocuments } from '../verify/pinnedDocuments.js';

/** DID methods a holder may authenticate with in the exchange. */
export const HOLDER_DID_METHODS = ['key', 'jwk', 'web'] as const;

export function holderDocumentLoader(offline: DocumentLoader, fetchJson: FetchJson): DocumentLoader {
  const keys = createKeyResolver({ pinned: new PinnedDocuments(), fetchJson });
  return async (url) => {
    if (!url.startsWith('did:web:')) return offline(url);
    // The issuer's own did:web resolves offline; any other did:web is fetched (guarded).
    const own = await offline(url).catch(() => undefined);
    return own ?? { contextUrl: null, documentUrl: url, document: await keys.resolve(url) };
  };
}
