// The pinned CLR 2.0 context is 1EdTech's: canonicalizing 1EdTech's own CLR 2.0 test vector with
// it yields 1EdTech's canonical N-Quads byte for byte (test/fixtures/clr/PROVENANCE.md).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jsonld from 'jsonld';
import { describe, expect, it } from 'vitest';
import { CONTEXTS_DIR, createDocumentLoader, pinnedContexts } from '../../src/signing/documentLoader.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/clr/${name}`, import.meta.url), 'utf8');
const CLR_CONTEXT = 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json';

describe('the pinned CLR 2.0 context', () => {
  it('is the file 1EdTech publishes (its SHA-256)', () => {
    const bytes = readFileSync(`${CONTEXTS_DIR}/purl.imsglobal.org_spec_clr_v2p0_context-2.0.1.jsonld`);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe('880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6');
    expect(pinnedContexts().has(CLR_CONTEXT)).toBe(true);
  });

  it("canonicalizes 1EdTech's CLR 2.0 test vector to 1EdTech's canonical form (RDFC-1.0, safe mode)", async () => {
    const document = JSON.parse(fixture('1edtech-clr-test-vector.json')) as object;
    const canon = await (jsonld as unknown as { canonize: (d: object, o: object) => Promise<string> }).canonize(document, {
      algorithm: 'RDFC-1.0',
      format: 'application/n-quads',
      documentLoader: createDocumentLoader(),
      safe: true,
    });
    expect(canon).toBe(fixture('1edtech-clr-test-vector.canon.nq'));
  });
});
