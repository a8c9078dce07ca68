// The bulk-issuance sections of `npm run bench` (issue 6): issuance throughput against the
// plain-library baseline, verification throughput, and latency under load. Each returns table
// rows, raw results, and a summary whose keys go to the top of bench/results.json
// (`batchVsBaseline`, the p99 latencies, peak memory).
import { benchIssuance } from './issuance.js';
import { benchLatency } from './latency.js';
import type { Row } from './report.js';
import { benchVerification } from './verification.js';

export interface SummarizedSection {
  name: string;
  title: string;
  run(): Promise<{ rows: Row[]; results: unknown; summary?: Record<string, unknown> }>;
}

export function issuanceSections(): SummarizedSection[] {
  // BENCH_BATCH_10K=0 skips the 10,000-row batch (about 20 s on 2 cores).
  const batch10k = process.env.BENCH_BATCH_10K !== '0';
  return [
    {
      name: 'issuance',
      title: 'Issuance: plain-library baseline, single awards, batches on the signing pool',
      async run() {
        const { rows, results } = await benchIssuance({ batch10k });
        return {
          rows,
          results,
          summary: {
            batchVsBaseline: results.batchVsBaseline,
            batch10kVsBaseline: results.batch10kVsBaseline ?? null,
            credentialsPerSecond: {
              baseline: results.baseline.perSecond,
              single: results.single.perSecond,
              batch1k: results.batch1k.perSecond,
              batch10k: results.batch10k?.perSecond ?? null,
            },
            batch10kSeconds: results.batch10k?.seconds ?? null,
            signingWorkers: results.batch1k.workers,
            issuancePeakRssMiB: results.peakRssMiB,
          },
        };
      },
    },
    {
      name: 'verification',
      title: 'Verification, sequential on one core (issuer on 127.0.0.1 over HTTPS, did:web, status lists)',
      async run() {
        const { rows, results } = await benchVerification(300);
        const rate = (name: string, caches: string) => results.find((r) => r.verifier.startsWith(name) && r.caches === caches)?.perSecond ?? null;
        return {
          rows,
          results,
          summary: {
            verificationsPerSecond: rate('one badge', 'warm'),
            verificationsPerSecondCold: rate('one badge', 'cold'),
            presentationsPerSecond: rate('7-badge', 'warm'),
            presentationsPerSecondCold: rate('7-badge', 'cold'),
          },
        };
      },
    },
    {
      name: 'latency',
      title: 'Latency under load (autocannon, 8 connections, server process on 127.0.0.1)',
      async run() {
        const { rows, results } = await benchLatency();
        const p99 = Object.fromEntries(results.runs.map((r) => [r.name.split(' (')[0] ?? r.name, r.p99Ms]));
        return { rows, results, summary: { p99Ms: p99, serverPeakRssMiB: results.serverPeakRssMiB ?? null } };
      },
    },
  ];
}
