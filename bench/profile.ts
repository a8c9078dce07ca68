// `npx tsx bench/profile.ts [general|fast] [N]`: where the time of signing one Open Badge goes.
// Signs the bench's sample badge N times on one core under the V8 sampling profiler (node:inspector)
// with the fast path off or on, and prints the functions with the most self time (aggregated by
// function and file), so the closing note of issue 20 can show the profile before and after.
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { signerFor } from '../src/signing/keyProvider.js';
import { signCredential, useSigningFastPath } from '../src/signing/suites.js';
import { createBenchInstance } from './instance.js';
import { sampleCredential } from './signing.js';

interface ProfileNode {
  id: number;
  hitCount?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

const mode = process.argv[2] === 'general' ? 'general' : 'fast';
const n = Number(process.argv[3] ?? 400);

const instance = await createBenchInstance();
try {
  const { issuer } = instance.runtime;
  const credential = sampleCredential(issuer);
  const options = { suite: 'eddsa-rdfc-2022' as const, signer: signerFor(issuer.key, issuer.identity.verificationMethod), documentLoader: issuer.documentLoader, created: new Date('2026-03-10T00:00:00Z') };
  useSigningFastPath(mode === 'fast');
  for (let i = 0; i < 50; i++) await signCredential(credential, options);

  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const started = performance.now();
  for (let i = 0; i < n; i++) await signCredential(credential, options);
  const ms = performance.now() - started;
  const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples: number[] } };
  session.disconnect();

  const self = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`signing, ${mode} path: ${n} badges in ${Math.round(ms)} ms (${(ms / n).toFixed(2)} ms each, ${Math.round((n / ms) * 1000)}/s on one core)\n`);
  process.stdout.write('self time  function\n');
  for (const [key, hits] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    process.stdout.write(`${((hits / total) * 100).toFixed(1).padStart(8)}%  ${key}\n`);
  }
} finally {
  useSigningFastPath(true);
  await instance.close();
}
