// Crash safety, end to end: the compiled server runs as a child process, issues a batch and
// single awards, is killed with SIGKILL mid-batch and started again. Every award that was
// answered with a 2xx must be stored and verify; the batch must resume and finish with each
// row awarded exactly once; the database must pass PRAGMA integrity_check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { resolveDidKey } from '../../src/signing/did.js';
import { createDocumentLoader } from '../../src/signing/documentLoader.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { awardBody } from '../helpers/app.js';
import { jsonAward } from '../helpers/batch.js';
import { authorized, buildServer, startChildServer, type ChildServer } from '../helpers/childServer.js';
import { freePort } from '../helpers/ports.js';

type Json = Record<string, any>;
const BATCH_ROWS = 1500;
const BATCH_ID = 'crash-term-2026';
const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey });

let dataDir: string;
let port: number;
let server: ChildServer | undefined;
let build: Awaited<ReturnType<typeof buildServer>>;

beforeAll(async () => {
  build = await buildServer('crash-test');
  dataDir = mkdtempSync(path.join(tmpdir(), 'educred-crash-'));
  port = await freePort();
}, 120_000);
afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
  build.remove();
});

async function batchStatus(origin: string): Promise<Json> {
  const res = await fetch(`${origin}/awards/batch/${BATCH_ID}?limit=10000`, { headers: authorized() });
  return (await res.json()) as Json;
}

function openDb(): Database.Database {
  return new Database(path.join(dataDir, 'educred.sqlite'), { readonly: true });
}

async function verifies(credential: unknown): Promise<boolean> {
  // The proof is what this test is about; status lists have their own tests (test/status/).
  return (await vc.verifyCredential({ credential, suite: createVerifyingSuites(), documentLoader, checkStatus: async () => ({ verified: true }) })).verified;
}

/** Status tables, when the status lists exist: (list, index) pairs must never repeat. */
function duplicateStatusIndexes(db: Database.Database): { checked: string[]; duplicates: number } {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%status%'").pluck().all() as string[];
  const checked: string[] = [];
  let duplicates = 0;
  for (const table of tables) {
    const columns = (db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string }>).map((c) => c.name);
    const list = columns.find((c) => /list/i.test(c) && !/json|bits|encoded/i.test(c));
    const index = columns.find((c) => /^(status_)?index$|_index$/i.test(c));
    if (!list || !index) continue;
    checked.push(`${table}(${list}, ${index})`);
    duplicates += db.prepare(`SELECT count(*) FROM (SELECT 1 FROM "${table}" GROUP BY "${list}", "${index}" HAVING count(*) > 1)`).pluck().get() as number;
  }
  return { checked, duplicates };
}

describe('SIGKILL in the middle of a batch', () => {
  it('loses no answered award, duplicates none, resumes the batch, keeps the database intact', async () => {
    server = await startChildServer({ entry: build.entry, dataDir, port, env: { EDUCRED_SIGNING_WORKERS: '2' } });
    const { origin } = server;

    const rows = Array.from({ length: BATCH_ROWS }, (_, i) => jsonAward(50_000 + i));
    const accepted = await fetch(`${origin}/awards/batch`, { method: 'POST', headers: authorized({ 'Content-Type': 'application/json', 'Batch-Id': BATCH_ID }), body: JSON.stringify(rows) });
    expect(accepted.status).toBe(202);

    // Single awards alongside the batch; only the answered ones count.
    const answered: Array<{ id: string; credential: Json }> = [];
    let stopSingles = false;
    const singles = (async () => {
      for (let i = 0; !stopSingles; i++) {
        try {
          const res = await fetch(`${origin}/awards`, {
            method: 'POST',
            headers: authorized({ 'Content-Type': 'application/json' }),
            body: JSON.stringify(awardBody({ recipient: { email: `single${i}@example.edu`, name: `Single ${i}` } })),
          });
          if (res.status === 201) answered.push((await res.json()) as { id: string; credential: Json });
        } catch {
          // the server was killed while this request was in flight: never answered
        }
      }
    })();

    // Kill once part of the batch is reported issued (the status answer is a 2xx too).
    let seen: Json;
    for (;;) {
      seen = await batchStatus(origin);
      if (seen.processed >= 200 || seen.state === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    server.child.kill('SIGKILL');
    expect(await server.exited).toBe('SIGKILL');
    stopSingles = true;
    await singles;
    expect(seen.state).toBe('running');
    expect(seen.processed).toBeLessThan(BATCH_ROWS);
    const issuedBeforeKill = new Map<number, string>((seen.rows as Json[]).filter((r) => r.state === 'issued').map((r) => [r.line, r.awardId]));
    expect(issuedBeforeKill.size).toBeGreaterThan(0);
    expect(answered.length).toBeGreaterThan(0);

    const afterKill = openDb();
    expect(afterKill.pragma('integrity_check', { simple: true })).toBe('ok');
    afterKill.close();

    // Restart: the server resumes the unfinished batch by itself.
    server = await startChildServer({ entry: build.entry, dataDir, port, env: { EDUCRED_SIGNING_WORKERS: '2' } });
    let final: Json;
    for (;;) {
      final = await batchStatus(server.origin);
      if (final.state === 'done' && !final.running) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(final.counts).toMatchObject({ pending: 0, failed: 0, invalid: 0, rejected: 0 });
    expect(final.counts.issued + final.counts.existing).toBe(BATCH_ROWS);
    for (const [line, awardId] of issuedBeforeKill) expect((final.rows as Json[])[line - 1]).toMatchObject({ line, awardId });

    const db = openDb();
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      // Exactly one award per batch row: the rows' idempotency keys are unique and all used.
      const batchAwards = db.prepare("SELECT count(*) FROM awards WHERE idempotency_key LIKE ?").pluck().get(`batch:${BATCH_ID}:%`);
      expect(batchAwards).toBe(BATCH_ROWS);
      const distinctRecipients = db.prepare("SELECT count(DISTINCT recipient_email) FROM awards WHERE idempotency_key LIKE ?").pluck().get(`batch:${BATCH_ID}:%`);
      expect(distinctRecipients).toBe(BATCH_ROWS);

      // Every answered single award is stored as answered, and verifies.
      for (const { id, credential } of answered) {
        const stored = db.prepare('SELECT credential_json FROM awards WHERE id = ?').pluck().get(id) as string | undefined;
        expect(stored, `award ${id} was answered 201 but is not stored`).toBeDefined();
        expect(JSON.parse(stored ?? '{}')).toEqual(credential);
        expect(await verifies(credential)).toBe(true);
      }
      // Every batch award reported before the kill is stored and verifies.
      for (const awardId of issuedBeforeKill.values()) {
        const stored = db.prepare('SELECT credential_json FROM awards WHERE id = ?').pluck().get(awardId) as string;
        expect(await verifies(JSON.parse(stored))).toBe(true);
      }

      const status = duplicateStatusIndexes(db);
      if (status.checked.length === 0) {
        // Status lists (issue 3) are not in this build: no status index is allocated, nothing to check.
        console.info('crash test: no status-list tables yet; the "no status index given twice" check is skipped');
      }
      expect(status.duplicates).toBe(0);
    } finally {
      db.close();
    }
  }, 180_000);
});
