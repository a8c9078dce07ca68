// SQLite and PostgreSQL side by side (issue 13), each measured on server processes over HTTP on
// 127.0.0.1 the way a deployment runs: single awards (POST /awards, 8 requests in flight), a
// 1,000-row batch on one node, and (PostgreSQL only: SQLite is one process's file) 1,000 rows on
// two nodes of one database, as two 500-row batches submitted to the two nodes at once.
// PostgreSQL rows need a server: BENCH_DATABASE_URL or TEST_DATABASE_URL (a database there
// where the bench may create and drop its own); without one they are skipped, and said so.
//
// Method. credentials/s is awards made over wall-clock time: for single awards from the first
// request to the last answer; for batches from the POST to the moment GET /awards/batch/:id
// reports every row processed (polled every 50 ms, so a batch's time is up to 50 ms long).
// p99 is exact over all requests: of POST /awards for single awards, and of GET /credentials/:id
// reads made back to back while the batch signs (does HTTP stay responsive) for batches.
// The machine's cores are shared: two nodes get one signing worker each, one node the default.
import { freshPostgresDatabase, queryDatabase, type FreshDatabase } from '../test/helpers/postgres.js';
import { awardRequest } from './instance.js';
import type { Row } from './report.js';
import { BENCH_ADMIN_TOKEN, startServerProcess, type ServerProcess } from './serverProcess.js';

export interface DatabaseRun {
  engine: 'SQLite' | 'PostgreSQL';
  load: string;
  nodes: number;
  credentials: number;
  seconds: number;
  perSecond: number;
  /** What p99Ms is the 99th percentile of. */
  latencyOf: string;
  requests: number;
  p99Ms: number;
}

export interface DatabaseResults {
  runs: DatabaseRun[];
  /** Why the PostgreSQL rows are missing, when they are. */
  postgresSkipped?: string;
}

const SINGLE_AWARDS = Number(process.env.BENCH_DB_SINGLE ?? 400);
const BATCH_ROWS = 1000;
const IN_FLIGHT = 8;
const PUBLIC_ORIGIN = 'https://badges.example.edu';

const headers = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'content-type': 'application/json' };
const rate = (n: number, ms: number): number => Math.round((n / ms) * 1000 * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function p99(times: number[]): number {
  if (times.length === 0) return 0;
  const sorted = [...times].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? 0) * 10) / 10;
}

async function post(origin: string, route: string, body: unknown): Promise<Response> {
  return fetch(`${origin}${route}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** Educators numbered from `first`, so no two runs on one database award the same badge. */
let nextEducator = 2_000_000;
const educators = (n: number): number[] => Array.from({ length: n }, () => nextEducator++);

async function award(origin: string, i: number): Promise<{ path: string }> {
  const res = await post(origin, '/awards', awardRequest(i));
  if (res.status !== 201) throw new Error(`POST /awards on ${origin}: ${res.status} ${await res.text()}`);
  const { credential } = (await res.json()) as { credential: { id: string } };
  return { path: new URL(credential.id).pathname };
}

async function singleAwards(engine: DatabaseRun['engine'], nodes: ServerProcess[]): Promise<DatabaseRun> {
  const queue = educators(SINGLE_AWARDS);
  const times: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, lane) => {
      const origin = (nodes[lane % nodes.length] as ServerProcess).origin;
      for (let i = next++; i < queue.length; i = next++) {
        const t0 = performance.now();
        await award(origin, queue[i] as number);
        times.push(performance.now() - t0);
      }
    }),
  );
  const ms = performance.now() - started;
  return { engine, load: `single awards, ${IN_FLIGHT} in flight`, nodes: nodes.length, credentials: SINGLE_AWARDS, seconds: Math.round(ms) / 1000, perSecond: rate(SINGLE_AWARDS, ms), latencyOf: 'POST /awards', requests: times.length, p99Ms: p99(times) };
}

async function batchDone(origin: string, batchId: string): Promise<void> {
  for (;;) {
    const res = await fetch(`${origin}/awards/batch/${batchId}?limit=0`, { headers });
    const status = (await res.json()) as { state: string; processed: number; total: number; counts: Record<string, number> };
    if (status.processed === status.total && status.state === 'done') {
      if (status.counts.issued !== status.total) throw new Error(`batch ${batchId}: ${JSON.stringify(status.counts)}`);
      return;
    }
    await sleep(50);
  }
}

/** BATCH_ROWS rows split evenly over the nodes, one batch per node, submitted at once. */
async function batchRun(engine: DatabaseRun['engine'], nodes: ServerProcess[], label: string, readPath: string): Promise<DatabaseRun> {
  const perNode = BATCH_ROWS / nodes.length;
  const times: number[] = [];
  let reading = true;
  const started = performance.now();
  const batches = nodes.map(async (node, n) => {
    const batchId = `bench-${engine.toLowerCase()}-${nodes.length}-${n}-${nextEducator}`;
    const res = await post(node.origin, '/awards/batch', { batchId, awards: educators(perNode).map(awardRequest) });
    if (res.status !== 202) throw new Error(`POST /awards/batch on ${node.origin}: ${res.status} ${await res.text()}`);
    await batchDone(node.origin, batchId);
  });
  const reads = (async () => {
    for (let i = 0; reading; i++) {
      const t0 = performance.now();
      const res = await fetch(`${(nodes[i % nodes.length] as ServerProcess).origin}${readPath}`);
      await res.arrayBuffer();
      times.push(performance.now() - t0);
    }
  })();
  try {
    await Promise.all(batches);
  } finally {
    reading = false;
    await reads;
  }
  const ms = performance.now() - started;
  return { engine, load: label, nodes: nodes.length, credentials: BATCH_ROWS, seconds: Math.round(ms) / 1000, perSecond: rate(BATCH_ROWS, ms), latencyOf: 'GET /credentials/:id during the batch', requests: times.length, p99Ms: p99(times) };
}

/** Starts `count` nodes of one deployment (shared keys, one BASE_URL), warmed up. */
async function startNodes(count: number, env: Record<string, string>): Promise<{ nodes: ServerProcess[]; readPath: string }> {
  const workers: Record<string, string> = count > 1 ? { EDUCRED_SIGNING_WORKERS: '1' } : {};
  const first = await startServerProcess({ BASE_URL: PUBLIC_ORIGIN, ...workers, ...env });
  const nodes = [first];
  for (let i = 1; i < count; i++) nodes.push(await startServerProcess({ BASE_URL: PUBLIC_ORIGIN, ...workers, ...env }, { keysFrom: first.dataDir }));
  // Warm-up: each node's signing workers and caches, before anything is measured.
  const warm = await Promise.all(nodes.flatMap((node) => educators(8).map((i) => award(node.origin, i))));
  return { nodes, readPath: (warm[0] as { path: string }).path };
}

/** Refuses to report PostgreSQL numbers measured on SQLite: the awards must be in the database. */
async function usesDatabase(url: string): Promise<void> {
  const tables = await queryDatabase<{ n: string }>(url, "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'");
  if (Number(tables[0]?.n ?? 0) === 0) throw new Error('the server left DATABASE_URL empty: it is not using PostgreSQL, so there is nothing to measure');
}

async function onEngine(engine: DatabaseRun['engine'], env: Record<string, string>, nodeCounts: number[], check?: () => Promise<void>): Promise<DatabaseRun[]> {
  const runs: DatabaseRun[] = [];
  for (const count of nodeCounts) {
    const { nodes, readPath } = await startNodes(count, env);
    try {
      await check?.();
      if (count === 1) runs.push(await singleAwards(engine, nodes));
      runs.push(await batchRun(engine, nodes, count === 1 ? `batch of ${BATCH_ROWS} rows` : `${BATCH_ROWS} rows as ${count} batches of ${BATCH_ROWS / count}, one per node`, readPath));
    } finally {
      await Promise.all(nodes.map((node) => node.stop()));
    }
  }
  return runs;
}

export function postgresBenchUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.BENCH_DATABASE_URL?.trim() || env.TEST_DATABASE_URL?.trim() || undefined;
}

export async function benchDatabases(): Promise<{ rows: Row[]; results: DatabaseResults }> {
  const runs = await onEngine('SQLite', {}, [1]);
  let postgresSkipped: string | undefined;
  const serverUrl = postgresBenchUrl();
  if (!serverUrl) {
    postgresSkipped = 'PostgreSQL rows skipped: set BENCH_DATABASE_URL (or TEST_DATABASE_URL)=postgres://postgres@127.0.0.1:5432/test to measure them';
    process.stdout.write(`${postgresSkipped}\n`);
  } else {
    // One fresh database per node count: the two-node run starts on an empty one too.
    for (const count of [1, 2]) {
      let database: FreshDatabase | undefined;
      try {
        database = await freshPostgresDatabase(`bench${count}`, serverUrl);
        const url = database.url;
        runs.push(...(await onEngine('PostgreSQL', { DATABASE_URL: url }, [count], () => usesDatabase(url))));
      } finally {
        await database?.drop();
      }
    }
  }
  const rows: Row[] = runs.map((r) => ({
    engine: r.engine,
    load: r.load,
    nodes: r.nodes,
    credentials: r.credentials,
    s: r.seconds,
    'cred/s': r.perSecond,
    'p99 ms': r.p99Ms,
    'p99 of': `${r.latencyOf} (${r.requests})`,
  }));
  return { rows, results: { runs, ...(postgresSkipped ? { postgresSkipped } : {}) } };
}
