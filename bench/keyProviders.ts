// Signing through each key provider (issue 19): the key file (node:crypto in the signing
// thread) against a PKCS#11 token (SoftHSM2, CKM_EDDSA through pkcs11js). Two measurements per
// provider: raw Ed25519 signatures (one at a time, and 8 in flight, each on its own token
// session), and whole credentials (eddsa-rdfc-2022: canonicalization plus signature) on the main
// thread and through the signing pool, whose workers relay each signature to the token in the
// main thread. Skipped, saying so, where SoftHSM2 is missing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveDidKey } from '../src/signing/did.js';
import { createDocumentLoader } from '../src/signing/documentLoader.js';
import { createIssuer } from '../src/signing/issuer.js';
import type { KeyProvider } from '../src/signing/keyProvider.js';
import { generateMultikey, importIssuerKey, readKeyFile, writeKeyFile } from '../src/signing/keys.js';
import { generateTokenKey, openPkcs11KeyProvider } from '../src/signing/pkcs11.js';
import { createSigningPool, withSigningPool } from '../src/signing/signingPool.js';
import { createSoftHsm, hasSoftHsm, SOFTHSM_SKIP_REASON } from '../test/helpers/softhsm.js';
import { ms, type Row } from './report.js';
import { sampleCredential } from './signing.js';

export interface KeyProviderResult {
  provider: string;
  rawPerSecond: number;
  rawMs: number;
  raw8InFlightPerSecond: number;
  credentialsPerSecond: number;
  credentialMs: number;
  poolWorkers: number;
  poolCredentialsPerSecond: number;
}

async function perSecond(n: number, inFlight: number, run: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) await run(next++);
  }));
  return (n * 1000) / (performance.now() - started);
}

async function measure(name: string, key: KeyProvider, n: number, workers: number): Promise<KeyProviderResult> {
  const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey });
  const issuer = createIssuer({ key, suite: 'eddsa-rdfc-2022', documentLoader, name: 'educred bench issuer' });
  const credential = sampleCredential(issuer);
  const message = new Uint8Array(64).fill(7);
  await perSecond(200, 1, () => key.sign(message)); // warm-up
  const raw = await perSecond(n * 10, 1, () => key.sign(message));
  const raw8 = await perSecond(n * 10, 8, () => key.sign(message));
  await perSecond(20, 1, () => issuer.sign(credential));
  const credentials = await perSecond(n, 1, () => issuer.sign(credential));
  const pool = createSigningPool({ key, verificationMethod: issuer.identity.verificationMethod, suite: issuer.suite, size: workers });
  try {
    const pooled = withSigningPool(issuer, pool);
    await perSecond(20, workers * 4, () => pooled.sign(credential));
    const poolRate = await perSecond(n, workers * 4, () => pooled.sign(credential));
    return {
      provider: name,
      rawPerSecond: Math.round(raw),
      rawMs: ms(1000 / raw),
      raw8InFlightPerSecond: Math.round(raw8),
      credentialsPerSecond: Math.round(credentials),
      credentialMs: ms(1000 / credentials),
      poolWorkers: workers,
      poolCredentialsPerSecond: Math.round(poolRate),
    };
  } finally {
    await pool.close();
  }
}

export async function benchKeyProviders(n = 200, workers = 2): Promise<{ rows: Row[]; results: KeyProviderResult[] }> {
  const results: KeyProviderResult[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'educred-bench-keys-'));
  try {
    const keyFile = path.join(dir, 'issuer.json');
    writeKeyFile(keyFile, await generateMultikey());
    results.push(await measure('key file (node:crypto)', await importIssuerKey(readKeyFile(keyFile), keyFile), n, workers));
    if (hasSoftHsm) {
      const hsm = createSoftHsm('educred-bench');
      try {
        const config = { module: hsm.module, token: hsm.token, pinFile: hsm.pinFile, keyLabel: 'educred-bench' };
        await generateTokenKey(config);
        const provider = await openPkcs11KeyProvider(config);
        try {
          results.push(await measure('PKCS#11 SoftHSM2 (CKM_EDDSA)', provider, n, workers));
        } finally {
          await provider.close();
        }
      } finally {
        hsm.remove();
      }
    } else {
      process.stdout.write(`${SOFTHSM_SKIP_REASON}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = results.map((r) => ({
    provider: r.provider,
    'raw sig/s': r.rawPerSecond,
    'raw ms': r.rawMs,
    'raw sig/s (8 in flight)': r.raw8InFlightPerSecond,
    'creds/s main thread': r.credentialsPerSecond,
    'ms/cred': r.credentialMs,
    [`creds/s pool (${r.poolWorkers} workers)`]: r.poolCredentialsPerSecond,
  }));
  return { rows, results };
}
