// Integrity of related resources (VC Data Model 2.0 §5.3): a relatedResource digest must match
// the digest of the resource retrieved. educred retrieves nothing while signing or verifying, so
// it checks digests against the resources it already holds byte for byte (contexts/resources/):
// the base context, which §B.1 says to treat as already retrieved and names by its SHA-256.
// The digests of any other resource are checked for their form only (dataModelRules.ts).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTEXTS_DIR } from '../signing/documentLoader.js';

/** URL → file under contexts/resources/ (provenance and digests in its README). */
const HELD_RESOURCES: Readonly<Record<string, string>> = {
  'https://www.w3.org/ns/credentials/v2': 'www.w3.org_ns_credentials_v2.jsonld',
};

/** SRI names the algorithm; a multibase digest does not, so its length picks the candidates. */
const SRI_ALGORITHMS: Readonly<Record<string, string>> = { sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };
const BY_LENGTH: Readonly<Record<number, readonly string[]>> = {
  32: ['sha256', 'sha3-256'],
  48: ['sha384', 'sha3-384'],
  64: ['sha512', 'sha3-512'],
};

const cache = new Map<string, Buffer>();
function heldBytes(url: string): Buffer | undefined {
  const file = Object.hasOwn(HELD_RESOURCES, url) ? HELD_RESOURCES[url] : undefined;
  if (!file) return undefined;
  let bytes = cache.get(file);
  if (!bytes) {
    bytes = readFileSync(path.join(CONTEXTS_DIR, 'resources', file));
    cache.set(file, bytes);
  }
  return bytes;
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

const digestOf = (bytes: Buffer, algorithm: string): Buffer => createHash(algorithm).update(bytes).digest();

/**
 * Why a relatedResource's digest does not match the resource it names, when educred holds that
 * resource; undefined when it matches, or when the resource is not held (nothing to compare).
 * Malformed digests are dataModelRules' concern and are not judged here.
 */
export function relatedResourceDigestMismatch(item: { id?: unknown; digestSRI?: unknown; digestMultibase?: unknown }): { field: 'digestSRI' | 'digestMultibase'; detail: string } | undefined {
  if (typeof item.id !== 'string') return undefined;
  const bytes = heldBytes(item.id);
  if (!bytes) return undefined;
  if (typeof item.digestSRI === 'string') {
    // SRI allows several hash expressions separated by spaces (and `?options`); any match passes.
    const expressions = item.digestSRI.trim().split(/\s+/).map((e) => e.split('?')[0] ?? '');
    const known = expressions.filter((e) => SRI_ALGORITHMS[e.slice(0, e.indexOf('-'))] !== undefined);
    const matches = known.some((e) => {
      const algorithm = SRI_ALGORITHMS[e.slice(0, e.indexOf('-'))] as string;
      return digestOf(bytes, algorithm).equals(Buffer.from(e.slice(e.indexOf('-') + 1), 'base64'));
    });
    if (known.length > 0 && !matches) return { field: 'digestSRI', detail: `does not match the digest of ${item.id}` };
  }
  if (typeof item.digestMultibase === 'string') {
    const digest = decodeMultibase(item.digestMultibase);
    const candidates = digest ? BY_LENGTH[digest.length] : undefined;
    if (digest && !candidates?.some((algorithm) => digestOf(bytes, algorithm).equals(digest))) {
      return { field: 'digestMultibase', detail: `does not match the digest of ${item.id}` };
    }
  }
  return undefined;
}
