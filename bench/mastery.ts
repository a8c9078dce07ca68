// Mastery records: observations recorded per second through POST /educators/:id/observations,
// with the automatic awards they trigger signed and stored in the same requests. Each educator
// gets six lessons, each rating all seven built-in competencies; the fifth awards six badges
// (competencies 1 to 6 at proficient) and the sixth, online, the seventh. So one observation in
// six signs six badges, one in six signs one, the others sign none: the per-observation time
// mixes evaluation-only requests and award-heavy ones, as a real cohort does.
import { pino } from 'pino';
import { BUILT_IN_FRAMEWORK } from '../src/competencies/framework.js';
import { createService } from '../src/service.js';
import { loadConfig } from '../src/config.js';
import { ensureAdminToken } from '../src/runtime.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BENCH_BASE_URL } from './instance.js';
import { ms, type Row } from './report.js';

const ADMIN = 'bench-admin-token-0123456789abcdef';
const CODES = BUILT_IN_FRAMEWORK.competencies.map((c) => c.code);
const DATES = ['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30', '2026-04-06'];

export interface MasteryBenchResult {
  educators: number;
  observations: number;
  awards: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests that awarded at least one badge, and those that awarded none. */
  awardingP50Ms: number;
  plainP50Ms: number;
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

export async function benchMastery(educators = Number(process.env.BENCH_MASTERY_EDUCATORS ?? 40)): Promise<{ rows: Row[]; results: MasteryBenchResult }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'educred-bench-mastery-'));
  const config = loadConfig({ EDUCRED_DATA_DIR: dataDir, BASE_URL: BENCH_BASE_URL, LOG_LEVEL: 'silent', EDUCRED_ADMIN_TOKEN: ADMIN, EDUCRED_RATE_LIMIT: '0' });
  const service = await createService(config, pino({ level: 'silent' }));
  await ensureAdminToken(service.runtime.store, ADMIN);
  const post = async (url: string, body: unknown) =>
    service.app.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN}` }, body: JSON.stringify(body) });
  try {
    const ids: string[] = [];
    for (let i = 0; i < educators; i++) ids.push(((await (await post('/educators', { name: `Educator ${i}`, email: `educator${i}@example.edu` })).json()) as { id: string }).id);
    const times: number[] = [];
    const awarding: number[] = [];
    const plain: number[] = [];
    let awards = 0;
    const started = performance.now();
    // Lesson by lesson across the cohort, each educator's lessons in order (one request at a time).
    for (const [n, date] of DATES.entries()) {
      for (const id of ids) {
        const t0 = performance.now();
        const res = await post(`/educators/${id}/observations`, { date, observer: 'Dr. Maya Rivera', setting: n === 5 ? 'online' : 'in-person', ratings: CODES.map((achievement) => ({ achievement, level: 'proficient' })) });
        const body = (await res.json()) as { awarded: unknown[] };
        const elapsed = performance.now() - t0;
        if (res.status !== 201) throw new Error(`observation answered ${res.status}`);
        times.push(elapsed);
        (body.awarded.length > 0 ? awarding : plain).push(elapsed);
        awards += body.awarded.length;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const sorted = [...times].sort((a, b) => a - b);
    const results: MasteryBenchResult = {
      educators,
      observations: times.length,
      awards,
      perSecond: Math.round(times.length / seconds),
      p50Ms: ms(quantile(sorted, 0.5)),
      p99Ms: ms(quantile(sorted, 0.99)),
      awardingP50Ms: ms(quantile([...awarding].sort((a, b) => a - b), 0.5)),
      plainP50Ms: ms(quantile([...plain].sort((a, b) => a - b), 0.5)),
    };
    const rows: Row[] = [
      { load: `${results.observations} observations, ${educators} educators × 6 lessons × 7 ratings (SQLite, in-process)`, 'observations/s': results.perSecond, 'p50 ms': results.p50Ms, 'p99 ms': results.p99Ms, awards: results.awards },
      { load: 'requests that awarded (6 or 1 badges each)', 'observations/s': '', 'p50 ms': results.awardingP50Ms, 'p99 ms': '', awards: '' },
      { load: 'requests that awarded nothing (evaluation only)', 'observations/s': '', 'p50 ms': results.plainP50Ms, 'p99 ms': '', awards: '' },
    ];
    return { rows, results };
  } finally {
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
