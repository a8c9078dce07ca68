// What the issuance benchmarks share: a throw-away educred instance (temporary data folder,
// generated key, silent logger) and award requests for distinct educators.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { AwardRequest } from '../src/awards/awardRequest.js';
import { loadConfig, type Config } from '../src/config.js';
import { closeRuntime, createRuntime, type Runtime } from '../src/runtime.js';

export const BENCH_BASE_URL = 'https://badges.example.edu';

export interface BenchInstance {
  runtime: Runtime;
  config: Readonly<Config>;
  dataDir: string;
  /** Returns unused leased status indexes, closes the store, then removes the data folder. */
  close(): Promise<void>;
}

export async function createBenchInstance(env: Record<string, string> = {}): Promise<BenchInstance> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'educred-bench-'));
  const config = loadConfig({ EDUCRED_DATA_DIR: dataDir, BASE_URL: BENCH_BASE_URL, LOG_LEVEL: 'silent', ...env });
  const runtime = await createRuntime(config, pino({ level: 'silent' }));
  return {
    runtime,
    config,
    dataDir,
    async close() {
      await closeRuntime(runtime);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The award POST /awards would receive: five observations at mastery, an email recipient. */
export function awardRequest(i: number): AwardRequest {
  return {
    recipient: { email: `educator${i}@example.edu`, name: `Educator ${i}` },
    achievement: 'formative-assessment',
    evidence: Array.from({ length: 5 }, (_, k) => ({
      kind: 'observation' as const,
      date: `2026-03-0${k + 1}`,
      observer: 'Dr. Maya Rivera',
      level: 'proficient' as const,
      narrative: 'Used exit tickets to regroup students for the next lesson.',
    })),
  };
}

/** Peak resident memory of this process so far, MiB (getrusage maxRSS). */
export const peakRssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
