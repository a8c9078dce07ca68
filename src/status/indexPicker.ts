// Picks a status list index at random among the free ones. Random placement is what gives a
// status list herd privacy (neighbouring indexes say nothing about issue order); the pick stays
// fast when the list is almost full by switching from random probes to choosing the k-th free
// index uniformly, counted a byte at a time.
import { randomInt } from 'node:crypto';

/** Set bits per byte value, for counting free indexes eight at a time. */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let v = b; v; v >>= 1) n += v & 1;
  return n;
});

/** Random probes before counting: at 50% full, 16 probes all miss once in 65,536 picks. */
const PROBES = 16;

export type RandomInt = (maxExclusive: number) => number;

/**
 * Returns a uniformly random index whose bit is clear in `taken` (a bitmap of `size` bits,
 * index 0 the most significant bit of byte 0), or undefined when none is free. `free` is the
 * caller's count of clear bits; it decides the method, not the result.
 */
export function pickFreeIndex(taken: Uint8Array, size: number, free: number, random: RandomInt = randomInt): number | undefined {
  if (free <= 0) return undefined;
  for (let i = 0; i < PROBES; i++) {
    const index = random(size);
    if (((taken[index >> 3] ?? 0xff) & (0x80 >> (index & 7))) === 0) return index;
  }
  // Probes kept missing (the list is mostly taken): choose the k-th free index, which is
  // uniform too, in one pass over size/8 bytes (16 KB for a full-size list).
  let k = random(free);
  for (let byteIndex = 0; byteIndex < size >> 3; byteIndex++) {
    const byte = taken[byteIndex] ?? 0xff;
    const freeHere = 8 - (POPCOUNT[byte] ?? 8);
    if (k >= freeHere) {
      k -= freeHere;
      continue;
    }
    for (let bit = 0; bit < 8; bit++) {
      if ((byte & (0x80 >> bit)) === 0 && k-- === 0) return byteIndex * 8 + bit;
    }
  }
  return undefined; // `free` overstated the free indexes
}

export function countSet(bits: Uint8Array): number {
  let n = 0;
  for (const byte of bits) n += POPCOUNT[byte] ?? 0;
  return n;
}
