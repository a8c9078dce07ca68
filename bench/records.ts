// Program records: the time to issue an educator's CLR 2.0 record holding seven signed badges
// (POST /educators/:id/records: readiness over the held badges and their status, building,
// signing the record over its embedded badges, storing it with its status entry and claim link)
// and to verify it (POST /credentials/verify: the record's proof and status, then each of the
// seven badges against its own issuer, its status and dates), warm and with the verifier's caches
// dropped. A program of its own (autoIssue false) keeps the observations from issuing it first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { BUILT_IN_FRAMEWORK } from '../src/competencies/framework.js';
import { loadConfig } from '../src/config.js';
import { ensureAdminToken } from '../src/runtime.js';
import { createService } from '../src/service.js';
import { BENCH_BASE_URL } from './instance.js';
import { ms, type Row } from './report.js';

const ADMIN = 'bench-admin-token-0123456789abcdef';
const CODES = BUILT_IN_FRAMEWORK.competencies.map((c) => c.code);

export interface RecordsBenchResult {
  records: number;
  issueP50Ms: number;
  issueMaxMs: number;
  verifyWarmP50Ms: number;
  verifyColdP50Ms: number;
  recordBytes: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function benchRecords(n = Number(process.env.BENCH_RECORDS ?? 10)): Promise<{ rows: Row[]; results: RecordsBenchResult }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'educred-bench-records-'));
  const config = loadConfig({ EDUCRED_DATA_DIR: dataDir, BASE_URL: BENCH_BASE_URL, LOG_LEVEL: 'silent', EDUCRED_ADMIN_TOKEN: ADMIN, EDUCRED_RATE_LIMIT: '0', EDUCRED_SIGNING_WORKERS: '0' });
  const service = await createService(config, pino({ level: 'silent' }));
  await ensureAdminToken(service.runtime.store, ADMIN);
  const post = async (url: string, body: unknown) => {
    const res = await service.app.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN}` }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { id?: string; credential?: unknown } & Record<string, unknown> };
  };
  try {
    await post('/programs', { code: 'bench-preparation', name: 'Bench preparation', description: 'The seven competencies.', completion: 'Bench preparation completed', requires: CODES.map((achievement) => ({ achievement })), autoIssue: false });
    const issue: number[] = [];
    const warm: number[] = [];
    const cold: number[] = [];
    let recordBytes = 0;
    for (let i = 0; i < n; i++) {
      const educator = String((await post('/educators', { name: `Educator ${i}`, did: `did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do${String.fromCharCode(65 + i)}` })).body.id);
      for (let lesson = 0; lesson < 5; lesson++) {
        await post(`/educators/${educator}/observations`, { date: `2026-03-0${lesson + 1}`, observer: 'Dr. Maya Rivera', setting: lesson === 0 ? 'online' : 'in-person', ratings: CODES.map((achievement) => ({ achievement, level: 'proficient' })) });
      }
      let t0 = performance.now();
      const issued = await post(`/educators/${educator}/records`, { program: 'bench-preparation' });
      issue.push(performance.now() - t0);
      if (issued.status !== 201) throw new Error(`record answered ${issued.status}: ${JSON.stringify(issued.body)}`);
      recordBytes = JSON.stringify(issued.body.credential).length;
      service.runtime.verifier.clearCaches();
      t0 = performance.now();
      const first = await post('/credentials/verify', { verifiableCredential: issued.body.credential });
      cold.push(performance.now() - t0);
      t0 = performance.now();
      const second = await post('/credentials/verify', { verifiableCredential: issued.body.credential });
      warm.push(performance.now() - t0);
      if (first.status !== 200 || second.status !== 200) throw new Error('the record did not verify');
    }
    const results: RecordsBenchResult = { records: n, issueP50Ms: ms(median(issue)), issueMaxMs: ms(Math.max(...issue)), verifyWarmP50Ms: ms(median(warm)), verifyColdP50Ms: ms(median(cold)), recordBytes };
    const rows: Row[] = [
      { operation: 'issue a record holding 7 badges (POST /educators/:id/records)', 'p50 ms': results.issueP50Ms, 'max ms': results.issueMaxMs, records: n },
      { operation: 'verify it, caches dropped (POST /credentials/verify)', 'p50 ms': results.verifyColdP50Ms, 'max ms': ms(Math.max(...cold)), records: n },
      { operation: 'verify it again, warm', 'p50 ms': results.verifyWarmP50Ms, 'max ms': ms(Math.max(...warm)), records: n },
    ];
    return { rows, results };
  } finally {
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// `npx tsx bench/records.ts`: this section alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows, results } = await benchRecords();
  console.table(rows);
  console.log(JSON.stringify(results));
}
