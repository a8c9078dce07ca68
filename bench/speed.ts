// The speed table (issue 20): the plain libraries, educred's general signing path and its fast
// path, per core and on all cores, side by side in one run on one machine.
//
// Method.
// - Plain library rows run in their own processes (bench/plainBaseline.ts, bench/plainVerify.ts),
//   so none of educred's jsonld changes reach them; their loaders tag the pinned contexts static
//   as deployed code does. "All cores" for the plain library is one process per core.
// - Signing per core: signCredential() N times in this process with the fast path off, then on
//   (the same credential, the same key; the output is byte-identical, test/signing/fastCanonize.test.ts).
// - Single awards: POST /awards against a server process (this checkout compiled with tsc, as
//   `npm start` runs it and as the compared commit is built: running the source through tsx would
//   charge this side tsx's loader hooks and not the other; SQLite with
//   synchronous=FULL, signing pool on every core), with EDUCRED_SIGNING_FAST_PATH=off and =on, at
//   1, 8 and 32 connections (autocannon; every response time kept, exact percentiles). With
//   BENCH_COMPARE_COMMIT=<commit> the same load also runs against that commit, built with tsc
//   into a temporary worktree ("today's main" before this work).
// - Batches: 1,000 rows with the fast path off and on, 10,000 with it on (the batch runner on
//   the signing pool, in this process).
// - Verification: POST /credentials/verify of one badge and POST /presentations/verify of a
//   seven-badge presentation at 8 connections (canonicalization in the workers), against the
//   plain vc.verifyCredential loop on one core.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BUILT_IN_FRAMEWORK } from '../src/competencies/framework.js';
import { signerFor } from '../src/signing/keyProvider.js';
import { signCredential, useSigningFastPath, type JsonObject } from '../src/signing/suites.js';
import { buildServer } from '../test/helpers/childServer.js';
import { createTestWallet } from '../test/helpers/wallet.js';
import { baselineIssueLoop, batchAwards, type Throughput } from './issuance.js';
import { awardRequest, createBenchInstance, type BenchInstance } from './instance.js';
import { load, type LatencyResult } from './latency.js';
import type { Row } from './report.js';
import { BENCH_ADMIN_TOKEN, startServerProcess, type ServerProcess } from './serverProcess.js';
import { sampleCredential } from './signing.js';

const execFileAsync = promisify(execFile);
const REPO = fileURLToPath(new URL('..', import.meta.url));

export interface SpeedRow {
  what: string;
  variant: string;
  cores: string;
  perSecond: number;
  p50Ms?: number | undefined;
  p99Ms?: number | undefined;
  peakRssMiB?: number | undefined;
}

export interface SpeedResults {
  rows: SpeedRow[];
  fastPathSpeedup: number;
  verifyVsBaseline: number;
  presentationsPerSecond: number;
  awards32VsGeneral: number;
  awards32VsCompared: number | null;
  comparedCommit: string | null;
  batch1kFastVsGeneral: number;
}

const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);

async function signingPerCore(n: number): Promise<{ general: number; fast: number }> {
  const instance = await createBenchInstance();
  try {
    const { issuer } = instance.runtime;
    const credential = sampleCredential(issuer);
    const signer = signerFor(issuer.key, issuer.identity.verificationMethod);
    const loop = async (fast: boolean): Promise<number> => {
      useSigningFastPath(fast);
      const options = { suite: 'eddsa-rdfc-2022' as const, signer, documentLoader: issuer.documentLoader, created: new Date('2026-03-10T00:00:00Z') };
      for (let i = 0; i < 30; i++) await signCredential(credential, options);
      const started = performance.now();
      for (let i = 0; i < n; i++) await signCredential(credential, options);
      return Math.round((n / (performance.now() - started)) * 10000) / 10;
    };
    try {
      return { general: await loop(false), fast: await loop(true) };
    } finally {
      useSigningFastPath(true);
    }
  } finally {
    await instance.close();
  }
}

async function plainVerifyLoop(credentials: JsonObject[], n: number): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'educred-plain-verify-'));
  try {
    const input = path.join(dir, 'input.json');
    writeFileSync(input, JSON.stringify({ credentials, n, warmUp: 20 }));
    const script = fileURLToPath(new URL('./plainVerify.ts', import.meta.url));
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', script, input], { maxBuffer: 1024 * 1024 });
    const { ms } = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ms: number };
    return Math.round((n / ms) * 10000) / 10;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds an earlier commit of this repository with tsc into a temporary worktree; returns its server entry. */
function buildCommit(commit: string): { entry: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'educred-compare-'));
  execFileSync('git', ['-C', REPO, 'worktree', 'add', '--detach', dir, commit], { stdio: 'ignore' });
  const remove = (): void => {
    execFileSync('git', ['-C', REPO, 'worktree', 'remove', '--force', dir], { stdio: 'ignore' });
  };
  try {
    symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
    execFileSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'ignore' });
    const entry = path.join(dir, 'dist/server.js');
    if (!existsSync(entry)) throw new Error(`building ${commit} made no dist/server.js`);
    return { entry, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

async function awardsUnderLoad(server: ServerProcess, label: string, seconds: number): Promise<LatencyResult[]> {
  let educator = 3_000_000 + Math.floor(Math.random() * 1_000_000) * 10;
  const post = (body: unknown) =>
    fetch(`${server.origin}/awards`, { method: 'POST', headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  // Warm the workers and caches.
  await Promise.all(Array.from({ length: 32 }, () => post(awardRequest(educator++))));
  const runs: LatencyResult[] = [];
  for (const connections of [1, 8, 32]) {
    runs.push(await load({ name: `POST /awards ${label}`, url: `${server.origin}/awards`, method: 'POST', nextBody: () => JSON.stringify(awardRequest(educator++)), connections, seconds }));
  }
  return runs;
}

export async function benchSpeed(options: { seconds?: number; signN?: number } = {}): Promise<{ rows: Row[]; results: SpeedResults }> {
  const seconds = options.seconds ?? Number(process.env.BENCH_SPEED_SECONDS ?? 6);
  const cores = os.availableParallelism();
  const rows: SpeedRow[] = [];

  // Signing, per core and on all cores.
  const instance: BenchInstance = await createBenchInstance();
  let plain1: Throughput;
  let plainAll: Throughput;
  try {
    plain1 = await baselineIssueLoop(instance, options.signN ?? 500);
    plainAll = await baselineIssueLoop(instance, options.signN ?? 500, cores);
  } finally {
    await instance.close();
  }
  const perCore = await signingPerCore(options.signN ?? 500);
  rows.push({ what: 'sign one badge', variant: 'plain @digitalbazaar/vc', cores: '1', perSecond: plain1.perSecond });
  rows.push({ what: 'sign one badge', variant: 'educred general path', cores: '1', perSecond: perCore.general });
  rows.push({ what: 'sign one badge', variant: 'educred fast path', cores: '1', perSecond: perCore.fast });
  rows.push({ what: 'sign one badge', variant: 'plain @digitalbazaar/vc', cores: String(cores), perSecond: plainAll.perSecond });

  // Batches on the signing pool.
  const batches = await createBenchInstance();
  let batchGeneral: Throughput;
  let batchFast: Throughput;
  let batch10k: Throughput | undefined;
  try {
    const workers = batches.config.signingWorkers;
    batchGeneral = await batchAwards(batches, 1000, workers, 40_000_000, false);
    batchFast = await batchAwards(batches, 1000, workers, 41_000_000, true);
    batch10k = process.env.BENCH_BATCH_10K === '0' ? undefined : await batchAwards(batches, 10_000, workers, 42_000_000, true);
  } finally {
    await batches.close();
  }
  rows.push({ what: 'batch of 1,000', variant: 'educred general path', cores: String(cores), perSecond: batchGeneral.perSecond });
  rows.push({ what: 'batch of 1,000', variant: 'educred fast path', cores: String(cores), perSecond: batchFast.perSecond });
  if (batch10k) rows.push({ what: 'batch of 10,000', variant: 'educred fast path', cores: String(cores), perSecond: batch10k.perSecond });

  // Single awards over HTTP: general, fast, and (optionally) an earlier commit, each compiled.
  const built = await buildServer('bench-speed');
  try {
    return await overHttp(built.entry, { cores, seconds, rows, perCore, batchGeneral, batchFast });
  } finally {
    built.remove();
  }
}

/**
 * Lets the disk finish what the previous step wrote (the 10,000-row batch leaves much to write
 * back) before a server is measured: every award waits for an fsync, and a server started
 * during another's write-back measured its disk, not itself (the first server of a run read
 * slower than the last one in earlier runs).
 */
async function settleDisk(): Promise<void> {
  await execFileAsync('sync');
  await new Promise((resolve) => setTimeout(resolve, 3000));
}

interface SoFar {
  cores: number;
  seconds: number;
  rows: SpeedRow[];
  perCore: { general: number; fast: number };
  batchGeneral: Throughput;
  batchFast: Throughput;
}

async function overHttp(entry: string, { cores, seconds, rows, perCore, batchGeneral, batchFast }: SoFar): Promise<{ rows: Row[]; results: SpeedResults }> {
  const awardRuns: Array<{ variant: string; runs: LatencyResult[]; rss: number | undefined }> = [];
  for (const [variant, env] of [
    ['educred general path', { EDUCRED_SIGNING_FAST_PATH: 'off' }],
    ['educred fast path', { EDUCRED_SIGNING_FAST_PATH: 'on' }],
  ] as const) {
    await settleDisk();
    const server = await startServerProcess({ ...env }, { compiledEntry: entry });
    try {
      awardRuns.push({ variant, runs: await awardsUnderLoad(server, variant, seconds), rss: server.peakRssMiB() });
    } finally {
      await server.stop();
    }
  }
  const comparedCommit = process.env.BENCH_COMPARE_COMMIT ?? null;
  if (comparedCommit) {
    const built = buildCommit(comparedCommit);
    try {
      await settleDisk();
      const server = await startServerProcess({}, { compiledEntry: built.entry });
      try {
        awardRuns.push({ variant: `commit ${comparedCommit.slice(0, 7)} (before)`, runs: await awardsUnderLoad(server, comparedCommit.slice(0, 7), seconds), rss: server.peakRssMiB() });
      } finally {
        await server.stop();
      }
    } finally {
      built.remove();
    }
  }
  for (const { variant, runs, rss } of awardRuns) {
    for (const run of runs) rows.push({ what: `POST /awards, ${run.connections} conn`, variant, cores: String(cores), perSecond: run.perSecond, p50Ms: run.p50Ms, p99Ms: run.p99Ms, peakRssMiB: rss });
  }

  // Verification over HTTP at 8 connections, against the plain loop on one core.
  await settleDisk();
  const server = await startServerProcess({}, { compiledEntry: entry });
  let verify: LatencyResult;
  let present: LatencyResult;
  let plainVerify: number;
  try {
    const post = async (route: string, body: unknown): Promise<Record<string, unknown>> => {
      const response = await fetch(`${server.origin}${route}`, { method: 'POST', headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await response.json()) as Record<string, unknown>;
    };
    const wallet = await createTestWallet();
    const badges: JsonObject[] = [];
    for (const competency of BUILT_IN_FRAMEWORK.competencies) {
      const answer = await post('/awards', { ...awardRequest(0), recipient: { id: wallet.did, name: 'Bench educator' }, achievement: competency.code });
      badges.push(answer.credential as JsonObject);
    }
    const presentation = await wallet.present({ credentials: badges, challenge: 'bench-challenge' });
    const [badge] = badges;
    if ((await post('/credentials/verify', { verifiableCredential: badge })).verified !== true) throw new Error('the bench badge does not verify');
    verify = await load({ name: 'POST /credentials/verify', url: `${server.origin}/credentials/verify`, method: 'POST', body: JSON.stringify({ verifiableCredential: badge }), connections: 8, seconds });
    present = await load({ name: 'POST /presentations/verify (7 badges)', url: `${server.origin}/presentations/verify`, method: 'POST', body: JSON.stringify({ verifiablePresentation: presentation, options: { challenge: 'bench-challenge' } }), connections: 8, seconds });
    plainVerify = await plainVerifyLoop(badges, 300);
    rows.push({ what: 'verify one badge', variant: 'plain vc.verifyCredential (proof only)', cores: '1', perSecond: plainVerify });
    rows.push({ what: 'verify one badge, 8 conn', variant: 'educred POST /credentials/verify', cores: String(cores), perSecond: verify.perSecond, p50Ms: verify.p50Ms, p99Ms: verify.p99Ms, peakRssMiB: server.peakRssMiB() });
    rows.push({ what: 'verify a 7-badge presentation, 8 conn', variant: 'educred POST /presentations/verify', cores: String(cores), perSecond: present.perSecond, p50Ms: present.p50Ms, p99Ms: present.p99Ms, peakRssMiB: server.peakRssMiB() });
  } finally {
    await server.stop();
  }

  const at32 = (variant: string): number => awardRuns.find((r) => r.variant === variant)?.runs.find((r) => r.connections === 32)?.perSecond ?? 0;
  const compared = awardRuns.find((r) => r.variant.startsWith('commit '));
  const results: SpeedResults = {
    rows,
    fastPathSpeedup: ratio(perCore.fast, perCore.general),
    verifyVsBaseline: ratio(verify.perSecond, plainVerify),
    presentationsPerSecond: present.perSecond,
    awards32VsGeneral: ratio(at32('educred fast path'), at32('educred general path')),
    awards32VsCompared: compared ? ratio(at32('educred fast path'), at32(compared.variant)) : null,
    comparedCommit,
    batch1kFastVsGeneral: ratio(batchFast.perSecond, batchGeneral.perSecond),
  };
  const table: Row[] = rows.map((r) => ({
    what: r.what,
    variant: r.variant,
    cores: r.cores,
    'per s': r.perSecond,
    'p50 ms': r.p50Ms ?? '',
    'p99 ms': r.p99Ms ?? '',
    'peak RSS MiB': r.peakRssMiB ?? '',
  }));
  return { rows: table, results };
}
