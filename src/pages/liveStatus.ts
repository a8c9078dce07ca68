// The live status of a badge for people: valid, revoked, suspended or expired. It reads the
// published Bitstring Status List credentials the badge points to (W3C Bitstring Status List
// §3: multibase base64url of a GZIP-compressed bitstring, bit 0 the most significant bit of
// the first byte), so the page shows exactly what any verifier would see. Lists are decoded with
// the verifier's bounded decoder, once per published version: a page view reads a kept bitstring.
import { LRUCache } from 'lru-cache';
import { decodeStatusList, getBit } from '../status/bitstring.js';

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

const bitOf = (bits: Uint8Array | undefined, index: number): boolean | undefined =>
  bits !== undefined && Number.isInteger(index) && index >= 0 && index < bits.length * 8 ? getBit(bits, index) : undefined;

/** The bits of an encodedList (bounded: see decodeStatusList), or undefined when it cannot be decoded. */
function decodeOrUndefined(encodedList: string): Uint8Array | undefined {
  try {
    return decodeStatusList(encodedList);
  } catch {
    return undefined;
  }
}

/** The bit at `index` of an encodedList, or undefined when the list cannot be decoded or is too short. */
export function statusBit(encodedList: string, index: number): boolean | undefined {
  return bitOf(decodeOrUndefined(encodedList), index);
}

/** Reads bits of published lists, decoding each list once per version (its encodedList). */
export interface StatusBitReader {
  bit(url: string, encodedList: string, index: number): boolean | undefined;
  /** How many times a list was decoded (a page view of an unchanged list decodes nothing). */
  decodes(): number;
}

/** The lists a service publishes are few: a small LRU (entries and decoded bytes) holds them. */
export function createStatusBitReader(bounds: { max: number; maxBytes: number } = { max: 64, maxBytes: 16 * 1024 * 1024 }): StatusBitReader {
  const kept = new LRUCache<string, { encodedList: string; bits: Uint8Array | undefined }>({
    max: bounds.max,
    maxSize: bounds.maxBytes,
    sizeCalculation: (entry) => Math.max(1, entry.encodedList.length + (entry.bits?.length ?? 0)),
  });
  let decodes = 0;
  return {
    bit(url, encodedList, index) {
      let entry = kept.get(url);
      // A new version of the list has another encodedList: decode it, once.
      if (!entry || entry.encodedList !== encodedList) {
        decodes++;
        entry = { encodedList, bits: decodeOrUndefined(encodedList) };
        kept.set(url, entry);
      }
      return bitOf(entry.bits, index);
    },
    decodes: () => decodes,
  };
}

export async function liveStatus(credential: Json, loadList: StatusListLoader, now = new Date(), reader?: StatusBitReader): Promise<LiveStatus> {
  let unknown: string | undefined;
  let suspended = false;
  for (const value of list(credential.credentialStatus)) {
    const entry = value as Json;
    if (entry.type !== 'BitstringStatusListEntry' || typeof entry.statusListCredential !== 'string') continue;
    const index = Number(entry.statusListIndex);
    const listCredential = await loadList(entry.statusListCredential);
    const subject = listCredential?.credentialSubject as Json | undefined;
    const encodedList = subject?.encodedList;
    const bit = typeof encodedList !== 'string' ? undefined : reader ? reader.bit(entry.statusListCredential, encodedList, index) : statusBit(encodedList, index);
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

/** How a page shows each live status: its label and the tone of its pill. */
export const STATUS_PILL: Record<LiveStatus['state'], { label: string; tone: string }> = {
  valid: { label: 'Valid', tone: 'ok' },
  revoked: { label: 'Revoked', tone: 'bad' },
  suspended: { label: 'Suspended', tone: 'warn' },
  expired: { label: 'Expired', tone: 'warn' },
  unknown: { label: 'Status unknown', tone: 'warn' },
};
