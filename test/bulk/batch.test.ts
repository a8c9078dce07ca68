// POST /awards/batch and GET /awards/batch/:batchId: each row on its own, bad rows reported
// with their line, resumable by batch id, large batches in the background.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { sql } from 'kysely';
import { ADMIN_TOKEN, awardBody, createTestInstance, masteryEvidence, postJson, type TestInstance } from '../helpers/app.js';
import { CSV_HEADER, MASTERY_OBSERVATIONS, csvBatch, csvRow, getBatch, jsonAward, postBatch, waitForBatch } from '../helpers/batch.js';
import { libraryCheckStatus } from '../helpers/status.js';

type Json = Record<string, any>;
let t: TestInstance;
beforeAll(async () => {
  t = await createTestInstance();
});
afterAll(async () => t.close());

const problemOf = async (res: Response, status: number): Promise<Json> => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as Json;
};

describe('POST /awards/batch (JSON)', () => {
  it('awards each valid row and reports each bad row with its position, without stopping', async () => {
    const rows = [
      jsonAward(1),
      { ...jsonAward(2), evidence: [{ ...masteryEvidence()[0], level: 'superb' }] },
      jsonAward(3),
      { ...jsonAward(4), achievement: 'underwater-basket-weaving' },
      jsonAward(1),
      { ...jsonAward(5), evidence: masteryEvidence(2) },
      'not an award',
    ];
    const before = await t.runtime.store.awards.count();
    const res = await postJson(t.app, '/awards/batch', rows, { 'Batch-Id': 'json-mixed' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ batchId: 'json-mixed', state: 'done', total: 7, processed: 7 });
    expect(body.counts).toMatchObject({ issued: 2, invalid: 2, rejected: 2, duplicate: 1, pending: 0, failed: 0 });
    const byLine = new Map<number, Json>((body.rows as Json[]).map((r) => [r.line, r]));
    expect(byLine.get(2)).toMatchObject({ state: 'invalid', problem: { code: 'invalid_row', errors: [{ pointer: '/evidence/0/level' }] } });
    expect(byLine.get(4)).toMatchObject({ state: 'rejected', problem: { code: 'unknown_achievement' } });
    expect(byLine.get(5)).toMatchObject({ state: 'duplicate', duplicateOf: 1 });
    expect(byLine.get(6)).toMatchObject({ state: 'rejected', problem: { code: 'mastery_not_met' } });
    expect(byLine.get(7)).toMatchObject({ state: 'invalid' });
    expect(await t.runtime.store.awards.count()).toBe(before + 2);

    const award = await t.runtime.store.awards.find(byLine.get(3)?.awardId);
    expect(award?.credentialId).toBe(byLine.get(3)?.credentialId);
    const verified = await vc.verifyCredential({ credential: award?.credential, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader });
    expect(verified.verified).toBe(true);
  });

  it('issues nothing twice when the same rows are submitted again under the same batch id', async () => {
    const rows = [jsonAward(10), jsonAward(11), jsonAward(12)];
    const first = (await (await postJson(t.app, '/awards/batch', { batchId: 'term-2026-spring', awards: rows })).json()) as Json;
    expect(first.counts.issued).toBe(3);
    const before = await t.runtime.store.awards.count();
    const again = await postJson(t.app, '/awards/batch', { batchId: 'term-2026-spring', awards: rows });
    const second = (await again.json()) as Json;
    expect(second).toMatchObject({ runs: 2, counts: { issued: 0, existing: 3 } });
    expect(second.rows.map((r: Json) => r.awardId)).toEqual(first.rows.map((r: Json) => r.awardId));
    expect(await t.runtime.store.awards.count()).toBe(before);

    // A corrected file under the same id: unchanged rows are found again, only the new row is awarded.
    const third = (await (await postJson(t.app, '/awards/batch', { batchId: 'term-2026-spring', awards: [...rows, jsonAward(13)] })).json()) as Json;
    expect(third.counts).toMatchObject({ issued: 1, existing: 3 });
    expect(await t.runtime.store.awards.count()).toBe(before + 1);
  });

  it('answers 422 with every row problem and stores nothing when no row can be awarded', async () => {
    const batches = async () => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM award_batches`.execute(t.runtime.store.kysely)).rows[0]?.n);
    const before = await batches();
    const body = await problemOf(await postJson(t.app, '/awards/batch', [{ nope: 1 }, { recipient: 'x' }]), 422);
    expect(body.type).toBe('urn:educred:problem:nothing-to-issue');
    expect(body.rows.map((r: Json) => r.line)).toEqual([1, 2]);
    expect(await batches()).toBe(before);
  });

  it('refuses a body that is not a batch, a bad batch id, and conflicting batch ids', async () => {
    await problemOf(await postJson(t.app, '/awards/batch', awardBody()), 400);
    await problemOf(await postJson(t.app, '/awards/batch', []), 400);
    await problemOf(await postJson(t.app, '/awards/batch', [jsonAward(1)], { 'Batch-Id': '../etc/passwd' }), 400);
    await problemOf(await postJson(t.app, '/awards/batch', { batchId: 'a', awards: [jsonAward(1)] }, { 'Batch-Id': 'b' }), 400);
    await problemOf(await postBatch(t.app, 'hello', 'text/plain'), 415);
  });

  it('needs a token with the issue scope', async () => {
    const res = await t.app.request('/awards/batch', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[]' });
    await problemOf(res, 401);
  });
});

describe('POST /awards/batch (CSV)', () => {
  it('reads the spreadsheet columns and reports bad rows with their line in the file', async () => {
    const csv = [
      'Recipient_Email,recipient_name,achievement,observations',
      csvRow(100),
      // A quoted name with a comma, and a quoted field spanning two lines.
      `educator101@example.edu,"Lopez, Ana",formative-assessment,"${MASTERY_OBSERVATIONS};\n2026-03-09|Dr. Kim|exemplary|Strong regrouping"`,
      'educator102@example.edu,Educator 102,formative-assessment,2026-03-01|Dr. Kim',
      '',
      'not-an-email,Educator 103,formative-assessment,' + MASTERY_OBSERVATIONS,
      csvRow(104, 'nonexistent-code'),
    ].join('\r\n');
    const res = await postBatch(t.app, csv, 'text/csv; charset=utf-8', { 'Batch-Id': 'csv-lines' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    const states = Object.fromEntries((body.rows as Json[]).map((r) => [r.line, r.state]));
    expect(states).toEqual({ 2: 'issued', 3: 'issued', 5: 'invalid', 7: 'invalid', 8: 'rejected' });
    const line5 = (body.rows as Json[]).find((r) => r.line === 5) as Json;
    expect(line5.problem.detail).toContain('date|observer|level');
    const line3 = await t.runtime.store.awards.find((body.rows as Json[]).find((r) => r.line === 3)?.awardId);
    expect(line3?.recipientName).toBe('Lopez, Ana');
    const evidence = line3?.credential.evidence as Json[];
    expect(evidence).toHaveLength(6);
  });

  it('refuses an unknown or missing column, invalid UTF-8 and a file without rows (400)', async () => {
    expect((await problemOf(await postBatch(t.app, 'recipient_email,achievment,observations\nx,y,z\n', 'text/csv'), 400)).detail).toContain("Unknown column 'achievment'");
    await problemOf(await postBatch(t.app, 'recipient_email,observations\nx,y\n', 'text/csv'), 400);
    await problemOf(await postBatch(t.app, CSV_HEADER + '\n', 'text/csv'), 400);
    await problemOf(await postBatch(t.app, 'a,"b\n', 'text/csv'), 400);
    const invalidUtf8 = new Uint8Array([...new TextEncoder().encode(CSV_HEADER + '\n'), 0xc3, 0x28, 0x0a]);
    const res = await t.app.request('/awards/batch', { method: 'POST', headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${ADMIN_TOKEN}` }, body: invalidUtf8 });
    expect((await problemOf(res, 400)).type).toBe('urn:educred:problem:invalid-encoding');
  });

  it('refuses more than 10,000 rows (413) without storing anything', async () => {
    const before = await t.runtime.store.awards.count();
    const body = await problemOf(await postBatch(t.app, csvBatch(10_001), 'text/csv'), 413);
    expect(body.maxRows).toBe(10_000);
    expect(await t.runtime.store.awards.count()).toBe(before);
  });
});

describe('large batches in the background', () => {
  it('accepts a large batch with 202 and a Location, and reports progress until done', async () => {
    const res = await postBatch(t.app, csvBatch(120, 1000), 'text/csv', { 'Batch-Id': 'bg-120' });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe('/awards/batch/bg-120');
    const accepted = (await res.json()) as Json;
    expect(accepted).toMatchObject({ batchId: 'bg-120', total: 120, state: 'running' });
    const done = await waitForBatch(t.app, 'bg-120');
    expect(done.counts).toMatchObject({ issued: 120, pending: 0 });
    const page = await getBatch(t.app, 'bg-120', '?offset=100&limit=50');
    expect(page.rows.map((r: Json) => r.line)).toEqual(Array.from({ length: 20 }, (_, i) => 102 + i));
    expect(page.nextOffset).toBeNull();
    const first = await getBatch(t.app, 'bg-120', '?limit=10');
    expect(first.nextOffset).toBe(10);
    expect((await getBatch(t.app, 'bg-120', '?rows=problems')).rows).toEqual([]);
  });

  it('answers 202 for a small batch when asked with Prefer: respond-async', async () => {
    const res = await postBatch(t.app, csvBatch(2, 2000), 'text/csv', { Prefer: 'respond-async', 'Batch-Id': 'async-2' });
    expect(res.status).toBe(202);
    expect((await waitForBatch(t.app, 'async-2')).counts.issued).toBe(2);
  });

  it('answers 404 for an unknown batch and 400 for a bad page', async () => {
    await problemOf(await t.app.request('/awards/batch/nope', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }), 404);
    await problemOf(await t.app.request('/awards/batch/bg-120?limit=-1', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }), 400);
  });
});

describe('one badge per recipient, achievement and level, in batches', () => {
  it('issues nothing new when the same CSV is uploaded again without a batch id: each row reports its existing award', async () => {
    const csv = csvBatch(4, 3000);
    const first = await postBatch(t.app, csv, 'text/csv');
    expect(first.status).toBe(200);
    const issued = (await first.json()) as Json;
    expect(issued.counts).toMatchObject({ issued: 4 });
    const before = await t.runtime.store.awards.count();
    const again = await postBatch(t.app, csv, 'text/csv');
    expect(again.status).toBe(200);
    const second = (await again.json()) as Json;
    expect(second.batchId).not.toBe(issued.batchId);
    expect(second.counts).toMatchObject({ issued: 0, existing: 4, rejected: 0 });
    expect(second.rows.map((r: Json) => [r.line, r.state, r.awardId])).toEqual(issued.rows.map((r: Json) => [r.line, 'existing', r.awardId]));
    expect(await t.runtime.store.awards.count()).toBe(before);
  });

  it('reports a row for a badge POST /awards already made as existing (the same request) and a different one as rejected with the 409 reason', async () => {
    const single = (await (await postJson(t.app, '/awards', jsonAward(3100))).json()) as Json;
    const other = await postJson(t.app, '/awards', { ...jsonAward(3101), evidence: masteryEvidence().map((o) => ({ ...o, observer: 'Sam Okafor' })) });
    const otherId = ((await other.json()) as Json).id;
    const before = await t.runtime.store.awards.count();
    const res = await postJson(t.app, '/awards/batch', [jsonAward(3100), jsonAward(3101), jsonAward(3102)]);
    const body = (await res.json()) as Json;
    expect(body.counts).toMatchObject({ issued: 1, existing: 1, rejected: 1 });
    const byLine = new Map<number, Json>((body.rows as Json[]).map((r) => [r.line, r]));
    expect(byLine.get(1)).toMatchObject({ state: 'existing', awardId: single.id });
    expect(byLine.get(2)).toMatchObject({
      state: 'rejected',
      problem: { code: 'award_exists', existingAwardId: otherId, existingAwardUrl: `http://localhost:3000/awards/${otherId}` },
    });
    expect(byLine.get(2)?.problem.detail).toContain(otherId);
    expect(byLine.get(3)).toMatchObject({ state: 'issued' });
    expect(await t.runtime.store.awards.count()).toBe(before + 1);
  });

  it('awards one badge for two rows of one file that ask it for the same educator with different evidence', async () => {
    const before = await t.runtime.store.awards.count();
    const csv = [CSV_HEADER, csvRow(3200), `educator3200@example.edu,Educator 3200,formative-assessment,${MASTERY_OBSERVATIONS.replaceAll('Dr. Maya Rivera', 'Sam Okafor')}`].join('\n');
    const body = (await (await postBatch(t.app, csv, 'text/csv')).json()) as Json;
    expect(body.counts).toMatchObject({ issued: 1, rejected: 1 });
    const rejected = (body.rows as Json[]).find((r) => r.state === 'rejected') as Json;
    const issued = (body.rows as Json[]).find((r) => r.state === 'issued') as Json;
    expect(rejected.problem).toMatchObject({ code: 'award_exists', existingAwardId: issued.awardId });
    expect(await t.runtime.store.awards.count()).toBe(before + 1);
  });
});

describe('evidence dates in batches', () => {
  it('rejects a CSV row whose observations all fall on one day, naming the distinct-date rule', async () => {
    const sameDay = Array.from({ length: 5 }, () => '2026-03-02|Dr. Maya Rivera|proficient').join('; ');
    const csv = [CSV_HEADER, csvRow(3300), `educator3301@example.edu,Educator 3301,formative-assessment,${sameDay}`, `educator3302@example.edu,Educator 3302,formative-assessment,${MASTERY_OBSERVATIONS}; 2999-01-01|Dr. Kim|proficient`].join('\n');
    const body = (await (await postBatch(t.app, csv, 'text/csv')).json()) as Json;
    const byLine = new Map<number, Json>((body.rows as Json[]).map((r) => [r.line, r]));
    expect(byLine.get(2)?.state).toBe('issued');
    expect(byLine.get(3)).toMatchObject({ state: 'rejected', problem: { code: 'mastery_not_met' } });
    expect(byLine.get(3)?.problem.detail).toContain('5 observations are required on distinct dates; 1 distinct date given');
    expect(byLine.get(4)).toMatchObject({ state: 'rejected', problem: { code: 'mastery_not_met', errors: [{ pointer: '/evidence/5/date' }] } });
  });
});
