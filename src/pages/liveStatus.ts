// The live status of a badge for people: valid, revoked, suspended or expired. It reads the
// published Bitstring Status List credentials the badge points to (W3C Bitstring Status List
// §3: multibase base64url of a GZIP-compressed bitstring, bit 0 the most significant bit of
// the first byte), so the page shows exactly what any verifier would see.
import { gunzipSync } from 'node:zlib';

export type LiveState = 'valid' | 'revoked' | 'suspended' | 'expired' | 'unknown';

export interface LiveStatus {
  state: LiveState;
  /** One sentence for the page. */
  detail: string;
}

/** Loads a status list credential by URL; undefined when it cannot be had. */
export type StatusListLoader = (url: string) => Promise<Record<string, unknown> | undefined>;

type Json = Record<string, unknown>;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** The bit at `index` of an encodedList, or undefined when the list cannot be decoded or is too short. */
export function statusBit(encodedList: string, index: number): boolean | undefined {
  try {
    const base64url = encodedList.startsWith('u') ? encodedList.slice(1) : encodedList;
    const bits = gunzipSync(Buffer.from(base64url, 'base64url'));
    const byte = bits[Math.floor(index / 8)];
    if (byte === undefined) return undefined;
    return ((byte >> (7 - (index % 8))) & 1) === 1;
  } catch {
    return undefined;
  }
}

export async function liveStatus(credential: Json, loadList: StatusListLoader, now = new Date()): Promise<LiveStatus> {
  let unknown: string | undefined;
  let suspended = false;
  for (const value of list(credential.credentialStatus)) {
    const entry = value as Json;
    if (entry.type !== 'BitstringStatusListEntry' || typeof entry.statusListCredential !== 'string') continue;
    const index = Number(entry.statusListIndex);
    const listCredential = await loadList(entry.statusListCredential);
    const subject = listCredential?.credentialSubject as Json | undefined;
    const bit = typeof subject?.encodedList === 'string' && Number.isInteger(index) ? statusBit(subject.encodedList, index) : undefined;
    if (bit === undefined) {
      unknown = `The ${String(entry.statusPurpose)} status list could not be read.`;
      continue;
    }
    if (bit && entry.statusPurpose === 'revocation') return { state: 'revoked', detail: 'The issuer has revoked this badge. It is no longer valid.' };
    if (bit && entry.statusPurpose === 'suspension') suspended = true;
  }
  if (suspended) return { state: 'suspended', detail: 'The issuer has suspended this badge for now. It is not valid while suspended.' };
  if (unknown) return { state: 'unknown', detail: unknown };
  if (typeof credential.validUntil === 'string' && Date.parse(credential.validUntil) <= now.getTime()) {
    return { state: 'expired', detail: `This badge expired on ${credential.validUntil.slice(0, 10)}.` };
  }
  return { state: 'valid', detail: 'The issuer has not revoked or suspended this badge.' };
}
