// Verification throughput: credentials per second verified one after another on one core.
// Uses the verification pipeline (src/verify/verifyCredential.ts `verifyOpenBadge`) when it
// exists, otherwise @digitalbazaar/vc verifyCredential with the service's verifying suites and
// offline document loader (proof only).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as vc from '@digitalbazaar/vc';
import { issueAward } from '../src/awards/issueAward.js';
import { createVerifyingSuites, type JsonObject } from '../src/signing/suites.js';
import { awardRequest, BENCH_BASE_URL, createBenchInstance, type BenchInstance } from './instance.js';
import type { Row } from './report.js';

export interface VerificationResult {
  verifier: string;
  credentials: number;
  seconds: number;
  perSecond: number;
  msPerCredential: number;
}

type Verify = (credential: JsonObject) => Promise<boolean>;

async function pipelineVerifier(instance: BenchInstance): Promise<{ name: string; verify: Verify } | undefined> {
  if (!existsSync(fileURLToPath(new URL('../src/verify/verifyCredential.ts', import.meta.url)))) return undefined;
  const specifier = '../src/verify/verifyCredential.js'; // a variable: the module may not exist yet
  const module = (await import(specifier)) as { verifyOpenBadge?: (credential: unknown, options?: Record<string, unknown>) => Promise<{ verified?: boolean }> };
  const verifyOpenBadge = module.verifyOpenBadge;
  if (typeof verifyOpenBadge !== 'function') return undefined;
  const { documentLoader } = instance.runtime.issuer;
  return { name: 'verifyOpenBadge (src/verify)', verify: async (credential) => (await verifyOpenBadge(credential, { documentLoader })).verified === true };
}

function libraryVerifier(instance: BenchInstance): { name: string; verify: Verify } {
  const { documentLoader } = instance.runtime.issuer;
  return {
    name: '@digitalbazaar/vc verifyCredential (proof)',
    verify: async (credential) => (await vc.verifyCredential({ credential, suite: createVerifyingSuites(), documentLoader })).verified,
  };
}

export async function benchVerification(n = 500): Promise<{ rows: Row[]; results: VerificationResult[] }> {
  const instance = await createBenchInstance();
  try {
    const deps = { ...instance.runtime, baseUrl: BENCH_BASE_URL };
    const credentials: JsonObject[] = [];
    for (let i = 0; i < 50; i++) credentials.push((await issueAward(deps, awardRequest(i), { actor: 'bench' })).award.credential);
    const verifiers = [libraryVerifier(instance)];
    const pipeline = await pipelineVerifier(instance);
    if (pipeline) verifiers.unshift(pipeline);
    const results: VerificationResult[] = [];
    for (const { name, verify } of verifiers) {
      for (let i = 0; i < 20; i++) await verify(credentials[i % credentials.length] ?? {});
      const started = performance.now();
      let failures = 0;
      for (let i = 0; i < n; i++) if (!(await verify(credentials[i % credentials.length] ?? {}))) failures++;
      const ms = performance.now() - started;
      // The pipeline may also check status or trust that the bench instance does not publish.
      if (failures > 0 && name !== pipeline?.name) throw new Error(`${name}: ${failures} of ${n} credentials did not verify`);
      results.push({ verifier: failures > 0 ? `${name} (${failures} not verified)` : name, credentials: n, seconds: Math.round(ms) / 1000, perSecond: Math.round((n / ms) * 10000) / 10, msPerCredential: Math.round((ms / n) * 1000) / 1000 });
    }
    const rows = results.map((r) => ({ verifier: r.verifier, credentials: r.credentials, seconds: r.seconds, 'verified/s': r.perSecond, 'ms/cred': r.msPerCredential }));
    return { rows, results };
  } finally {
    instance.close();
  }
}
