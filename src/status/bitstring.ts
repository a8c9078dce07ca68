// The bitstring of a status list and its published form (W3C Bitstring Status List §2.1,
// §3.2): `encodedList` is the multibase base64url ('u' prefix, no padding) of the GZIP-compressed
// bitstring, and index 0 is the left-most (most significant) bit of the first byte.
import { gunzipSync, gzipSync } from 'node:zlib';

/** The spec's minimum list length in bits (16 KB): smaller lists give too little herd privacy. */
export const MIN_STATUS_LIST_LENGTH = 131_072;

/**
 * The longest list this verifier decodes: 2^24 entries (2 MiB), 128 times the minimum. The spec
 * sets a minimum (§2.2 "the uncompressed bitstring MUST be at least 16KB", §3.2 step 9
 * minimumNumberOfEntries) and no maximum, and GZIP lets a few kilobytes inflate to gigabytes.
 * 16.7 million credentials is more than any educational issuer signs into one list (an issuer
 * that large shards its lists); a longer list is refused, not decoded.
 */
export const MAX_STATUS_LIST_LENGTH = 16_777_216;
export const MAX_STATUS_LIST_BYTES = MAX_STATUS_LIST_LENGTH / 8;

/** A zeroed bitstring of `length` bits (a multiple of 8). */
export function createBitstring(length: number): Uint8Array {
  if (!Number.isInteger(length) || length <= 0 || length % 8 !== 0) throw new RangeError(`A status list length must be a positive multiple of 8 (got ${length})`);
  return new Uint8Array(length / 8);
}

export function getBit(bits: Uint8Array, index: number): boolean {
  const byte = bits[index >> 3];
  if (byte === undefined || index < 0) throw new RangeError(`Index ${index} is outside a list of ${bits.length * 8} entries`);
  return ((byte >> (7 - (index & 7))) & 1) === 1;
}

export function setBit(bits: Uint8Array, index: number, value: boolean): void {
  const byte = bits[index >> 3];
  if (byte === undefined || index < 0) throw new RangeError(`Index ${index} is outside a list of ${bits.length * 8} entries`);
  const mask = 1 << (7 - (index & 7));
  bits[index >> 3] = value ? byte | mask : byte & ~mask;
}

export function encodeStatusList(bits: Uint8Array): string {
  return 'u' + gzipSync(bits).toString('base64url');
}

export class MalformedStatusListError extends Error {
  readonly code: 'status_list_malformed' | 'status_list_too_large' = 'status_list_malformed';
}

/** The list inflates to more than the decoder was allowed: it is refused, never kept. */
export class StatusListTooLargeError extends MalformedStatusListError {
  override readonly code = 'status_list_too_large';
  constructor(readonly maxBytes: number) {
    super(`encodedList inflates to more than ${maxBytes} bytes (${maxBytes * 8} entries), more than this verifier decodes`);
  }
}

/**
 * Decodes an `encodedList`, inflating at most `maxBytes` (default MAX_STATUS_LIST_BYTES);
 * throws MalformedStatusListError for anything that is not multibase base64url GZIP, and
 * StatusListTooLargeError for a list that inflates to more.
 */
export function decodeStatusList(encodedList: string, maxBytes: number = MAX_STATUS_LIST_BYTES): Uint8Array {
  if (typeof encodedList !== 'string' || !encodedList.startsWith('u')) {
    throw new MalformedStatusListError("encodedList must be multibase base64url (starting with 'u')");
  }
  const body = encodedList.slice(1);
  if (!/^[A-Za-z0-9_-]*$/.test(body)) throw new MalformedStatusListError('encodedList holds characters outside base64url');
  const limit = Math.min(maxBytes, MAX_STATUS_LIST_BYTES);
  if (limit < 1) throw new StatusListTooLargeError(limit);
  try {
    // zlib stops at maxOutputLength: a hostile "zip bomb" list never grows past the limit.
    return new Uint8Array(gunzipSync(Buffer.from(body, 'base64url'), { maxOutputLength: limit }));
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new StatusListTooLargeError(limit);
    throw new MalformedStatusListError(`encodedList is not GZIP data: ${(cause as Error).message}`, { cause });
  }
}
