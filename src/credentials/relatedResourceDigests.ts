// Integrity of related resources (VC Data Model 2.0 §5.3): a relatedResource digest must match
// the digest of the resource retrieved. educred retrieves nothing while signing or verifying, so
// it checks digests against the resources it already holds byte for byte (contexts/resources/):
// the base context, which §B.1 says to treat as already retrieved and names by its SHA-256, in
// its Recommendation revision and its 2024 CR2 revision (credentials and the W3C suite's
// fixtures carry digests of either). Other resources' digests are checked for form only
// (dataModelRules.ts).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTEXTS_DIR } from '../signing/documentLoader.js';

/** URL → the revisions held, files under contexts/resources/ (provenance and digests in its README). */
const HELD_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  'https://www.w3.org/ns/credentials/v2': ['www.w3.org_ns_credentials_v2.jsonld', 'www.w3.org_ns_credentials_v2.2024-cr2.jsonld'],
};

/** SRI names the algorithm; a multibase digest does not, so its length picks the candidates. */
// Maps, not object literals: a caller's `constructor-…` must not find Object.prototype's.
const SRI_ALGORITHMS: ReadonlyMap<string, string> = new Map([['sha256', 'sha256'], ['sha384', 'sha384'], ['sha512', 'sha512']]);
const BY_LENGTH: ReadonlyMap<number, readonly string[]> = new Map([
  [32, ['sha256', 'sha3-256']],
  [48, ['sha384', 'sha3-384']],
  [64, ['sha512', 'sha3-512']],
]);

const cache = new Map<string, Buffer>();
/** Every held revision of the resource at `url` (none when it is not held). */
function heldRevisions(url: string): Buffer[] {
  const files = Object.hasOwn(HELD_RESOURCES, url) ? (HELD_RESOURCES[url] ?? []) : [];
  return files.map((file) => {
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = readFileSync(path.join(CONTEXTS_DIR, 'resources', file));
      cache.set(file, bytes);
    }
    return bytes;
  });
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function decodeBase58(text: string): Buffer | undefined {
  let value = 0n;
  for (const char of text) {
    const digit = BASE58.indexOf(char);
    if (digit < 0) return undefined;
    value = value * 58n + BigInt(digit);
  }
  const hex = value === 0n ? '' : value.toString(16);
  const body = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  const leadingZeros = text.length - text.replace(/^1+/, '').length;
  return Buffer.concat([Buffer.alloc(leadingZeros), body]);
}

function decodeMultibase(value: string): Buffer | undefined {
  if (value.startsWith('u')) return Buffer.from(value.slice(1), 'base64url');
  if (value.startsWith('z')) return decodeBase58(value.slice(1));
  return undefined;
}

/** Whether `digest` is the `algorithm` digest of one of the revisions. */
const digestOfAny = (revisions: Buffer[], algorithm: string, digest: Buffer): boolean =>
  revisions.some((bytes) => createHash(algorithm).update(bytes).digest().equals(digest));

/**
 * Why a relatedResource's digest does not match the resource it names, when educred holds that
 * resource; undefined when it matches one held revision, or when the resource is not held
 * (nothing to compare).
 * Malformed digests are dataModelRules' concern and are not judged here.
 */
export function relatedResourceDigestMismatch(item: { id?: unknown; digestSRI?: unknown; digestMultibase?: unknown }): { field: 'digestSRI' | 'digestMultibase'; detail: string } | undefined {
  if (typeof item.id !== 'string') return undefined;
  const revisions = heldRevisions(item.id);
  if (revisions.length === 0) return undefined;
  if (typeof item.digestSRI === 'string') {
    // SRI allows several hash expressions separated by spaces (and `?options`); any match passes.
    const expressions = item.digestSRI.trim().split(/\s+/).map((e) => e.split('?')[0] ?? '');
    const known = expressions.flatMap((e) => {
      const algorithm = SRI_ALGORITHMS.get(e.slice(0, e.indexOf('-')));
      return algorithm ? [{ algorithm, digest: Buffer.from(e.slice(e.indexOf('-') + 1), 'base64') }] : [];
    });
    const matches = known.some(({ algorithm, digest }) => digestOfAny(revisions, algorithm, digest));
    if (known.length > 0 && !matches) return { field: 'digestSRI', detail: `does not match the digest of ${item.id}` };
  }
  if (typeof item.digestMultibase === 'string') {
    const digest = decodeMultibase(item.digestMultibase);
    const candidates = digest ? BY_LENGTH.get(digest.length) : undefined;
    if (digest && !candidates?.some((algorithm) => digestOfAny(revisions, algorithm, digest))) {
      return { field: 'digestMultibase', detail: `does not match the digest of ${item.id}` };
    }
  }
  return undefined;
}
