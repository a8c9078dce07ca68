// Issuance throughput: credentials per second (1) signed by the plain @digitalbazaar/vc issue
// loop (the baseline: the library's own Multikey signer, one core), (2) awarded one after
// another in-process (mastery check, build, schema, sign, store), and (3) awarded as batches of
// 1,000 and 10,000 rows through the batch runner on the signing pool. `batchVsBaseline` is the
// 1,000-row batch's rate over the baseline's.
//
// Method. Every run awards or signs the same kind of credential (the one POST /awards builds for
// an email recipient with five observations). The baseline signs exactly those unsigned
// credentials, built beforehand, so it does less than an award (no database, no checks): the
// ratio is conservative. It runs in its own process (bench/plainBaseline.ts) so that educred's
// jsonld changes (src/signing/jsonldContextClone.ts, static contexts) do not reach it. Each
// measurement starts after a warm-up that fills jsonld's caches. Batches include storing the
// rows, the awards (group commits, synchronous=FULL) and the audit rows, as the server does.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { credentialUrl, issueAward } from '../src/awards/issueAward.js';
import { findCompetency } from '../src/competencies/framework.js';
import { toAchievement } from '../src/credentials/achievement.js';
import { buildOpenBadgeCredential } from '../src/credentials/openBadge.js';
import { newSalt } from '../src/credentials/recipient.js';
import { startIssuance } from '../src/issuance.js';
import type { JsonObject } from '../src/signing/suites.js';
import { awardRequest, BENCH_BASE_URL, createBenchInstance, peakRssMiB, type BenchInstance } from './instance.js';
import type { Row } from './report.js';

export interface Throughput {
  name: string;
  credentials: number;
  seconds: number;
  perSecond: number;
  workers: number;
}

const execFileAsync = promisify(execFile);

const rate = (n: number, ms: number): number => Math.round((n / ms) * 1000 * 10) / 10;
const throughput = (name: string, n: number, ms: number, workers: number): Throughput => ({ name, credentials: n, seconds: Math.round(ms) / 1000, perSecond: rate(n, ms), workers });

/** The unsigned credentials issueAward would build for `n` awards. */
function unsignedCredentials(instance: BenchInstance, n: number): JsonObject[] {
  const { issuer, framework } = instance.runtime;
  const competency = findCompetency(framework, 'formative-assessment');
  if (!competency) throw new Error('the built-in framework lost formative-assessment');
  const achievement = toAchievement(BENCH_BASE_URL, framework, competency);
  return Array.from({ length: n }, (_, i) => {
    const request = awardRequest(i);
    return buildOpenBadgeCredential({
      credentialId: credentialUrl(BENCH_BASE_URL, `baseline-${i}`),
      issuer: issuer.profile,
      achievement,
      recipient: { kind: 'email', email: `educator${i}@example.edu`, salt: newSalt(), name: `Educator ${i}` },
      observations: request.evidence,
      achievedLevel: 'proficient',
      validFrom: '2026-03-10T00:00:00Z',
      awardedDate: '2026-03-10T00:00:00Z',
    });
  });
}

/**
 * The plain library loop (bench/plainBaseline.ts) in a child process, so that educred's jsonld
 * changes, loaded in this process, do not speed the baseline up.
 */
export async function baselineIssueLoop(instance: BenchInstance, n: number, processes = 1): Promise<Throughput> {
  const dir = mkdtempSync(path.join(tmpdir(), 'educred-baseline-'));
  try {
    const input = path.join(dir, 'input.json');
    const credentials = unsignedCredentials(instance, 50);
    writeFileSync(input, JSON.stringify({ keyFile: instance.config.keyFile, verificationMethod: instance.runtime.issuer.identity.verificationMethod, credentials, n, warmUp: 20 }));
    const script = fileURLToPath(new URL('./plainBaseline.ts', import.meta.url));
    // Several processes side by side (one per core) give the plain library's all-core rate.
    const runs = await Promise.all(Array.from({ length: processes }, () => execFileAsync(process.execPath, ['--import', 'tsx', script, input], { maxBuffer: 1024 * 1024 })));
    const ms = Math.max(...runs.map(({ stdout }) => (JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ms: number }).ms));
    return throughput(`baseline: plain @digitalbazaar/vc issue loop${processes > 1 ? ` × ${processes} processes` : ''}`, n * processes, ms, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Awards one at a time in-process, signing on the main thread (what POST /awards did before the pool). */
export async function sequentialAwards(instance: BenchInstance, n: number): Promise<Throughput> {
  const deps = { ...instance.runtime, baseUrl: BENCH_BASE_URL };
  for (let i = 0; i < 20; i++) await issueAward(deps, awardRequest(1_000_000 + i), { actor: 'bench' });
  const started = performance.now();
  for (let i = 0; i < n; i++) await issueAward(deps, awardRequest(2_000_000 + i), { actor: 'bench' });
  return throughput('single awards, sequential, in-thread signing', n, performance.now() - started, 0);
}

/** A batch through the batch runner on the signing pool, rows stored in SQLite as the server does. */
export async function batchAwards(instance: BenchInstance, n: number, workers: number, first: number, fastPath = true): Promise<Throughput> {
  const issuance = startIssuance({ ...instance.runtime, baseUrl: BENCH_BASE_URL, logger: pino({ level: 'silent' }) }, { workers, fastPath });
  try {
    // Warm-up: every worker imports the key and processes the contexts once.
    const warm = await issuance.batches.submit({ batchId: `warm-${first}`, actor: 'bench', source: 'json', rows: Array.from({ length: 8 * Math.max(1, workers) }, (_, i) => ({ line: i + 1, body: awardRequest(first - 1000 + i) })) });
    await warm.done;
    const before = await instance.runtime.store.awards.count();
    const rows = Array.from({ length: n }, (_, i) => ({ line: i + 2, body: awardRequest(first + i) }));
    const started = performance.now();
    const { done } = await issuance.batches.submit({ batchId: `bench-${n}-${first}`, actor: 'bench', source: 'csv', rows });
    await done;
    const ms = performance.now() - started;
    const issued = (await instance.runtime.store.awards.count()) - before;
    if (issued !== n) throw new Error(`the ${n}-row batch issued ${issued} awards`);
    return throughput(`batch of ${n.toLocaleString('en')} (worker pool${fastPath ? '' : ', general path'})`, n, ms, issuance.pool?.size ?? 0);
  } finally {
    await issuance.close();
  }
}

export interface IssuanceResults {
  baseline: Throughput;
  single: Throughput;
  batch1k: Throughput;
  batch10k: Throughput | undefined;
  batchVsBaseline: number;
  batch10kVsBaseline: number | undefined;
  peakRssMiB: number;
}

export async function benchIssuance(options: { baselineN?: number; singleN?: number; batch10k?: boolean; workers?: number } = {}): Promise<{ rows: Row[]; results: IssuanceResults }> {
  const instance = await createBenchInstance();
  try {
    const workers = options.workers ?? instance.config.signingWorkers;
    const baseline = await baselineIssueLoop(instance, options.baselineN ?? 1000);
    const single = await sequentialAwards(instance, options.singleN ?? 300);
    const batch1k = await batchAwards(instance, 1000, workers, 10_000_000);
    const batch10k = options.batch10k === false ? undefined : await batchAwards(instance, 10_000, workers, 20_000_000);
    const ratio = (t: Throughput): number => Math.round((t.perSecond / baseline.perSecond) * 100) / 100;
    const results: IssuanceResults = {
      baseline,
      single,
      batch1k,
      batch10k,
      batchVsBaseline: ratio(batch1k),
      batch10kVsBaseline: batch10k && ratio(batch10k),
      peakRssMiB: peakRssMiB(),
    };
    const rows: Row[] = [baseline, single, batch1k, ...(batch10k ? [batch10k] : [])].map((t) => ({
      run: t.name,
      credentials: t.credentials,
      seconds: t.seconds,
      'credentials/s': t.perSecond,
      'vs baseline': `${ratio(t).toFixed(2)}×`,
    }));
    return { rows, results };
  } finally {
    await instance.close();
  }
}
