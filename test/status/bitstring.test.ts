// The published form of a list (W3C Bitstring Status List §3.2): multibase base64url of GZIP,
// index 0 the left-most bit of the first byte; decoding refuses what is not that.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBitstring, decodeStatusList, encodeStatusList, getBit, MalformedStatusListError, MIN_STATUS_LIST_LENGTH, setBit } from '../../src/status/bitstring.js';

describe('bitstring encoding', () => {
  it("encodes as 'u' + base64url(GZIP(bits)) and decodes back, for any set of bits", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: MIN_STATUS_LIST_LENGTH - 1 }), { maxLength: 200 }), (indexes) => {
        const bits = createBitstring(MIN_STATUS_LIST_LENGTH);
        for (const i of indexes) setBit(bits, i, true);
        const encoded = encodeStatusList(bits);
        expect(encoded.startsWith('u')).toBe(true);
        expect(encoded).not.toMatch(/[+/=]/);
        const decoded = decodeStatusList(encoded);
        expect(decoded).toEqual(bits);
        for (const i of indexes) expect(getBit(decoded, i)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('puts index 0 in the most significant bit of the first byte', () => {
    const bits = createBitstring(16);
    setBit(bits, 0, true);
    setBit(bits, 9, true);
    expect([...bits]).toEqual([0b1000_0000, 0b0100_0000]);
    setBit(bits, 0, false);
    expect(getBit(bits, 0)).toBe(false);
    expect(getBit(bits, 9)).toBe(true);
    // An independent encoder (plain node:zlib) agrees on the byte layout.
    expect(decodeStatusList('u' + gzipSync(Buffer.from([0x80, 0x01])).toString('base64url'))).toEqual(new Uint8Array([0x80, 0x01]));
  });

  it('should fail to decode a list without the multibase prefix, with non-base64url characters, or that is not GZIP', () => {
    const good = encodeStatusList(createBitstring(MIN_STATUS_LIST_LENGTH));
    expect(() => decodeStatusList(good.slice(1))).toThrow(MalformedStatusListError);
    expect(() => decodeStatusList('u+/=')).toThrow(MalformedStatusListError);
    expect(() => decodeStatusList('u' + Buffer.from('not gzip').toString('base64url'))).toThrow(MalformedStatusListError);
  });

  it('refuses indexes outside the list', () => {
    const bits = createBitstring(8);
    expect(() => getBit(bits, 8)).toThrow(RangeError);
    expect(() => setBit(bits, -1, true)).toThrow(RangeError);
  });

  it('inflates with an output limit: at most 2^24 entries (2 MiB), or less when the caller has less left', () => {
    const zeros = (bytes: number) => 'u' + gzipSync(Buffer.alloc(bytes)).toString('base64url');
    expect(decodeStatusList(zeros(2 * 1024 * 1024)).length).toBe(2 * 1024 * 1024);
    // A few KB that would inflate to 4 MiB, and to 64 MiB: refused, not decoded whole.
    expect(() => decodeStatusList(zeros(4 * 1024 * 1024))).toThrow(/inflates to more than 2097152 bytes \(16777216 entries\)/);
    expect(() => decodeStatusList(zeros(64 * 1024 * 1024))).toThrow(MalformedStatusListError);
    expect(() => decodeStatusList(zeros(32 * 1024), 16 * 1024)).toThrow(/inflates to more than 16384 bytes/);
    expect(decodeStatusList(zeros(16 * 1024), 16 * 1024).length).toBe(16 * 1024);
  });
});
