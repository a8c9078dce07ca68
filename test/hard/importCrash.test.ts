// An educator import survives SIGKILL, end to end: the compiled server runs as a child process,
// accepts a 3,000-row educator import (202: the rows are stored), is killed with SIGKILL while
// the rows import, and is started again. The job resumes by itself and ends with every educator
// added exactly once (the rows' chosen ids, and an educator row marked in the transaction that
// adds it); the database passes PRAGMA integrity_check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorized, buildServer, startChildServer, type ChildServer } from '../helpers/childServer.js';
import { freePort } from '../helpers/ports.js';

type Json = Record<string, any>;
const ROWS = 3000;

let dataDir: string;
let port: number;
let server: ChildServer | undefined;
let build: Awaited<ReturnType<typeof buildServer>>;

beforeAll(async () => {
  build = await buildServer('import-crash-test');
  dataDir = mkdtempSync(path.join(tmpdir(), 'educred-import-crash-'));
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

describe('SIGKILL in the middle of an educator import', () => {
  it('resumes the job at the next start and adds every educator exactly once', async () => {
    server = await startChildServer({ entry: build.entry, dataDir, port, env: { EDUCRED_SIGNING_WORKERS: '0' } });
    const csv = ['name,email,external_id,cohort', ...Array.from({ length: ROWS }, (_, i) => `Person ${i},person${i}@crash.example,C-${i},2027`)].join('\n');
    const accepted = await fetch(`${server.origin}/educators/import`, { method: 'POST', headers: authorized({ 'Content-Type': 'text/csv' }), body: csv });
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location') ?? '';
    const status = async (origin: string): Promise<Json> => (await (await fetch(`${origin}${location}?limit=0`, { headers: authorized() })).json()) as Json;

    let seen: Json;
    for (;;) {
      seen = await status(server.origin);
      if (seen.processed >= 200 || seen.state === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    server.child.kill('SIGKILL');
    expect(await server.exited).toBe('SIGKILL');
    expect(seen.state).toBe('running');
    expect(seen.processed).toBeLessThan(ROWS);

    server = await startChildServer({ entry: build.entry, dataDir, port, env: { EDUCRED_SIGNING_WORKERS: '0' } });
    let final: Json;
    for (let i = 0; ; i++) {
      final = await status(server.origin);
      if (final.state === 'done') break;
      if (i > 1200) throw new Error(`the import did not finish after the restart: ${JSON.stringify(final)}\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(final.counts).toMatchObject({ pending: 0, created: ROWS, existing: 0, failed: 0, refused: 0 });

    const db = new Database(path.join(dataDir, 'educred.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare("SELECT count(*) FROM educators WHERE cohort = '2027'").pluck().get()).toBe(ROWS);
      expect(db.prepare("SELECT count(DISTINCT email) FROM educators WHERE cohort = '2027'").pluck().get()).toBe(ROWS);
      // Each row's educator has the id chosen when the row was accepted.
      expect(db.prepare("SELECT count(*) FROM import_rows r JOIN educators e ON e.id = r.record_id WHERE r.state = 'created'").pluck().get()).toBe(ROWS);
      expect(db.prepare("SELECT count(*) FROM audit_events WHERE action = 'educator.created'").pluck().get()).toBe(ROWS);
    } finally {
      db.close();
    }
  }, 240_000);
});
