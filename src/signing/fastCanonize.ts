// The signing fast path for the badges educred builds: RDF Dataset Canonicalization of an Open
// Badge without converting, on every award, the parts that are the same in every award of one
// achievement by one issuer version (the achievement with its criteria, alignments and rubric,
// and the issuer profile with its endorsements). Measured, JSON-LD expansion and conversion to
// RDF were ~90% of the cost of signing a badge, and those two parts were ~40% of that.
//
// Why the result is exactly the general path's (jsonld.toRDF, then rdf-canonize):
// - JSON-LD to RDF (JSON-LD 1.1 API §8.1, Node Map Generation) turns every node object into the
//   triples of its own properties; a node with an `@id` that is embedded somewhere contributes
//   the same triples as when it is referenced by `{ "id" }` there and written elsewhere, because
//   the node map merges node objects by `@id` (§7.2) and a dataset is a set of quads.
// - So the dataset of a badge is the union of (a) the dataset of the badge with the achievement
//   and the issuer replaced by references, and (b) the quads each of those two nodes adds. (b) is
//   computed once, from a skeleton that puts the node at the same place under the same `@context`
//   and the same `type`s on the way (so the same type-scoped contexts are active: §4.1.8 and §4.2
//   of JSON-LD 1.1), as the quads the skeleton has with the node minus those it has with a bare
//   reference. A part whose quads reach the skeleton's own nodes (a reverse property, say) is not
//   taken: the badge goes the general way.
// - Blank nodes of different parts are different nodes (JSON-LD never merges blank nodes across
//   node objects), so each part's labels are renamed apart; quads without blank nodes are kept
//   once. RDFC-1.0 (RDF Dataset Canonicalization §4) then labels blank nodes from the dataset's
//   structure alone, so the canonical N-Quads do not depend on the labels we chose.
// test/signing/fastCanonize.test.ts checks thousands of generated badges against the general path.
import jsonld from 'jsonld';
import * as rdfCanonize from 'rdf-canonize';
import { LRUCache } from 'lru-cache';

type CanonizeOptions = Record<string, unknown>;
export type Canonize = (input: unknown, options: CanonizeOptions) => Promise<string>;

interface Term {
  termType: string;
  value: string;
  datatype?: { termType: string; value: string };
  language?: string;
  direction?: string;
}
interface Quad {
  subject: Term;
  predicate: Term;
  object: Term;
  graph: Term;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The credential types the fast path takes: the Open Badges educred builds. */
const FAST_TYPES = new Set(['OpenBadgeCredential', 'AchievementCredential']);

/** Where the invariant parts sit in a badge, as property paths from the credential. */
const PART_PATHS: ReadonlyArray<readonly string[]> = [['issuer'], ['credentialSubject', 'achievement']];

/** Counts the fast path keeps, for the bench and the tests. */
export interface FastCanonizeStats {
  fast: number;
  general: number;
  partsComputed: number;
}

export interface FastCanonizer {
  canonize: Canonize;
  stats: FastCanonizeStats;
}

// The same conversion options eddsa-rdfc-2022's own canonize uses (its lib/canonize.js): the
// conversion must be the one the general path makes.
function toRdfOptions(options: CanonizeOptions): CanonizeOptions {
  return { algorithm: 'RDFC-1.0', base: null, safe: true, ...options, rdfDirection: 'i18n-datatype', produceGeneralizedRdf: false, format: undefined };
}

const termKey = (t: Term): string => `${t.termType}|${t.value}|${t.datatype?.value ?? ''}|${t.language ?? ''}|${t.direction ?? ''}`;
const quadKey = (q: Quad): string => `${termKey(q.subject)} ${termKey(q.predicate)} ${termKey(q.object)} ${termKey(q.graph)}`;
const isBlank = (t: Term): boolean => t.termType === 'BlankNode';
const hasBlank = (q: Quad): boolean => isBlank(q.subject) || isBlank(q.object) || isBlank(q.graph);

function relabel(quads: readonly Quad[], prefix: string): Quad[] {
  const rename = (t: Term): Term => (isBlank(t) ? { termType: 'BlankNode', value: `_:${prefix}${t.value.replace(/^_:/, '')}` } : t);
  return quads.map((q) => ({ subject: rename(q.subject), predicate: q.predicate, object: rename(q.object), graph: rename(q.graph) }));
}

/** The union of datasets whose blank nodes are already apart: quads without blank nodes kept once. */
function union(datasets: ReadonlyArray<readonly Quad[]>): Quad[] {
  const seen = new Set<string>();
  const out: Quad[] = [];
  for (const dataset of datasets) {
    for (const q of dataset) {
      if (!hasBlank(q)) {
        const key = quadKey(q);
        if (seen.has(key)) continue;
        seen.add(key);
      }
      out.push(q);
    }
  }
  return out;
}

/** The object at `path` in `doc`, with the objects on the way (whose `type`s the skeleton keeps). */
function walk(doc: Json, path: readonly string[]): { node: Json; ancestors: Json[] } | undefined {
  const ancestors: Json[] = [doc];
  let current: unknown = doc;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
    if (isObject(current)) ancestors.push(current);
  }
  ancestors.pop();
  return isObject(current) ? { node: current, ancestors } : undefined;
}

/** A part worth caching: an object with an absolute `id` and something besides it. */
function cacheablePart(node: Json): string | undefined {
  const id = node.id;
  if (typeof id !== 'string' || !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(id)) return undefined;
  if (Object.keys(node).every((k) => k === 'id')) return undefined;
  if ('@context' in node || '@id' in node) return undefined;
  return id;
}

/** The skeleton: `@context` and `type`s down the path, and `leaf` at its end. */
function skeleton(doc: Json, ancestors: readonly Json[], path: readonly string[], leaf: Json): Json {
  const build = (depth: number): Json => {
    const from = ancestors[depth] ?? {};
    const out: Json = {};
    if (depth === 0) out['@context'] = doc['@context'];
    if ('type' in from) out.type = from.type;
    const key = path[depth] ?? '';
    out[key] = depth === path.length - 1 ? leaf : build(depth + 1);
    return out;
  };
  return build(0);
}

/** Replaces the objects at the given paths with references to their ids (a shallow copy on the way). */
function withReferences(doc: Json, parts: ReadonlyArray<{ path: readonly string[]; id: string }>): Json {
  const replace = (node: Json, path: readonly string[], id: string): Json => {
    const [key, ...rest] = path;
    if (key === undefined) return node;
    const child = node[key];
    return { ...node, [key]: rest.length === 0 ? { id } : isObject(child) ? replace(child, rest, id) : child };
  };
  return parts.reduce((acc, part) => replace(acc, part.path, part.id), doc);
}

const typesOf = (doc: Json): string[] => (Array.isArray(doc.type) ? doc.type : [doc.type]).filter((t): t is string => typeof t === 'string');

/**
 * Wraps a suite's `canonize` (eddsa-rdfc-2022's) with the fast path. Anything that is not an
 * Open Badge educred's shape, or any part it cannot take exactly, goes to `general` unchanged.
 * The cache is bounded (achievements × issuer versions seen recently).
 */
export function createFastCanonizer(general: Canonize, options: { maxParts?: number } = {}): FastCanonizer {
  const stats: FastCanonizeStats = { fast: 0, general: 0, partsComputed: 0 };
  // Keyed by the part's JSON with its context and the types on its path; the value is the quads
  // it adds, or null when it cannot be taken apart (then the badge goes the general way).
  // Bounded in entries and in the size of their keys (the parts' JSON): a verifier's callers
  // choose what it holds, so what they can make it keep is capped (~16 MiB of keys).
  const parts = new LRUCache<string, Quad[] | { refused: true }>({ max: options.maxParts ?? 512, maxSize: 16 * 1024 * 1024, sizeCalculation: (_value, key) => Math.max(1, key.length) });

  async function partQuads(doc: Json, path: readonly string[], node: Json, id: string, options: CanonizeOptions): Promise<Quad[] | undefined> {
    const found = walk(doc, path);
    if (!found) return undefined;
    const key = JSON.stringify([doc['@context'], found.ancestors.map((a) => a.type ?? null), path, node]);
    const cached = parts.get(key);
    if (cached) return Array.isArray(cached) ? cached : undefined;
    const rdf = toRdfOptions(options);
    const withNode = (await jsonld.toRDF(skeleton(doc, found.ancestors, path, node), rdf)) as Quad[];
    const withRef = (await jsonld.toRDF(skeleton(doc, found.ancestors, path, { id }), rdf)) as Quad[];
    const skeletonQuads = new Set(withRef.map(quadKey));
    const skeletonBlanks = new Set(withRef.flatMap((q) => [q.subject, q.object, q.graph].filter(isBlank).map((t) => t.value)));
    const added = withNode.filter((q) => !skeletonQuads.has(quadKey(q)));
    stats.partsComputed++;
    const quads = relabel(added, `p${stats.partsComputed}x`);
    // The part's quads must stand alone (none may touch a node of the skeleton: a reverse
    // property, say), and the skeleton itself must come out of the decomposition exactly:
    // its reference form plus the part's quads canonicalize as the skeleton with the part does.
    const touchesSkeleton = added.some((q) => [q.subject, q.object, q.graph].some((t) => isBlank(t) && skeletonBlanks.has(t.value)));
    const canonical = (dataset: Quad[]): Promise<string> => rdfCanonize.canonize(dataset, { algorithm: 'RDFC-1.0', format: 'application/n-quads' }) as Promise<string>;
    if (touchesSkeleton || (await canonical(withNode)) !== (await canonical(union([relabel(withRef, 'r'), quads])))) {
      parts.set(key, { refused: true });
      return undefined;
    }
    parts.set(key, quads);
    return quads;
  }

  async function canonize(input: unknown, options: CanonizeOptions): Promise<string> {
    if (!isObject(input) || !typesOf(input).some((t) => FAST_TYPES.has(t)) || 'proof' in input) {
      stats.general++;
      return general(input, options);
    }
    const taken: Array<{ path: readonly string[]; id: string; quads: Quad[] }> = [];
    for (const path of PART_PATHS) {
      const found = walk(input, path);
      const id = found ? cacheablePart(found.node) : undefined;
      if (!found || id === undefined) continue;
      let quads: Quad[] | undefined;
      try {
        quads = await partQuads(input, path, found.node, id, options);
      } catch {
        quads = undefined; // the general path reports the error in its own words
      }
      if (quads) taken.push({ path, id, quads });
    }
    if (taken.length === 0) {
      stats.general++;
      return general(input, options);
    }
    const rest = relabel((await jsonld.toRDF(withReferences(input, taken), toRdfOptions(options))) as Quad[], 'r');
    const dataset = union([rest, ...taken.map((t) => t.quads)]);
    stats.fast++;
    return rdfCanonize.canonize(dataset, { algorithm: 'RDFC-1.0', format: 'application/n-quads', ...pickCanonizeOptions(options) }) as Promise<string>;
  }

  return { canonize, stats };
}

/** The options rdf-canonize itself reads (the general path passes the caller's through). */
function pickCanonizeOptions(options: CanonizeOptions): CanonizeOptions {
  const out: CanonizeOptions = {};
  for (const key of ['maxWorkFactor', 'maxDeepIterations', 'signal', 'messageDigestAlgorithm', 'canonicalIdMap']) if (key in options) out[key] = options[key];
  return out;
}
