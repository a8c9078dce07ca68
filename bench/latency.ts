// Latency under concurrent load, measured with autocannon against educred running as its own
// process on 127.0.0.1: POST /awards (mastery check, signing in the worker pool, the award's
// transaction), verification (POST /credentials/verify when the service has it, otherwise the
// public GET /credentials/:id), and reads (GET /credentials/:id) while a 2,000-row batch signs,
// which shows whether HTTP stays responsive during bulk issuance.
//
// Method. Every response time autocannon reports is kept, so p50/p95/p99 are exact
// percentiles of all requests (autocannon's own summary has no p95). Connections are fixed,
// so throughput and latency are measured together; non-2xx answers are counted and reported.
import autocannon from 'autocannon';
import { awardRequest, peakRssMiB } from './instance.js';
import type { Row } from './report.js';
import { BENCH_ADMIN_TOKEN, startServerProcess } from './serverProcess.js';

export interface LatencyResult {
  name: string;
  method: string;
  path: string;
  connections: number;
  seconds: number;
  requests: number;
  perSecond: number;
  non2xx: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[index] ?? 0) * 10) / 10;
}

export interface LoadOptions {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  body?: string | undefined;
  /** A body per request instead of one `body` (POST /awards: each request a new educator). */
  nextBody?: (() => string) | undefined;
  connections: number;
  seconds: number;
}

export async function load(options: LoadOptions): Promise<LatencyResult> {
  const times: number[] = [];
  let non2xx = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: options.method,
        connections: options.connections,
        duration: options.seconds,
        headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        ...(options.body !== undefined ? { body: options.body } : {}),
        ...(options.nextBody ? { requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, body: options.nextBody?.() }) }] } : {}),
      },
      (error, done) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      times.push(responseTime);
      if (statusCode < 200 || statusCode >= 300) non2xx++;
    });
  });
  times.sort((a, b) => a - b);
  const url = new URL(options.url);
  return {
    name: options.name,
    method: options.method,
    path: url.pathname.replace(/[0-9a-f-]{36}/, ':id'),
    connections: options.connections,
    seconds: options.seconds,
    requests: times.length,
    perSecond: Math.round((times.length / result.duration) * 10) / 10,
    non2xx,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    p99Ms: percentile(times, 99),
    maxMs: percentile(times, 100),
  };
}

async function post(origin: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

export interface LatencyResults {
  runs: LatencyResult[];
  verifyRoute: string;
  serverPeakRssMiB: number | undefined;
  benchPeakRssMiB: number;
}

export async function benchLatency(options: { seconds?: number; connections?: number } = {}): Promise<{ rows: Row[]; results: LatencyResults }> {
  const seconds = options.seconds ?? 8;
  const connections = options.connections ?? 8;
  const server = await startServerProcess();
  try {
    const { origin } = server;
    const first = await post(origin, '/awards', awardRequest(1));
    const { credential } = (await first.json()) as { credential: Record<string, unknown> };
    const credentialPath = new URL(String(credential.id)).pathname;
    // The verification engineer's VC-API route, when present (404 otherwise).
    const probe = await post(origin, '/credentials/verify', { verifiableCredential: credential });
    const hasVerify = probe.status !== 404;
    // Warm the signing workers and the server's caches before measuring.
    await Promise.all(Array.from({ length: 16 }, (_, i) => post(origin, '/awards', awardRequest(100 + i))));

    const runs: LatencyResult[] = [];
    // One badge per recipient and achievement: the same body again is a replay, so every request
    // awards a new educator, as issuing does.
    let educator = 1_000_000;
    runs.push(await load({ name: 'POST /awards', url: `${origin}/awards`, method: 'POST', nextBody: () => JSON.stringify(awardRequest(educator++)), connections, seconds }));
    runs.push(
      hasVerify
        ? await load({ name: 'POST /credentials/verify', url: `${origin}/credentials/verify`, method: 'POST', body: JSON.stringify({ verifiableCredential: credential }), connections, seconds })
        : await load({ name: 'GET /credentials/:id (no verify route yet)', url: `${origin}${credentialPath}`, method: 'GET', connections, seconds }),
    );

    // Reads while a batch signs: submit 2,000 rows, then load GET while it runs.
    const rows = Array.from({ length: 2000 }, (_, i) => awardRequest(500_000 + i));
    const accepted = await post(origin, '/awards/batch', { batchId: 'latency-bench', awards: rows });
    if (accepted.status !== 202) throw new Error(`the batch was not accepted: ${accepted.status}`);
    runs.push(await load({ name: 'GET /credentials/:id during a 2,000-row batch', url: `${origin}${credentialPath}`, method: 'GET', connections, seconds: 3 }));
    const status = (await (await fetch(`${origin}/awards/batch/latency-bench?limit=0`, { headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` } })).json()) as { processed: number; total: number };
    const duringBatch = runs[runs.length - 1];
    if (duringBatch) duringBatch.name += ` (${status.processed}/${status.total} rows done when it ended)`;

    const results: LatencyResults = { runs, verifyRoute: hasVerify ? 'POST /credentials/verify' : 'GET /credentials/:id', serverPeakRssMiB: server.peakRssMiB(), benchPeakRssMiB: peakRssMiB() };
    const table: Row[] = runs.map((r) => ({
      load: r.name,
      conns: r.connections,
      's': r.seconds,
      'req/s': r.perSecond,
      non2xx: r.non2xx,
      'p50 ms': r.p50Ms,
      'p95 ms': r.p95Ms,
      'p99 ms': r.p99Ms,
      'max ms': r.maxMs,
    }));
    return { rows: table, results };
  } finally {
    await server.stop();
  }
}
