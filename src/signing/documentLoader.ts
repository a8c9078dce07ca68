// The offline JSON-LD document loader: serves the contexts pinned in contexts/ and, for
// verification, DID documents from a resolver the caller supplies. It never fetches a context
// from the network, so signing and canonicalization cannot be steered by a remote server.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface RemoteDocument {
  contextUrl: null;
  documentUrl: string;
  document: unknown;
  /**
   * 'static' tells jsonld the document never changes, so it keeps the resolved context in its
   * shared cache and reuses the processed context across operations. Without it every
   * canonicalization re-resolves and re-processes the contexts: measured, that cloning was about
   * half the time of signing one credential.
   */
  tag?: 'static' | undefined;
}

export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

/** Resolves a DID URL (a DID, or a DID plus fragment) to a DID document or key. */
export type DidResolver = (didUrl: string) => Promise<unknown>;

export class DocumentNotAllowedError extends Error {
  readonly code = 'document_not_allowed';
  constructor(readonly url: string) {
    super(`Refusing to load '${url}': it is not one of the pinned contexts in contexts/ (the loader never fetches remote contexts)`);
  }
}

interface ManifestEntry {
  file: string;
  source: string;
  sha256: string;
}

export const CONTEXTS_DIR = fileURLToPath(new URL('../../contexts/', import.meta.url));

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

let pinned: ReadonlyMap<string, unknown> | undefined;

/** The pinned contexts, read once: parsing them per request would put file I/O on the signing path. */
export function pinnedContexts(): ReadonlyMap<string, unknown> {
  if (!pinned) {
    const manifest = readJson(path.join(CONTEXTS_DIR, 'manifest.json')) as Record<string, ManifestEntry>;
    const map = new Map<string, unknown>();
    for (const [url, entry] of Object.entries(manifest)) {
      map.set(url, Object.freeze(readJson(path.join(CONTEXTS_DIR, entry.file))));
    }
    pinned = map;
  }
  return pinned;
}

/** Reads a folder of extra contexts (`<anything>.json` files, each `{"url": ..., "document": ...}`). */
export function loadExtraContexts(dir: string | undefined): Map<string, unknown> {
  const extra = new Map<string, unknown>();
  if (!dir) return extra;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    const entry = readJson(path.join(dir, name)) as { url?: unknown; document?: unknown };
    if (typeof entry.url !== 'string' || typeof entry.document !== 'object' || entry.document === null) {
      throw new Error(`${path.join(dir, name)}: an extra context file must be {"url": "...", "document": {...}}`);
    }
    extra.set(entry.url, entry.document);
  }
  return extra;
}

export interface DocumentLoaderOptions {
  /** Resolves `did:` URLs; without it, DIDs are refused like any other unknown document. */
  resolveDid?: DidResolver | undefined;
  /** Contexts added by configuration (for example a conformance suite's example context). */
  extraContexts?: ReadonlyMap<string, unknown> | undefined;
}

/**
 * The pinned or extra context at `url`, or undefined: what the loader answers without a throw, for
 * callers that go on to other sources (a verifier's keys, a worker's main thread), since building
 * an Error with its stack for every key URL was a measurable part of a verification.
 */
export function createContextLookup(extraContexts?: ReadonlyMap<string, unknown>): (url: string) => RemoteDocument | undefined {
  const contexts = pinnedContexts();
  return (url) => {
    const document = contexts.get(url);
    // Pinned contexts are frozen files read once: the same document for the life of the process.
    if (document !== undefined) return { contextUrl: null, documentUrl: url, document, tag: 'static' };
    const extra = extraContexts?.get(url);
    if (extra !== undefined) return { contextUrl: null, documentUrl: url, document: extra };
    return undefined;
  };
}

export function createDocumentLoader(options: DocumentLoaderOptions = {}): DocumentLoader {
  const lookup = createContextLookup(options.extraContexts);
  return async (url: string): Promise<RemoteDocument> => {
    const found = lookup(url);
    if (found) return found;
    if (url.startsWith('did:') && options.resolveDid) {
      return { contextUrl: null, documentUrl: url, document: await options.resolveDid(url) };
    }
    throw new DocumentNotAllowedError(url);
  };
}

/**
 * Every context a document would make a JSON-LD processor load, at any depth: `@context`
 * values (in the document, embedded credentials, proofs and scoped term definitions) and
 * `@import` (JSON-LD 1.1 §4.1.10) in inline contexts. Checked against the contexts a verifier
 * holds before any JSON-LD work, so no context is ever fetched, whatever its scheme (a `did:web`
 * URL used as a context would otherwise reach the DID resolver, which fetches).
 */
export function contextReferences(value: unknown, found: Set<string> = new Set(), depth = 0): Set<string> {
  if (depth > 64 || value === null || typeof value !== 'object') return found;
  if (Array.isArray(value)) {
    for (const item of value) contextReferences(item, found, depth + 1);
    return found;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (key === '@context' || key === '@import') {
      for (const c of Array.isArray(item) ? item : [item]) if (typeof c === 'string') found.add(c);
    }
    contextReferences(item, found, depth + 1);
  }
  return found;
}
