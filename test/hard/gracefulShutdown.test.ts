// Graceful shutdown, end to end: the compiled server (npm run build's output, test/helpers/
// childServer.ts) is sent SIGTERM while awards are being signed and a batch is running. It must
// answer every request it had accepted, exit 0, and on the next start hold exactly the awards it
// answered (none lost, none stored unanswered), each complete: its credential verifies with its
// status entry, and the batch resumes to award each row once.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonAward } from '../helpers/batch.js';
import { authorized, buildServer, startChildServer, type ChildServer } from '../helpers/childServer.js';
import { freePort } from '../helpers/ports.js';

type Json = Record<string, any>;
const SINGLE_AWARDS = 40;
const BATCH_ROWS = 300;
const BATCH_ID = 'graceful-stop-2026';

let dataDir: string;
let port: number;
let server: ChildServer | undefined;
let build: Awaited<ReturnType<typeof buildServer>>;

beforeAll(async () => {
  build = await buildServer('shutdown-test');
  dataDir = mkdtempSync(path.join(tmpdir(), 'educred-shutdown-'));
  port = await freePort();
}, 300_000);
afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  build?.remove();
});

/** A POST over a keep-alive agent (idle sockets stay open, as a client's pool keeps them). */
function post(agent: http.Agent, url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: Json } | { error: string }> {
  return new Promise((resolve) => {
    const data = JSON.stringify(body);
    const request = http.request(url, { method: 'POST', agent, headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(data)) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as Json }));
      res.on('error', (error) => resolve({ error: error.message }));
    });
    request.on('error', (error) => resolve({ error: error.message }));
    request.end(data);
  });
}

async function listAwardIds(origin: string): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined;
  do {
    const res = await fetch(`${origin}/awards?limit=100${next ? `&cursor=${encodeURIComponent(next)}` : ''}`, { headers: authorized() });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: Array<{ id: string }>; next?: string | null };
    ids.push(...page.items.map((i) => i.id));
    next = page.next ?? undefined;
  } while (next);
  return ids;
}

describe('SIGTERM while awards are being signed', () => {
  it('answers what it accepted, exits 0, and keeps exactly the answered awards, each complete', async () => {
    server = await startChildServer({ entry: build.entry, dataDir, port, env: { EDUCRED_SIGNING_WORKERS: '2', LOG_LEVEL: 'info' } });
    const { origin, child } = server;
    const batch = await fetch(`${origin}/awards/batch`, {
      method: 'POST',
      headers: authorized({ 'Content-Type': 'application/json', 'Batch-Id': BATCH_ID }),
      body: JSON.stringify(Array.from({ length: BATCH_ROWS }, (_, i) => jsonAward(70_000 + i))),
    });
    expect(batch.status).toBe(202);

    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    let signalled = false;
    let answeredAfterSignal = 0;
    const requests = Array.from({ length: SINGLE_AWARDS }, (_, i) =>
      post(agent, `${origin}/awards`, jsonAward(i), authorized({ 'Idempotency-Key': `graceful-${i}` })).then((result) => {
        if ('status' in result && signalled) answeredAfterSignal++;
        if ('status' in result && !signalled) {
          // The first answer: the others are being signed now.
          signalled = true;
          child.kill('SIGTERM');
        }
        return result;
      }),
    );
    const results = await Promise.all(requests);
    expect(await server.exited).toBe('0');
    agent.destroy();
    expect(server.output()).toContain('shutting down');

    const answered = results.flatMap((r) => ('status' in r && r.status === 201 ? [r.body.id as string] : []));
    // Every answer is a 201: a request the server took was finished, not cut off with a 5xx.
    expect(results.filter((r) => 'status' in r && r.status !== 201)).toEqual([]);
    expect(answered.length).toBeGreaterThan(0);
    expect(answeredAfterSignal, 'requests under way at SIGTERM were answered').toBeGreaterThan(0);

    // The next start: exactly the answered single awards, each complete and verifying.
    server = await startChildServer({ entry: build.entry, dataDir, port, env: { EDUCRED_SIGNING_WORKERS: '2' } });
    const restarted = server.origin;
    for (let i = 0; ; i++) {
      const status = (await (await fetch(`${restarted}/awards/batch/${BATCH_ID}?limit=1`, { headers: authorized() })).json()) as Json;
      if (status.state === 'done' && !status.running) break;
      if (i > 600) throw new Error(`the batch did not finish: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const batchDone = (await (await fetch(`${restarted}/awards/batch/${BATCH_ID}?limit=10000`, { headers: authorized() })).json()) as Json;
    const batchIds = (batchDone.rows as Json[]).map((r) => r.awardId as string);
    expect(batchDone.counts).toMatchObject({ pending: 0, failed: 0, issued: BATCH_ROWS });
    expect(new Set(batchIds).size).toBe(BATCH_ROWS);

    const stored = await listAwardIds(restarted);
    const singles = stored.filter((id) => !batchIds.includes(id));
    expect(singles.sort()).toEqual([...new Set(answered)].sort());
    expect(stored.length).toBe(BATCH_ROWS + answered.length);
    for (const id of [...answered, batchIds[0], batchIds[BATCH_ROWS - 1]]) {
      const credential = await (await fetch(`${restarted}/credentials/${id}`)).json();
      const verified = await fetch(`${restarted}/credentials/verify`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ verifiableCredential: credential }) });
      const report = (await verified.json()) as Json;
      expect(report.checks, JSON.stringify(report.errors)).toEqual(expect.arrayContaining(['proof', 'status']));
    }
  }, 180_000);
});
