// Two nodes on one PostgreSQL database, as a load-balanced deployment runs them (README,
// "Several nodes on one PostgreSQL"): the compiled server started twice (`node dist/server.js`,
// as `npm start` does) on two loopback ports, with one DATABASE_URL, one issuer key, one
// claim-link secret, one admin token and one public BASE_URL (the load balancer's, which no
// one listens on here: the test sends each request to a node of its choosing, and reads the
// public URLs in credentials through whichever node it likes).
// - Both start together on an empty database, migrate it once, and answer /ready.
// - 2,000 awards through both at once and 200 concurrent revocations split across both: every
//   award verifies (revoked ones fail on their status and only on it), no status index is
//   handed out twice, and both nodes serve byte-identical signed lists with every revoked bit set.
// - A claim link spent on one node is refused by the other; one Idempotency-Key sent to both
//   at once makes one award; so does the same badge asked of both at once.
// - One node is SIGKILLed in the middle of a 1,000-row batch: the other finishes it once its
//   leases expire (EDUCRED_BATCH_LEASE_SECONDS=3), with exactly one award per row, and
//   `educred db check` finds the database clean.
// No timed assertions: the test waits for outcomes, with generous timeouts.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { claimSecretFile, CLAIM_SECRET_BYTES } from '../../src/claims/claimSecret.js';
import { resolveDidKey } from '../../src/signing/did.js';
import { createDocumentLoader } from '../../src/signing/documentLoader.js';
import { generateMultikey, writeKeyFile } from '../../src/signing/keys.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { decodeStatusList, getBit } from '../../src/status/bitstring.js';
import { createStatusChecker } from '../../src/status/checkStatus.js';
import { ADMIN_TOKEN, awardBody } from '../helpers/app.js';
import { jsonAward } from '../helpers/batch.js';
import { authorized, buildServer, startChildServer, type ChildServer } from '../helpers/childServer.js';
import { freePort } from '../helpers/ports.js';
import { describePostgres, freshPostgresDatabase, queryDatabase, type FreshDatabase } from '../helpers/postgres.js';
import { statusEntries } from '../helpers/status.js';

type Json = Record<string, any>;

/** The load balancer's origin: every id and URL the nodes mint starts with it. */
const PUBLIC_ORIGIN = 'https://badges.riverside.example';
const AWARDS = 2000;
const REVOCATIONS = 200;
const LIBRARY_SAMPLE = 200;
const BATCH_ROWS = 1000;
const BATCH_ID = 'multinode-term-2026';
/** Requests in flight at once across both nodes: enough to interleave their transactions. */
const CONCURRENCY = 24;

const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey });

/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results in input order. The
 * first failure stops the other lanes (so no request of a failed step runs into the next test).
 */
async function inParallel<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    try {
      for (let i = next++; i < items.length && !failed; i = next++) results[i] = await fn(items[i] as T, i);
    } catch (error) {
      failed = true;
      throw error;
    }
  });
  const settled = await Promise.allSettled(lanes);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describePostgres('several nodes on one PostgreSQL database', () => {
  let database: FreshDatabase;
  let build: Awaited<ReturnType<typeof buildServer>>;
  let work: string;
  let nodes: ChildServer[] = [];
  const nodeDirs: string[] = [];
  const nodeEnv = (): Record<string, string> => ({
    DATABASE_URL: database.url,
    BASE_URL: PUBLIC_ORIGIN,
    EDUCRED_BATCH_LEASE_SECONDS: '3',
    // Two nodes on the machine's two cores: one signing worker each.
    EDUCRED_SIGNING_WORKERS: '1',
  });

  const nodeA = () => nodes[0] as ChildServer;
  const nodeB = () => nodes[1] as ChildServer;
  /** The node's own address for a public URL (what the load balancer would do). */
  const onNode = (node: ChildServer, publicUrl: string): string => `${node.origin}${new URL(publicUrl).pathname}${new URL(publicUrl).search}`;

  const explain = () => nodes.map((n, i) => `--- node ${i === 0 ? 'A' : 'B'} (${n.origin}, exit ${n.child.exitCode ?? n.child.signalCode ?? 'none'}) output:\n${n.output().slice(-6000)}`).join('\n');
  const post = (node: ChildServer, route: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${node.origin}${route}`, { method: 'POST', headers: authorized({ 'Content-Type': 'application/json', ...headers }), body: JSON.stringify(body) }).catch((error: unknown) => {
      throw new Error(`POST ${route} on ${node.origin}: ${(error as Error).message} (${String((error as Error).cause)})\n${explain()}`, { cause: error });
    });
  const getJson = async (node: ChildServer, route: string): Promise<Json> => {
    const res = await fetch(`${node.origin}${route}`, { headers: authorized() });
    if (res.status !== 200) throw new Error(`GET ${route} on ${node.origin}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Json;
  };
  /** Every award the service lists (GET /awards, all pages). */
  const allAwards = async (node: ChildServer): Promise<Json[]> => {
    const items: Json[] = [];
    for (let cursor: string | null = null; ; ) {
      const page = await getJson(node, `/awards?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...(page.items as Json[]));
      cursor = page.next as string | null;
      if (!cursor) return items;
    }
  };

  let dids: string[] = [];

  beforeAll(async () => {
    // The recipients' DIDs first: making them keeps this process busy for seconds, which must not
    // happen while it holds idle keep-alive connections to the nodes (a node closing one as it is
    // reused is a dropped request, and no fault of the node's).
    dids = await Promise.all(Array.from({ length: AWARDS / 2 }, async () => `did:key:${(await Ed25519Multikey.generate()).publicKeyMultibase}`));
    database = await freshPostgresDatabase('multinode');
    build = await buildServer('multinode');
    work = mkdtempSync(path.join(tmpdir(), 'educred-multinode-'));
    // What the nodes share besides the database: one issuer key and one claim-link secret,
    // copied to each node's own data folder (keys/), as a deployment copies them to each machine.
    const key = await generateMultikey();
    const secret = randomBytes(CLAIM_SECRET_BYTES);
    for (const name of ['a', 'b']) {
      const dir = path.join(work, name);
      mkdirSync(path.join(dir, 'keys'), { recursive: true, mode: 0o700 });
      writeKeyFile(path.join(dir, 'keys', 'issuer.json'), key);
      writeFileSync(claimSecretFile(dir), secret, { mode: 0o600 });
      nodeDirs.push(dir);
    }
    // Both start together on the empty database: the migrations must run once, under a lock.
    const ports = [await freePort(), await freePort()];
    nodes = await Promise.all(nodeDirs.map((dataDir, i) => startChildServer({ entry: build.entry, dataDir, port: ports[i] as number, env: nodeEnv() })));
  }, 300_000);

  afterAll(async () => {
    for (const node of nodes) {
      if (node.child.exitCode === null && node.child.signalCode === null) {
        node.child.kill('SIGTERM');
        await node.exited;
      }
    }
    await database?.drop();
    build?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('both nodes, started together on an empty database, are ready and migrated it once', async () => {
    for (const node of nodes) {
      const res = await fetch(`${node.origin}/ready`);
      expect(res.status, explain()).toBe(200);
      expect(await res.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', signingKey: 'ok' } });
    }
    const rows = await queryDatabase(database.url, 'SELECT * FROM schema_migrations');
    expect(rows.length).toBeGreaterThan(0);
    const version = Object.keys(rows[0] ?? {}).find((column) => /version|name/i.test(column));
    expect(version, `schema_migrations has a version column: ${JSON.stringify(rows[0])}`).toBeDefined();
    const versions = rows.map((row) => String(row[version as string]));
    expect(new Set(versions).size, `each migration applied once: ${versions.join(', ')}`).toBe(rows.length);
  });

  it('2,000 awards through both nodes and 200 revocations across both: all verify, no index shared, one list on both', async () => {
    // Half DID recipients (each its own did:key, made in beforeAll), half email recipients.
    const requests = Array.from({ length: AWARDS }, (_, i) =>
      awardBody({ recipient: i % 2 === 0 ? { email: `multinode${i}@example.edu`, name: `Educator ${i}` } : { id: dids[(i - 1) / 2], name: `Educator ${i}` } }),
    );
    const awards = await inParallel(requests, CONCURRENCY, async (body, i) => {
      const node = nodes[i % 2] as ChildServer;
      const res = await post(node, '/awards', body);
      if (res.status !== 201) throw new Error(`award ${i} on ${node.origin}: ${res.status} ${await res.text()}\n${explain()}`);
      const { id, credential } = (await res.json()) as { id: string; credential: Json };
      return { id, credential, issuedBy: i % 2 };
    });
    expect(new Set(awards.map((a) => a.id)).size).toBe(AWARDS);

    // Each revocation goes to the node that did not issue the award.
    const revoked = new Set(awards.filter((_, i) => i % (AWARDS / REVOCATIONS) === 3).map((a) => a.id));
    expect(revoked.size).toBe(REVOCATIONS);
    await inParallel(
      awards.filter((a) => revoked.has(a.id)),
      CONCURRENCY,
      async (award) => {
        const res = await post(nodes[1 - award.issuedBy] as ChildServer, `/awards/${award.id}/revoke`, { reason: 'Issued in error (multi-node test)' });
        if (res.status !== 200) throw new Error(`revoking ${award.id}: ${res.status} ${await res.text()}`);
      },
    );

    // No status index handed out twice: (list, index) unique per purpose over all credentials.
    const entries = awards.flatMap((a) => statusEntries(a.credential).map((e) => ({ award: a.id, purpose: String(e.statusPurpose), list: String(e.statusListCredential), index: Number(e.statusListIndex) })));
    expect(entries.length).toBeGreaterThanOrEqual(AWARDS);
    const keys = entries.map((e) => `${e.purpose} ${e.list} ${e.index}`);
    const shared = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(shared, 'status entries given to two awards').toEqual([]);

    // Both nodes serve the same signed list, byte for byte, with exactly the revoked bits set.
    const revocationLists = [...new Set(entries.filter((e) => e.purpose === 'revocation').map((e) => e.list))];
    for (const listUrl of revocationLists) {
      expect(listUrl.startsWith(`${PUBLIC_ORIGIN}/status/`)).toBe(true);
      const [fromA, fromB] = await Promise.all(nodes.map(async (node) => {
        const res = await fetch(onNode(node, listUrl));
        expect(res.status).toBe(200);
        return Buffer.from(await res.arrayBuffer());
      }));
      expect(fromA?.equals(fromB as Buffer), `${listUrl} differs between the nodes`).toBe(true);
      const list = JSON.parse((fromA as Buffer).toString('utf8')) as Json;
      expect(list.proof).toBeDefined();
      const bits = decodeStatusList(String(list.credentialSubject.encodedList));
      for (const entry of entries.filter((e) => e.purpose === 'revocation' && e.list === listUrl)) {
        expect(getBit(bits, entry.index), `bit ${entry.index} of ${listUrl} (award ${entry.award})`).toBe(revoked.has(entry.award));
      }
    }

    // Every award verifies through the service (on the node that did not issue it): the active
    // ones in full, the revoked ones failing on their status, and on nothing else.
    await inParallel(awards, 8, async (award) => {
      const res = await post(nodes[1 - award.issuedBy] as ChildServer, '/credentials/verify', { verifiableCredential: award.credential }, { Authorization: '' });
      const body = (await res.json()) as Json;
      const failed = (body.report.checks as Json[]).filter((c) => c.passed === false);
      if (revoked.has(award.id)) {
        expect(res.status).toBe(400);
        expect(failed.map((c) => [c.check, c.code]), award.id).toEqual([['status', 'revoked']]);
      } else {
        expect(res.status, `${award.id}: ${JSON.stringify(failed)}`).toBe(200);
        expect(body.verified).toBe(true);
      }
    });

    // A sample, checked independently by @digitalbazaar/vc with the lists read over HTTP, each
    // list from the node that did not issue the credential.
    // (every tenth award from the 8th on, none of them revoked, and one revoked in ten).
    const sample = [...awards.filter((_, i) => i % (AWARDS / LIBRARY_SAMPLE) === 7), ...awards.filter((a) => revoked.has(a.id)).filter((_, i) => i % 10 === 0)];
    expect(sample.length).toBe(LIBRARY_SAMPLE + REVOCATIONS / 10);
    await inParallel(sample, 4, async (award) => {
      const reader = nodes[1 - award.issuedBy] as ChildServer;
      const check = createStatusChecker({ fetchJson: async (url) => (await fetch(onNode(reader, url))).json(), documentLoader });
      const checkStatus = async ({ credential }: { credential: Json }) => {
        const failed = (await check(credential)).filter((r) => !r.ok);
        return failed.length === 0 ? { verified: true } : { verified: false, error: new Error(failed.map((r) => `${r.purpose}: ${r.reason}`).join('; ')) };
      };
      const result = await vc.verifyCredential({ credential: award.credential, suite: createVerifyingSuites(), checkStatus, documentLoader });
      const why = [(result as Json).statusResult?.error, result.error].map((e) => (e instanceof Error ? e.message : e === undefined ? '' : JSON.stringify(e))).join(' ');
      expect(result.verified, `${award.id}: ${why}`).toBe(!revoked.has(award.id));
      if (revoked.has(award.id)) expect(why).toMatch(/revocation: revoked/);
    });
  }, 900_000);

  it('a claim link spent on one node is refused on the other, also when both are asked at once', async () => {
    const claimPath = async (email: string): Promise<string> => {
      const res = await post(nodeA(), '/awards', awardBody({ recipient: { email, name: 'Claiming Educator' } }));
      expect(res.status).toBe(201);
      return new URL(String(((await res.json()) as Json).claimUrl)).pathname;
    };
    const download = (node: ChildServer, claim: string) => fetch(`${node.origin}${claim}/download`, { method: 'POST' });

    const first = await claimPath('claim-once@example.edu');
    expect((await download(nodeB(), first)).status).toBe(200);
    expect((await download(nodeA(), first)).status).toBe(410);
    expect((await download(nodeB(), first)).status).toBe(410);

    for (let round = 0; round < 10; round++) {
      const claim = await claimPath(`claim-race${round}@example.edu`);
      const statuses = (await Promise.all([download(nodeA(), claim), download(nodeB(), claim)])).map((r) => r.status).sort();
      expect(statuses, `round ${round}`).toEqual([200, 410]);
    }
  }, 120_000);

  it('one Idempotency-Key sent to both nodes at once makes one award; so does one badge asked of both', async () => {
    for (let round = 0; round < 10; round++) {
      const email = `idempotent${round}@example.edu`;
      const body = awardBody({ recipient: { email, name: `Idempotent ${round}` } });
      const answers = await Promise.all(nodes.map((node) => post(node, '/awards', body, { 'Idempotency-Key': `multinode-${round}` })));
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 201), `round ${round}: ${statuses.join(', ')}`).toHaveLength(1);
      const ids = await Promise.all(answers.filter((r) => r.ok).map(async (r) => ((await r.json()) as Json).id as string));
      expect(new Set(ids).size).toBe(1);
      const stored = await getJson(nodeB(), `/awards?recipient=${encodeURIComponent(email)}`);
      expect(stored.items).toHaveLength(1);
    }
    // Without a key: the same recipient, achievement and level asked of both nodes at once.
    for (let round = 0; round < 10; round++) {
      const email = `one-badge${round}@example.edu`;
      const answers = await Promise.all(nodes.map((node) => post(node, '/awards', awardBody({ recipient: { email, name: `One Badge ${round}` } }))));
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 201), `round ${round}: ${statuses.join(', ')}`).toHaveLength(1);
      for (const status of statuses) expect([200, 201, 409]).toContain(status);
      const stored = await getJson(nodeA(), `/awards?recipient=${encodeURIComponent(email)}`);
      expect(stored.items).toHaveLength(1);
    }
  }, 120_000);

  it('a node SIGKILLed in the middle of a 1,000-row batch: the other finishes it, one award per row; db check is clean', async () => {
    const rows = Array.from({ length: BATCH_ROWS }, (_, i) => jsonAward(100_000 + i));
    const accepted = await post(nodeA(), '/awards/batch', rows, { 'Batch-Id': BATCH_ID });
    expect(accepted.status).toBe(202);

    let seen: Json;
    for (;;) {
      seen = await getJson(nodeA(), `/awards/batch/${BATCH_ID}?limit=0`);
      if (seen.processed >= 150 || seen.state === 'done') break;
      await sleep(20);
    }
    nodeA().child.kill('SIGKILL');
    expect(await nodeA().exited).toBe('SIGKILL');
    expect(seen.state, 'the batch was still running when its node was killed').toBe('running');
    expect(seen.processed).toBeLessThan(BATCH_ROWS);

    // Node B takes the dead node's rows once their leases expire, and finishes the batch.
    // (The wait is bounded only so that a batch nobody resumes fails with its state and the
    // node's output, instead of the test's timeout.)
    let final: Json;
    for (let polls = 0; ; polls++) {
      final = await getJson(nodeB(), `/awards/batch/${BATCH_ID}?limit=${BATCH_ROWS}`);
      if (final.state === 'done' && final.processed === BATCH_ROWS) break;
      if (polls > 2400) throw new Error(`node B did not finish the batch: ${JSON.stringify({ ...final, rows: undefined })}\n${explain()}`);
      await sleep(200);
    }
    expect(final.counts).toMatchObject({ pending: 0, failed: 0, invalid: 0, rejected: 0 });
    expect(final.counts.issued + final.counts.existing).toBe(BATCH_ROWS);
    const rowAwards = (final.rows as Json[]).map((r) => r.awardId as string);
    expect(rowAwards.every(Boolean)).toBe(true);
    expect(new Set(rowAwards).size).toBe(BATCH_ROWS);

    // Exactly one award per row among everything the service lists.
    const batchEmails = new Set(rows.map((r) => (r.recipient as { email: string }).email));
    const listed = (await allAwards(nodeB())).filter((a) => 'email' in a.recipient && batchEmails.has(a.recipient.email));
    expect(listed).toHaveLength(BATCH_ROWS);
    expect(new Set(listed.map((a) => a.recipient.email)).size).toBe(BATCH_ROWS);
    expect(new Set(listed.map((a) => a.id))).toEqual(new Set(rowAwards));

    // The integrity check, as an operator runs it, with the nodes' environment.
    const cli = path.join(path.dirname(build.entry), 'cli.js');
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, EDUCRED_DATA_DIR: nodeDirs[1] as string, BASE_URL: PUBLIC_ORIGIN, EDUCRED_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn' };
    const run = promisify(execFile);
    const json = await run(process.execPath, [cli, 'db', 'check', '--json'], { env }).catch((error: { stdout?: string; stderr?: string; code?: number }) => {
      throw new Error(`educred db check --json exited ${error.code}:\n${error.stdout}\n${error.stderr}`);
    });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, problems: [] });
    await run(process.execPath, [cli, 'db', 'check'], { env });
  }, 600_000);
});
