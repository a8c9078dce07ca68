// Memory under hostile verify requests, measured where it matters: the server runs as a child
// process (started as `npm start` starts it, from a fresh build), and a hostile list host on
// 127.0.0.1 serves lists signed by the attacker's own key (so they pass every check up to
// decoding) in four shapes: the largest list we decode (2 MiB of bits from 3 KB on the wire),
// GZIP bombs (64 MiB of bits from 87 KB), fat lists (1.4 MB on the wire) and lists of another
// issuer (bombs too, never to be inflated). 100 anonymous requests each carry hundreds of status
// entries at distinct URLs. The server's peak RSS must stay under the bound stated below.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBitstring, MIN_STATUS_LIST_LENGTH } from '../../src/status/bitstring.js';
import { buildStatusListCredential } from '../../src/status/statusListCredential.js';
import { VERIFICATION_LIMITS } from '../../src/verify/limits.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { buildServer, startChildServer, type ChildServer } from '../helpers/childServer.js';
import { freePort } from '../helpers/ports.js';

type Json = Record<string, any>;
const MiB = 1024 * 1024;
const REQUESTS = 100;
const CONCURRENCY = 4;

/**
 * The bound, over the server's RSS once it has verified one ordinary request (code and contexts
 * loaded). What the limits allow to be held at once: the status list cache (32 MiB of bits) and
 * the DID document cache (8 MiB), plus, per request in flight, 8 MiB read (held as bytes, as a
 * string and parsed: about three times that) and 16 MiB inflated, ~40 MiB a request, four at a
 * time: 40 + 4 × 40 = 200 MiB; and room for the collector, which frees garbage when it chooses.
 * Without the limits, the first requests alone keep gigabytes of decoded lists (every list
 * fetched, each up to 16 MiB, kept forever).
 */
// Since issue 20 the server also canonicalizes proofs in its signing workers (one per core, two
// here): each worker's heap holds the documents of its jobs in flight and is collected on its own
// schedule, so the bound gets 32 MiB a worker on top.
const GROWTH_BOUND = (300 + 32 * 2) * MiB;

/** Peak and current resident memory of a process (Linux /proc), in bytes. */
function memoryOf(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { peak: kb('VmHWM'), now: kb('VmRSS') };
}

/** Resets the peak (VmHWM) to the current RSS, so the measure starts after start-up (proc(5): clear_refs, 5). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

let attacker: TestInstance;
let lists: http.Server;
let listOrigin: string;
let served = 0;
let server: ChildServer | undefined;
let build: Awaited<ReturnType<typeof buildServer>>;
let dataDir: string;
let badge: Json;

const zeros = (bytes: number): string => 'u' + gzipSync(Buffer.alloc(bytes)).toString('base64url');

async function attackerList(encodedList: string, signer: TestInstance): Promise<string> {
  const unsigned = buildStatusListCredential({
    listUrl: 'https://lists.example/any',
    issuer: signer.runtime.issuer.identity.did,
    purpose: 'revocation',
    bits: createBitstring(MIN_STATUS_LIST_LENGTH),
    validFrom: new Date(Date.now() - 60_000),
    ttlMs: 300_000,
  });
  (unsigned.credentialSubject as Json).encodedList = encodedList;
  return JSON.stringify(await signer.runtime.issuer.sign(unsigned));
}

beforeAll(async () => {
  build = await buildServer('limits-memory');
  attacker = await createTestInstance();
  const bystander = await createTestInstance();
  badge = ((await (await postJson(attacker.app, '/awards', awardBody())).json()) as Json).credential;
  // Signed once each, served at any number of URLs (a list's id is not its URL's business here).
  const bodies: Record<string, string> = {
    max: await attackerList(zeros(2 * MiB), attacker),
    bomb: await attackerList(zeros(64 * MiB), attacker),
    fat: await attackerList('u' + gzipSync(randomBytes(MiB)).toString('base64url'), attacker),
    foreign: await attackerList(zeros(64 * MiB), bystander),
  };
  await bystander.close();
  lists = http.createServer((req, res) => {
    served++;
    const body = bodies[(req.url ?? '').split('/')[1] ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => lists.listen(0, '127.0.0.1', resolve));
  listOrigin = `http://127.0.0.1:${(lists.address() as AddressInfo).port}`;
  dataDir = mkdtempSync(path.join(tmpdir(), 'educred-memory-'));
  // The lists are on loopback: the guarded fetcher's test allowance lets it connect there.
  server = await startChildServer({ entry: build.entry, dataDir, port: await freePort(), env: { EDUCRED_FETCH_ALLOW_PRIVATE: 'true' } });
}, 180_000);

afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  await new Promise<void>((resolve) => lists.close(() => resolve()));
  await attacker.close();
  rmSync(dataDir, { recursive: true, force: true });
  build.remove();
});

const SHAPES = ['max', 'bomb', 'fat', 'foreign'];
let nextList = 0;
/** `count` status entries, each at a list URL no request used before. */
const hostileEntries = (count: number) =>
  Array.from({ length: count }, () => {
    const n = nextList++;
    return { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '7', statusListCredential: `${listOrigin}/${SHAPES[n % SHAPES.length]}/${n}` };
  });
// A proof of a suite no verifier has: refused at once, so the time goes to the status lists.
const unsupportedProof = { type: 'DataIntegrityProof', cryptosuite: 'hostile-2099', proofPurpose: 'assertionMethod', verificationMethod: 'did:key:z6Mkhostile', proofValue: 'z1' };
const hostileCredential = (entries: number): Json => ({ ...structuredClone(badge), credentialStatus: hostileEntries(entries), proof: unsupportedProof });

/** Request i: a credential with 300 entries, or a presentation of 40 credentials with 8 each (320). */
function hostileRequest(i: number): { path: string; body: Json } {
  if (i % 2 === 0) return { path: '/credentials/verify', body: { verifiableCredential: hostileCredential(300) } };
  const credentials = Array.from({ length: 40 }, () => hostileCredential(VERIFICATION_LIMITS.statusEntriesPerCredential));
  return { path: '/presentations/verify', body: { verifiablePresentation: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: credentials } } };
}

async function send(request: { path: string; body: Json }): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${server!.origin}${request.path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request.body) });
  return { status: res.status, body: (await res.json()) as Json };
}

describe.skipIf(process.platform !== 'linux')('memory under hostile verify requests', () => {
  it(`${REQUESTS} verify requests with hundreds of status entries each at a hostile list host keep the server's RSS growth under ${GROWTH_BOUND / MiB} MiB`, async () => {
    const pid = server!.child.pid!;
    // One ordinary request first: code, contexts and suites loaded, as on any running server.
    // Without its status entry (it points at the attacker instance's own address): the proof then
    // fails, after the whole pipeline ran once.
    const { credentialStatus: _ownEntry, ...ordinary } = badge;
    expect((await send({ path: '/credentials/verify', body: { verifiableCredential: ordinary } })).status).toBe(400);
    const baseline = memoryOf(pid).now;
    resetPeak(pid);
    let peak = 0;
    let done = 0;
    const answers: number[] = [];
    const worker = async (): Promise<void> => {
      while (done < REQUESTS) {
        const i = done++;
        const { status, body } = await send(hostileRequest(i));
        answers.push(status);
        expect(body.verified, `request ${i}`).toBe(false);
        peak = Math.max(peak, memoryOf(pid).peak);
        // Stop early once over the bound: without the limits this would take the machine's memory.
        if (peak - baseline > GROWTH_BOUND) done = REQUESTS;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log(`RSS baseline ${(baseline / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB, growth ${((peak - baseline) / MiB).toFixed(0)} MiB; lists served ${served}`);
    expect(peak - baseline).toBeLessThan(GROWTH_BOUND);
    expect(answers).toHaveLength(REQUESTS);
    // Every answer is a verification result (400: not verified), never a 5xx.
    expect(answers.every((s) => s === 400)).toBe(true);
    // The per-request cap on distinct URLs held: at most 64 list fetches per presentation, none for the 300-entry credentials.
    expect(served).toBeLessThanOrEqual((REQUESTS / 2) * VERIFICATION_LIMITS.distinctUrlsPerRequest);
  }, 600_000);
});
