// The bitstring of a status list and its published form (W3C Bitstring Status List §2.1,
// §3.2): `encodedList` is the multibase base64url ('u' prefix, no padding) of the GZIP-compressed
// bitstring, and index 0 is the left-most (most significant) bit of the first byte.
import { gunzipSync, gzipSync } from 'node:zlib';

/** The spec's minimum list length in bits (16 KB): smaller lists give too little herd privacy. */
export const MIN_STATUS_LIST_LENGTH = 131_072;

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
  readonly code = 'status_list_malformed';
}

/** Decodes an `encodedList`; throws MalformedStatusListError for anything that is not multibase base64url GZIP. */
export function decodeStatusList(encodedList: string): Uint8Array {
  if (typeof encodedList !== 'string' || !encodedList.startsWith('u')) {
    throw new MalformedStatusListError("encodedList must be multibase base64url (starting with 'u')");
  }
  const body = encodedList.slice(1);
  if (!/^[A-Za-z0-9_-]*$/.test(body)) throw new MalformedStatusListError('encodedList holds characters outside base64url');
  try {
    // The limit keeps a hostile "zip bomb" list from exhausting memory: 16 MiB is 128 M entries.
    return new Uint8Array(gunzipSync(Buffer.from(body, 'base64url'), { maxOutputLength: 16 * 1024 * 1024 }));
  } catch (cause) {
    throw new MalformedStatusListError(`encodedList is not GZIP data: ${(cause as Error).message}`, { cause });
  }
}
