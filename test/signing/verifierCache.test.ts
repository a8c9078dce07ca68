// The cached Ed25519 verifier (src/signing/verifierCache.ts) answers exactly as the library's own:
// good signatures pass, altered data or signatures and other keys fail, a method the library
// refuses is refused every time (and not remembered).
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { describe, expect, it } from 'vitest';
import { createCachedVerifier } from '../../src/signing/verifierCache.js';

async function keyPair(controller: string) {
  const key = await Ed25519Multikey.generate({ controller });
  const exported = (await key.export({ publicKey: true, includeContext: true })) as Record<string, unknown>;
  return { key, method: exported };
}

describe('the cached Ed25519 verifier', () => {
  it('agrees with the library on good and bad signatures', async () => {
    const { key, method } = await keyPair('did:example:issuer');
    const other = await keyPair('did:example:other');
    const data = new TextEncoder().encode('canonical N-Quads hash');
    const signature = await key.signer().sign({ data });
    const library = (await Ed25519Multikey.from(method)).verifier();
    for (let round = 0; round < 2; round++) {
      const cached = await createCachedVerifier({ verificationMethod: method });
      expect(cached.id).toBe(library.id);
      expect(cached.algorithm).toBe(library.algorithm);
      expect(await cached.verify({ data, signature })).toBe(true);
      const altered = Uint8Array.from(data);
      altered[0] = (altered[0] ?? 0) ^ 1;
      expect(await cached.verify({ data: altered, signature })).toBe(false);
      expect(await library.verify({ data: altered, signature })).toBe(false);
      const badSignature = Uint8Array.from(signature);
      badSignature[10] = (badSignature[10] ?? 0) ^ 1;
      expect(await cached.verify({ data, signature: badSignature })).toBe(false);
      const otherVerifier = await createCachedVerifier({ verificationMethod: other.method });
      expect(await otherVerifier.verify({ data, signature })).toBe(false);
    }
  });

  it('answers a malformed method as the library does, each time', async () => {
    const data = new TextEncoder().encode('x');
    const signature = new Uint8Array(64);
    const outcome = async (make: () => Promise<{ verify(i: { data: Uint8Array; signature: Uint8Array }): Promise<boolean> }>): Promise<string> => {
      try {
        return String(await (await make()).verify({ data, signature }));
      } catch (error) {
        return `error: ${(error as Error).message}`;
      }
    };
    const methods = [
      { id: 'did:example:x#k', type: 'Multikey', controller: 'did:example:x', publicKeyMultibase: 'zNotAKey' },
      { id: 'did:example:x#k', type: 'Multikey', controller: 'did:example:x' },
      { id: 'did:example:x#k', type: 'Multikey', controller: 'did:example:x', publicKeyMultibase: 'z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' },
    ];
    for (const method of methods) {
      const expected = await outcome(async () => (await Ed25519Multikey.from(method)).verifier());
      expect(await outcome(() => createCachedVerifier({ verificationMethod: method }))).toBe(expected);
      expect(await outcome(() => createCachedVerifier({ verificationMethod: method }))).toBe(expected);
    }
    // The last is a real key: a zero signature is simply false, not an error.
    expect(await outcome(() => createCachedVerifier({ verificationMethod: methods[2]! }))).toBe('false');
  });
});
