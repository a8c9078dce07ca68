// Rules of the W3C VC Data Model 2.0 that JSON-LD processing does not enforce, checked the same
// way before signing (a caller's credential) and when verifying (anyone's):
// §4.5 the objects of credentialSchema, credentialStatus, evidence, refreshService and
// termsOfUse name their type; §4.11 a credentialSchema has an id that is a URL; §5.3 each
// relatedResource is an object with a unique URL id and a digest, and a digest of a resource
// educred holds (the base context) matches it (relatedResourceDigests.ts).
import { isObject, type Json } from './jsonValues.js';
import { relatedResourceDigestMismatch } from './relatedResourceDigests.js';

export interface DataModelProblem {
  pointer: string;
  detail: string;
}

const TYPED_PROPERTIES = ['credentialSchema', 'credentialStatus', 'evidence', 'refreshService', 'termsOfUse'] as const;
const SRI = /^sha(256|384|512)-[A-Za-z0-9+/_-]+={0,2}$/;
/** Multibase: base64url (`u`) or base58btc (`z`), the encodings the data model names. */
const MULTIBASE = /^(u[A-Za-z0-9_-]+|z[1-9A-HJ-NP-Za-km-z]+)$/;

const isUrl = (v: unknown): boolean => {
  if (typeof v !== 'string' || /\s/.test(v)) return false;
  try {
    return new URL(v).protocol.length > 1;
  } catch {
    return false;
  }
};
const hasType = (v: Json): boolean =>
  typeof v.type === 'string' ? v.type.length > 0 : Array.isArray(v.type) && v.type.length > 0 && v.type.every((t) => typeof t === 'string' && t.length > 0);

export function dataModelProblems(credential: Json): DataModelProblem[] {
  const problems: DataModelProblem[] = [];
  for (const property of TYPED_PROPERTIES) {
    const value = credential[property];
    if (value === undefined) continue;
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      const pointer = Array.isArray(value) ? `/${property}/${i}` : `/${property}`;
      if (!isObject(item)) return problems.push({ pointer, detail: 'must be an object' });
      if (!hasType(item)) problems.push({ pointer: `${pointer}/type`, detail: `each ${property} object must name its type` });
      if (property === 'credentialSchema' && !isUrl(item.id)) problems.push({ pointer: `${pointer}/id`, detail: 'must be the URL of the schema' });
    });
  }
  const related = credential.relatedResource;
  if (related !== undefined) {
    const items = Array.isArray(related) ? related : [related];
    if (items.length === 0) problems.push({ pointer: '/relatedResource', detail: 'must hold at least one related resource' });
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const pointer = Array.isArray(related) ? `/relatedResource/${i}` : '/relatedResource';
      if (!isObject(item)) return problems.push({ pointer, detail: 'must be an object with id and digestSRI or digestMultibase' });
      if (!isUrl(item.id)) problems.push({ pointer: `${pointer}/id`, detail: 'must be the URL of the resource' });
      else if (seen.has(item.id as string)) problems.push({ pointer: `${pointer}/id`, detail: `${String(item.id)} is listed twice` });
      else seen.add(item.id as string);
      if (item.digestSRI === undefined && item.digestMultibase === undefined) problems.push({ pointer, detail: 'must have digestSRI or digestMultibase' });
      if (item.digestSRI !== undefined && !(typeof item.digestSRI === 'string' && SRI.test(item.digestSRI))) {
        problems.push({ pointer: `${pointer}/digestSRI`, detail: 'must be a Subresource Integrity value (sha256-, sha384- or sha512- and the base64 digest)' });
      }
      if (item.digestMultibase !== undefined && !(typeof item.digestMultibase === 'string' && MULTIBASE.test(item.digestMultibase))) {
        problems.push({ pointer: `${pointer}/digestMultibase`, detail: 'must be a multibase-encoded digest' });
      }
      const mismatch = relatedResourceDigestMismatch(item);
      if (mismatch) problems.push({ pointer: `${pointer}/${mismatch.field}`, detail: mismatch.detail });
      if (item.mediaType !== undefined && typeof item.mediaType !== 'string') problems.push({ pointer: `${pointer}/mediaType`, detail: 'must be a media type string' });
    });
  }
  return problems;
}

/**
 * Rules checked only before signing a caller's credential (the verifier reports the same facts
 * in its own checks, e.g. a validity window in `dates`, not as a malformed credential):
 * VC DM 2.0 §4.9 a credential is valid from `validFrom` until `validUntil`, so `validFrom` may
 * not be later than `validUntil` (VC 1.1 §4.6/§4.7: `issuanceDate` and `expirationDate` likewise);
 * Bitstring Status List §2.1 a `statusListIndex` is an integer ≥ 0 written in base 10.
 */
export function issueSideProblems(credential: Json): DataModelProblem[] {
  const problems: DataModelProblem[] = [];
  for (const [from, until] of [['validFrom', 'validUntil'], ['issuanceDate', 'expirationDate']] as const) {
    const start = credential[from];
    const end = credential[until];
    if (typeof start !== 'string' || typeof end !== 'string') continue;
    const [a, b] = [Date.parse(start), Date.parse(end)];
    if (!Number.isNaN(a) && !Number.isNaN(b) && a > b) {
      problems.push({ pointer: `/${until}`, detail: `must not be earlier than ${from} (${start}): the credential would never be valid` });
    }
  }
  const status = credential.credentialStatus;
  const entries = Array.isArray(status) ? status : status === undefined ? [] : [status];
  entries.forEach((entry, i) => {
    if (!isObject(entry) || entry.statusListIndex === undefined) return;
    if (!(typeof entry.statusListIndex === 'string' && /^(0|[1-9][0-9]*)$/.test(entry.statusListIndex))) {
      const pointer = Array.isArray(status) ? `/credentialStatus/${i}/statusListIndex` : '/credentialStatus/statusListIndex';
      problems.push({ pointer, detail: `must be a non-negative integer written in base 10 as a string (got ${JSON.stringify(entry.statusListIndex)})` });
    }
  });
  return problems;
}
