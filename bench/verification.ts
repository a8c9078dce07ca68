// Verification throughput, sequential on one core, the way another state verifies: an issuer
// served on 127.0.0.1 over HTTPS (did:web, status lists), a verifier that trusts it and reaches
// it only through the guarded fetcher. Measured with caches warm (DID document and status lists
// already verified) and cold (both fetched and verified again for every verification), for one
// badge and for a wallet presentation of seven. The plain library's proof check is the floor.
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import * as vc from '@digitalbazaar/vc';
import { createApp } from '../src/app.js';
import { issueAward } from '../src/awards/issueAward.js';
import { BUILT_IN_FRAMEWORK } from '../src/competencies/framework.js';
import { createGuardedFetcher } from '../src/net/guardedFetch.js';
import { createVerifyingSuites, type JsonObject } from '../src/signing/suites.js';
import { PinnedDocuments } from '../src/verify/pinnedDocuments.js';
import { createVerifier, type CachingVerifier } from '../src/verify/verifier.js';
import { freePort } from '../test/helpers/ports.js';
import { createTestWallet } from '../test/helpers/wallet.js';
import { awardRequest, createBenchInstance, type BenchInstance } from './instance.js';
import type { Row } from './report.js';

export interface VerificationResult {
  verifier: string;
  caches: 'warm' | 'cold' | 'n/a';
  items: number;
  seconds: number;
  perSecond: number;
  msPerItem: number;
}

// Test-only loopback certificate (test/fixtures/tls/README.md).
const TLS = {
  cert: readFileSync(fileURLToPath(new URL('../test/fixtures/tls/localhost-cert.pem', import.meta.url)), 'utf8'),
  key: readFileSync(fileURLToPath(new URL('../test/fixtures/tls/localhost-key.pem', import.meta.url)), 'utf8'),
};


async function measure(name: string, caches: VerificationResult['caches'], n: number, run: () => Promise<boolean>, before?: () => void): Promise<VerificationResult> {
  for (let i = 0; i < Math.min(10, n); i++) await run();
  let ms = 0;
  for (let i = 0; i < n; i++) {
    before?.();
    const started = performance.now();
    if (!(await run())) throw new Error(`${name}: verification failed`);
    ms += performance.now() - started;
  }
  return { verifier: name, caches, items: n, seconds: Math.round(ms) / 1000, perSecond: Math.round((n / ms) * 10000) / 10, msPerItem: Math.round((ms / n) * 1000) / 1000 };
}

export async function benchVerification(n = 300): Promise<{ rows: Row[]; results: VerificationResult[] }> {
  const port = await freePort();
  const origin = `https://127.0.0.1:${port}`;
  const issuer: BenchInstance = await createBenchInstance({ BASE_URL: origin, EDUCRED_DID_WEB_DOMAIN: `127.0.0.1%3A${port}`, EDUCRED_ISSUER_NAME: 'Bench program' });
  const deps = { ...issuer.runtime, baseUrl: origin, bodyLimit: issuer.config.bodyLimit };
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: createApp(deps).fetch, port, hostname: '127.0.0.1', createServer: createHttpsServer, serverOptions: TLS }, () => resolve(s));
  });
  try {
    const wallet = await createTestWallet();
    const single: JsonObject[] = [];
    for (let i = 0; i < 20; i++) single.push((await issueAward(deps, awardRequest(i), { actor: 'bench' })).award.credential);
    const badges: JsonObject[] = [];
    for (const competency of BUILT_IN_FRAMEWORK.competencies) {
      const request = { ...awardRequest(0), recipient: { id: wallet.did, name: 'Bench educator' }, achievement: competency.code };
      badges.push((await issueAward(deps, request, { actor: 'bench' })).award.credential);
    }
    const presentation = await wallet.present({ credentials: badges, challenge: 'bench-challenge' });

    const verifier: CachingVerifier = createVerifier({
      policy: { name: 'bench', trustedIssuers: [{ id: issuer.runtime.issuer.identity.did }], trustedEndorsers: [], approvalRules: [] },
      pinned: new PinnedDocuments(),
      fetchJson: createGuardedFetcher({ allowPrivateNetworks: true, ca: TLS.cert }).fetchJson,
    });
    const oneBadge = async (i: number) => (await verifier.verifyCredential(single[i % single.length])).verified;
    let i = 0;
    const results: VerificationResult[] = [
      await measure('one badge (pipeline, status and did:web)', 'warm', n, () => oneBadge(i++)),
      await measure('one badge (pipeline, status and did:web)', 'cold', Math.max(20, n / 5), () => oneBadge(i++), () => verifier.clearCaches()),
      await measure('7-badge presentation + online-teaching rule', 'warm', Math.max(20, n / 10), async () => (await verifier.verifyPresentation(presentation, { challenge: 'bench-challenge', rule: 'online-teaching' })).approval?.approved === true),
      await measure('7-badge presentation + online-teaching rule', 'cold', Math.max(10, n / 20), async () => (await verifier.verifyPresentation(presentation, { challenge: 'bench-challenge', rule: 'online-teaching' })).approval?.approved === true, () => verifier.clearCaches()),
    ];
    // The floor: the plain library checking the proof alone (no schema, dates, status, trust).
    const suites = createVerifyingSuites();
    const documentLoader = issuer.runtime.issuer.documentLoader;
    results.push(await measure('@digitalbazaar/vc verifyCredential (proof only)', 'n/a', n, async () => (await vc.verifyCredential({ credential: single[i++ % single.length], suite: suites, documentLoader, checkStatus: async () => ({ verified: true }) })).verified));
    const rows = results.map((r) => ({ verifier: r.verifier, caches: r.caches, items: r.items, seconds: r.seconds, 'verified/s': r.perSecond, 'ms/item': r.msPerItem }));
    return { rows, results };
  } finally {
    await new Promise((done) => server.close(done));
    await issuer.close();
  }
}
