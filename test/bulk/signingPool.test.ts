// The signing pool signs in worker threads exactly what the main thread would sign: same
// suite, same verification method, byte-identical proofs for the same `created` time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { PROOF_SUITES } from '../../src/config.js';
import { createApp } from '../../src/app.js';
import { createSigningPool, withSigningPool, type SigningPool } from '../../src/signing/signingPool.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { libraryCheckStatus } from '../helpers/status.js';

let t: TestInstance;
let pool: SigningPool;
let unsigned: Record<string, unknown>;

beforeAll(async () => {
  t = await createTestInstance();
  const { issuer } = t.runtime;
  pool = createSigningPool({ key: issuer.key, verificationMethod: issuer.identity.verificationMethod, suite: issuer.suite, size: 2 });
  const res = await postJson(t.app, '/awards', awardBody());
  const { credential } = (await res.json()) as { credential: Record<string, unknown> };
  const { proof: _proof, ...rest } = credential;
  unsigned = rest;
});
afterAll(async () => {
  await pool.close();
  await t.close();
});

describe('signing pool', () => {
  it.each(PROOF_SUITES)('signs with %s exactly as the main thread does', async (suite) => {
    const created = new Date('2026-04-01T12:00:00Z');
    const local = await t.runtime.issuer.sign(unsigned, { suite, created });
    const pooled = await pool.sign(unsigned, { suite, created });
    expect(pooled).toEqual(local);
    expect(JSON.stringify(pooled)).toBe(JSON.stringify(local));
  });

  it('signs many credentials concurrently, each verifiable, on every worker', async () => {
    const pooledIssuer = withSigningPool(t.runtime.issuer, pool);
    const signed = await Promise.all(Array.from({ length: 12 }, (_, i) => pooledIssuer.sign({ ...unsigned, id: `${String(unsigned.id)}-${i}` })));
    expect(new Set(signed.map((s) => s.id)).size).toBe(12);
    const result = await vc.verifyCredential({ credential: signed[11], suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader });
    expect(result.verified).toBe(true);
  });

  it('reports an unknown context as the main thread does (error name, message, URL)', async () => {
    const hostile = { ...unsigned, '@context': [...(unsigned['@context'] as string[]), 'https://evil.example/context.jsonld'] };
    const local = (await t.runtime.issuer.sign(hostile).catch((e: unknown) => e)) as Error;
    const pooled = (await pool.sign(hostile).catch((e: unknown) => e)) as Error;
    expect(pooled.name).toBe(local.name);
    expect(pooled.message).toBe(local.message);
    expect(JSON.stringify(pooled)).toContain('https://evil.example/context.jsonld');
  });

  it('makes POST /credentials/issue answer a rejected credential exactly as in-thread signing does', async () => {
    const pooledApp = createApp({ ...t.deps, issuer: withSigningPool(t.runtime.issuer, pool) });
    for (const credential of [
      { ...unsigned, '@context': [...(unsigned['@context'] as string[]), 'https://evil.example/context.jsonld'] },
      { ...unsigned, unknownTerm: 'x' },
    ]) {
      const local = await postJson(t.app, '/credentials/issue', { credential });
      const pooled = await postJson(pooledApp, '/credentials/issue', { credential });
      expect(pooled.status).toBe(local.status);
      // Each answer names its own request (`instance`); everything else is the same.
      const { instance: pooledInstance, ...pooledBody } = (await pooled.json()) as Record<string, unknown>;
      const { instance: localInstance, ...localBody } = (await local.json()) as Record<string, unknown>;
      expect(pooledInstance).not.toBe(localInstance);
      expect(pooledBody).toEqual(localBody);
    }
  });

  it('reports a safe-mode failure with the jsonld error name and details', async () => {
    const error = (await pool.sign({ ...unsigned, unknownTerm: 'x' }).catch((e: unknown) => e)) as { name?: string; details?: unknown };
    expect(error.name).toBe('jsonld.ValidationError');
    expect(error.details).toMatchObject({ event: { code: expect.any(String) } });
  });
});
