// Status list numbers for `npm run bench` (bench/run.ts loads this file when present): revoking
// one badge end to end (the request until the re-signed list is what GET /status serves),
// encoding and decoding a full-size list, and picking an index in a list that is 99% full.
import { pino } from 'pino';
import { issueAward } from '../src/awards/issueAward.js';
import { createApp } from '../src/app.js';
import { ensureAdminToken } from '../src/runtime.js';
import { createBitstring, decodeStatusList, encodeStatusList, MIN_STATUS_LIST_LENGTH, setBit } from '../src/status/bitstring.js';
import { pickFreeIndex } from '../src/status/indexPicker.js';
import { awardRequest, createBenchInstance } from './instance.js';
import { ms, type Row } from './report.js';

const TOKEN = 'bench-admin-token-0123456789abcdef';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function time(fn: () => void, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** Revokes `n` freshly issued badges one at a time through HTTP; each until the new list is served. */
async function revokeEndToEnd(n: number): Promise<{ revokeMs: number; revokeAndFetchMs: number; fetchCachedMs: number }> {
  const instance = await createBenchInstance({ EDUCRED_ADMIN_TOKEN: TOKEN });
  try {
    const { runtime, config } = instance;
    await ensureAdminToken(runtime.store, config.adminToken);
    const deps = { ...runtime, baseUrl: config.baseUrl, bodyLimit: config.bodyLimit, logger: pino({ level: 'silent' }) };
    const app = createApp(deps);
    const revokeSamples: number[] = [];
    const totalSamples: number[] = [];
    const cachedSamples: number[] = [];
    for (let i = 0; i < n; i++) {
      const { award } = await issueAward(deps, awardRequest(i), { actor: 'bench' });
      // One entry is an object, two an array (src/status/entries.ts credentialStatusValue).
      const entries = [award.credential.credentialStatus].flat() as Array<Record<string, string>>;
      const entry = entries.find((e) => e.statusPurpose === 'revocation')!;
      const listPath = new URL(entry.statusListCredential!).pathname;
      const started = performance.now();
      const res = await app.request(`/awards/${award.id}/revoke`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ reason: 'bench' }),
      });
      if (res.status !== 200) throw new Error(`revoke answered ${res.status}`);
      revokeSamples.push(performance.now() - started);
      const list = await app.request(listPath);
      await list.text();
      totalSamples.push(performance.now() - started);
      const again = performance.now();
      await (await app.request(listPath)).text();
      cachedSamples.push(performance.now() - again);
    }
    return { revokeMs: median(revokeSamples), revokeAndFetchMs: median(totalSamples), fetchCachedMs: median(cachedSamples) };
  } finally {
    await instance.close();
  }
}

export async function benchStatus(n = Number(process.env.BENCH_STATUS_N ?? 30)): Promise<{ rows: Row[]; results: Record<string, number>; summary: Record<string, unknown> }> {
  const bits = createBitstring(MIN_STATUS_LIST_LENGTH);
  // 1% revoked at random: a realistic list (an empty one compresses to almost nothing).
  for (let i = 0; i < MIN_STATUS_LIST_LENGTH / 100; i++) setBit(bits, Math.floor(Math.random() * MIN_STATUS_LIST_LENGTH), true);
  const encoded = encodeStatusList(bits);
  const encodeMs = time(() => encodeStatusList(bits), 50);
  const decodeMs = time(() => decodeStatusList(encoded), 50);

  // A list 99% full: how long one pick takes once random probes mostly miss.
  const taken = new Uint8Array(MIN_STATUS_LIST_LENGTH / 8).fill(0xff);
  const freeCount = Math.round(MIN_STATUS_LIST_LENGTH / 100);
  for (let i = 0; i < freeCount; ) {
    const index = Math.floor(Math.random() * MIN_STATUS_LIST_LENGTH);
    const mask = 0x80 >> (index & 7);
    if (taken[index >> 3]! & mask) {
      taken[index >> 3]! &= ~mask;
      i++;
    }
  }
  const pick99Ms = time(() => pickFreeIndex(taken, MIN_STATUS_LIST_LENGTH, freeCount), 200);
  const empty = createBitstring(MIN_STATUS_LIST_LENGTH);
  const pickEmptyMs = time(() => pickFreeIndex(empty, MIN_STATUS_LIST_LENGTH, MIN_STATUS_LIST_LENGTH), 200);

  const endToEnd = await revokeEndToEnd(n);
  const results = {
    revokeEndToEndMs: ms(endToEnd.revokeMs),
    revokeAndFetchListMs: ms(endToEnd.revokeAndFetchMs),
    fetchSignedListMs: ms(endToEnd.fetchCachedMs),
    listEncodeMs: ms(encodeMs),
    listDecodeMs: ms(decodeMs),
    encodedListChars: encoded.length,
    pickIndexEmptyListMs: ms(pickEmptyMs),
    pickIndex99PercentFullMs: ms(pick99Ms),
  };
  const rows: Row[] = [
    { measure: `revoke one badge: POST /awards/:id/revoke until the re-signed list is stored (median of ${n})`, ms: results.revokeEndToEndMs },
    { measure: 'revoke + GET /status/:listId of the new version', ms: results.revokeAndFetchListMs },
    { measure: 'GET /status/:listId, unchanged list (stored signature)', ms: results.fetchSignedListMs },
    { measure: `encode a 131,072-entry list, 1% set (${encoded.length} chars)`, ms: results.listEncodeMs },
    { measure: 'decode it', ms: results.listDecodeMs },
    { measure: 'pick a random free index, empty list', ms: results.pickIndexEmptyListMs },
    { measure: 'pick a random free index, list 99% full', ms: results.pickIndex99PercentFullMs },
  ];
  return { rows, results, summary: { statusRevokeEndToEndMs: results.revokeEndToEndMs } };
}
