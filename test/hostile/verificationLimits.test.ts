// One anonymous verify request must not exhaust the verifier: each per-request cap of
// src/verify/limits.ts fails its check closed and names the cap, fetching nothing more; status
// lists are decoded only after their issuer matches and never past the output limit; the caches
// that outlive a request are bounded. One test per rule, each named after it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetcher } from '../../src/net/guardedFetch.js';
import { createBitstring, MAX_STATUS_LIST_BYTES, MIN_STATUS_LIST_LENGTH } from '../../src/status/bitstring.js';
import { createStatusChecker } from '../../src/status/checkStatus.js';
import { buildStatusListCredential } from '../../src/status/statusListCredential.js';
import { createKeyResolver } from '../../src/verify/didResolver.js';
import { RequestBudget, VERIFICATION_LIMITS, type FetchInit } from '../../src/verify/limits.js';
import { PinnedDocuments } from '../../src/verify/pinnedDocuments.js';
import { EMPTY_TRUST_POLICY } from '../../src/verify/trustPolicy.js';
import { createVerifier } from '../../src/verify/verifier.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;

let t: TestInstance;
let other: TestInstance;
let badge: Json;
beforeAll(async () => {
  t = await createTestInstance();
  other = await createTestInstance();
  badge = ((await (await postJson(t.app, '/awards', awardBody())).json()) as Json).credential;
});
afterAll(async () => {
  await t.close();
  await other.close();
});

/** A fetcher that records every URL and answers from `documents` (anything else: unreachable). */
function recordingFetcher(documents: (url: string) => unknown = () => undefined) {
  const fetched: string[] = [];
  const fetchJson = async (url: string): Promise<unknown> => {
    fetched.push(url);
    const document = documents(url);
    if (document === undefined) throw new Error(`unreachable in this test: ${url}`);
    return structuredClone(document);
  };
  return { fetched, fetchJson };
}

const verifierWith = (fetchJson: (url: string, init?: FetchInit) => Promise<unknown>) =>
  createVerifier({ policy: EMPTY_TRUST_POLICY, pinned: new PinnedDocuments(), fetchJson });

const entry = (url: string, index = 7) => ({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(index), statusListCredential: url });
const withStatus = (urls: string[], base: Json = badge): Json => ({ ...structuredClone(base), credentialStatus: urls.map((u) => entry(u)) });
const presentation = (credentials: Json[], extra: Json = {}): Json => ({ '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: credentials, ...extra });
const checkOf = (report: { checks: Json[] }, name: string): Json => report.checks.find((c) => c.check === name) ?? {};
const statusDetails = (report: { checks: Json[] }): Json[] => (checkOf(report, 'status').details as Json[] | undefined) ?? [];

/** A list credential at `url` (the index 7 bit clear), signed by `signer`, optionally with another encodedList. */
async function signedList(options: { signer?: TestInstance; encodedList?: string; url?: string } = {}): Promise<Json> {
  const signer = options.signer ?? t;
  const unsigned = buildStatusListCredential({
    listUrl: options.url ?? 'https://lists.example/1',
    issuer: signer.runtime.issuer.identity.did,
    purpose: 'revocation',
    bits: createBitstring(MIN_STATUS_LIST_LENGTH),
    validFrom: new Date(Date.now() - 60_000),
    ttlMs: 300_000,
  });
  if (options.encodedList) (unsigned.credentialSubject as Json).encodedList = options.encodedList;
  return signer.runtime.issuer.sign(unsigned);
}

/** An encodedList of `bytes` zero bytes: a few KB on the wire whatever its inflated size. */
const zeros = (bytes: number): string => 'u' + gzipSync(Buffer.alloc(bytes)).toString('base64url');

describe('per-request caps fail closed and name the cap', () => {
  it('statusEntriesPerCredential: a credential with more status entries fails the status check and fetches none', async () => {
    const { fetched, fetchJson } = recordingFetcher();
    const urls = Array.from({ length: 300 }, (_, i) => `https://lists.example/${i}`);
    const report = await verifierWith(fetchJson).verifyCredential(withStatus(urls));
    expect(checkOf(report, 'status')).toMatchObject({ passed: false, code: 'limit_exceeded' });
    expect(checkOf(report, 'status').reason).toMatch(/300 status entries.*statusEntriesPerCredential: 8/);
    expect(report.verified).toBe(false);
    expect(fetched).toEqual([]);
  });

  it('proofsPerCredential: a credential with more proofs is refused before any did:web key is resolved', async () => {
    const { fetched, fetchJson } = recordingFetcher();
    const proofs = Array.from({ length: 50 }, (_, i) => ({ ...badge.proof, verificationMethod: `did:web:host${i}.example#key-1` }));
    const report = await verifierWith(fetchJson).verifyCredential({ ...structuredClone(badge), proof: proofs });
    expect(report.verified).toBe(false);
    const failed = report.checks.find((c) => !c.passed);
    expect(failed).toMatchObject({ code: 'limit_exceeded' });
    expect(failed?.reason).toMatch(/50 proofs.*proofsPerCredential: 8/);
    expect(fetched).toEqual([]);
  });

  it('proofsPerPresentation: a presentation with more proofs is refused before any key is resolved', async () => {
    const { fetched, fetchJson } = recordingFetcher();
    const proofs = Array.from({ length: 10 }, (_, i) => ({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'authentication', verificationMethod: `did:web:holder${i}.example#key-1`, proofValue: 'z1' }));
    const report = await verifierWith(fetchJson).verifyPresentation(presentation([badge], { proof: proofs }));
    expect(report.verified).toBe(false);
    expect(checkOf(report, 'presentation_structure')).toMatchObject({ passed: false, code: 'limit_exceeded' });
    expect(checkOf(report, 'presentation_structure').reason).toMatch(/proofsPerPresentation: 4/);
    expect(report.credentials).toHaveLength(0);
    expect(fetched).toEqual([]);
  });

  it('credentialsPerPresentation: a presentation with more credentials is refused, naming the cap', async () => {
    const { fetched, fetchJson } = recordingFetcher();
    const report = await verifierWith(fetchJson).verifyPresentation(presentation(Array.from({ length: 101 }, () => badge)));
    expect(checkOf(report, 'presentation_structure')).toMatchObject({ passed: false, code: 'too_many_credentials' });
    expect(checkOf(report, 'presentation_structure').reason).toMatch(/credentialsPerPresentation: 100/);
    expect(report.credentials).toHaveLength(0);
    expect(fetched).toEqual([]);
  });

  it('endorsementsPerCredential: a credential embedding more endorsements verifies none of them', async () => {
    const { fetched, fetchJson } = recordingFetcher();
    const endorsement = withStatus(['https://lists.example/endorsement'], { ...structuredClone(badge), type: ['VerifiableCredential', 'EndorsementCredential'] });
    const report = await verifierWith(fetchJson).verifyCredential({ ...structuredClone(badge), credentialStatus: undefined, endorsement: Array.from({ length: 40 }, () => endorsement) });
    expect(checkOf(report, 'endorsements')).toMatchObject({ passed: false, code: 'limit_exceeded' });
    expect(checkOf(report, 'endorsements').reason).toMatch(/40 endorsements.*endorsementsPerCredential: 16/);
    expect(report.endorsements).toHaveLength(0);
    expect(fetched).toEqual([]);
  });

  it('distinctUrlsPerRequest: a request fetches at most 64 distinct URLs; the entries beyond fail naming the cap', async () => {
    const { fetched, fetchJson } = recordingFetcher();
    // 20 badges × 5 entries = 100 distinct list URLs, each badge within its own entry cap.
    const credentials = Array.from({ length: 20 }, (_, c) => withStatus(Array.from({ length: 5 }, (_, e) => `https://lists.example/${c}/${e}`)));
    const report = await verifierWith(fetchJson).verifyPresentation(presentation(credentials));
    expect(new Set(fetched).size).toBe(VERIFICATION_LIMITS.distinctUrlsPerRequest);
    expect(fetched).toHaveLength(VERIFICATION_LIMITS.distinctUrlsPerRequest);
    const refused = report.credentials.flatMap(statusDetails).filter((d) => d.code === 'limit_exceeded');
    expect(refused).toHaveLength(100 - VERIFICATION_LIMITS.distinctUrlsPerRequest);
    expect(refused[0]?.reason).toMatch(/distinctUrlsPerRequest: 64/);
  });

  it('one fetch per distinct URL per request: a list that failed is not fetched again for the same request', async () => {
    const { fetched, fetchJson } = recordingFetcher();
    const url = 'https://lists.example/shared';
    // Concurrent badges share the fetch under way; the endorsement is checked after its badge.
    const endorsement = withStatus([url], { ...structuredClone(badge), type: ['VerifiableCredential', 'EndorsementCredential'] });
    const endorsed = { ...withStatus([url]), endorsement: [endorsement] };
    const report = await verifierWith(fetchJson).verifyPresentation(presentation([endorsed, ...Array.from({ length: 5 }, () => withStatus([url]))]));
    const codes = [...report.credentials, ...report.credentials.flatMap((c) => c.endorsements)].flatMap(statusDetails).map((d) => d.code);
    expect(codes).toEqual(Array.from({ length: 7 }, () => 'status_list_not_found'));
    expect(fetched).toEqual([url]);
  });

  describe('bytes per request, through the guarded fetcher', () => {
    let server: http.Server;
    let origin: string;
    let served = 0;
    // 1.5 MB JSON documents: within the fetcher's 2 MiB per response, five of them are not within 8 MiB.
    const body = JSON.stringify({ type: ['VerifiableCredential', 'BitstringStatusListCredential'], padding: 'x'.repeat(1_500_000) });
    beforeAll(async () => {
      server = http.createServer((_req, res) => {
        served++;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('bytesFetchedPerRequest: fetches share 8 MiB a request; a fetch over what is left is refused naming the cap', async () => {
      const guarded = createGuardedFetcher({ allowPrivateNetworks: true });
      let read = 0;
      const fetchJson = (url: string, init?: FetchInit) => guarded.fetchJson(url, { ...init, onBytes: (n) => ((read += n), init?.onBytes?.(n)) });
      const credentials = Array.from({ length: 12 }, (_, i) => withStatus([`${origin}/big/${i}`]));
      const report = await verifierWith(fetchJson).verifyPresentation(presentation(credentials));
      expect(read).toBeLessThanOrEqual(VERIFICATION_LIMITS.bytesFetchedPerRequest);
      expect(read).toBeGreaterThanOrEqual(5 * body.length);
      const codes = report.credentials.flatMap(statusDetails).map((d) => d.code);
      expect(codes).toHaveLength(12);
      expect(codes.filter((c) => c === 'limit_exceeded').length).toBeGreaterThanOrEqual(12 - Math.floor(VERIFICATION_LIMITS.bytesFetchedPerRequest / body.length));
      expect(report.credentials.flatMap(statusDetails).find((d) => d.code === 'limit_exceeded')?.reason).toMatch(/bytesFetchedPerRequest: 8388608/);
      expect(served).toBeGreaterThan(0);
    });
  });

  it('bytesInflatedPerRequest: lists decode to at most 16 MiB a request; the lists beyond are not decoded', async () => {
    const list = await signedList({ encodedList: zeros(MAX_STATUS_LIST_BYTES) });
    const { fetched, fetchJson } = recordingFetcher(() => list);
    // Twelve lists of 2 MiB each (the most one list may hold): eight fit in 16 MiB.
    const report = await verifierWith(fetchJson).verifyPresentation(presentation(Array.from({ length: 12 }, (_, i) => withStatus([`https://lists.example/max/${i}`]))));
    const details = report.credentials.flatMap(statusDetails);
    expect(fetched).toHaveLength(12);
    expect(details.filter((d) => d.ok === true)).toHaveLength(VERIFICATION_LIMITS.bytesInflatedPerRequest / MAX_STATUS_LIST_BYTES);
    const refused = details.filter((d) => d.code === 'limit_exceeded');
    expect(refused).toHaveLength(12 - VERIFICATION_LIMITS.bytesInflatedPerRequest / MAX_STATUS_LIST_BYTES);
    expect(refused[0]?.reason).toMatch(/bytesInflatedPerRequest: 16777216/);
  });
});

describe('status lists are decoded only after their issuer matches, and with an output limit', () => {
  it('a list of another issuer is refused as such, before its bits are decoded (a broken list of theirs is not even read)', async () => {
    const list = await signedList({ signer: other, encodedList: 'u' + Buffer.from('not gzip at all').toString('base64url') });
    const { fetchJson } = recordingFetcher(() => list);
    const report = await verifierWith(fetchJson).verifyCredential(withStatus(['https://lists.example/theirs']));
    expect(statusDetails(report)).toMatchObject([{ ok: false, code: 'status_list_issuer_mismatch' }]);
  });

  it('proofsPerCredential holds for a status list too: a list with more proofs is refused before any key is resolved', async () => {
    const list = await signedList();
    list.proof = Array.from({ length: 20 }, (_, i) => ({ ...list.proof, verificationMethod: `did:web:signer${i}.example#key-1` }));
    const { fetched, fetchJson } = recordingFetcher((url) => (url.startsWith('https://lists.example/') ? list : undefined));
    const report = await verifierWith(fetchJson).verifyCredential(withStatus(['https://lists.example/many-proofs']));
    const [detail] = statusDetails(report);
    expect(detail).toMatchObject({ ok: false, code: 'limit_exceeded' });
    expect(detail?.reason).toMatch(/20 proofs.*proofsPerCredential: 8/);
    expect(fetched).toEqual(['https://lists.example/many-proofs']);
  });

  it('a list that inflates past 2^24 entries (2 MiB) is refused, never decoded whole', async () => {
    const list = await signedList({ encodedList: zeros(2 * MAX_STATUS_LIST_BYTES) });
    const { fetchJson } = recordingFetcher(() => list);
    const report = await verifierWith(fetchJson).verifyCredential(withStatus(['https://lists.example/bomb']));
    const [detail] = statusDetails(report);
    expect(detail).toMatchObject({ ok: false, code: 'status_list_too_large' });
    expect(detail?.reason).toMatch(/more than 2097152 bytes \(16777216 entries\)/);
  });
});

describe('the caches that outlive a request are bounded', () => {
  it('the status list cache keeps at most its max entries: the least recently used list is fetched again', async () => {
    const lists = await signedList();
    const { fetched, fetchJson } = recordingFetcher(() => lists);
    const check = createStatusChecker({ fetchJson, documentLoader: t.runtime.issuer.documentLoader, cache: { max: 2, maxBytes: 1024 * 1024 } });
    for (const url of ['https://lists.example/a', 'https://lists.example/b', 'https://lists.example/c', 'https://lists.example/a']) {
      expect(await check(withStatus([url]))).toMatchObject([{ ok: true }]);
    }
    expect(fetched).toEqual(['https://lists.example/a', 'https://lists.example/b', 'https://lists.example/c', 'https://lists.example/a']);
  });

  it('the status list cache keeps at most its max bytes of decoded lists', async () => {
    const lists = await signedList();
    const { fetched, fetchJson } = recordingFetcher(() => lists);
    // 16 KiB lists, 40 KiB of room: two fit.
    const check = createStatusChecker({ fetchJson, documentLoader: t.runtime.issuer.documentLoader, cache: { max: 100, maxBytes: 40 * 1024 } });
    for (const url of ['https://lists.example/a', 'https://lists.example/b', 'https://lists.example/c', 'https://lists.example/b', 'https://lists.example/a']) await check(withStatus([url]));
    expect(fetched).toEqual(['https://lists.example/a', 'https://lists.example/b', 'https://lists.example/c', 'https://lists.example/a']);
  });

  it('the DID document cache keeps at most its max entries', async () => {
    const documents = (url: string) => {
      const host = new URL(url).hostname;
      return { id: `did:web:${host}`, verificationMethod: [{ id: `did:web:${host}#key-1`, type: 'Multikey', controller: `did:web:${host}` }] };
    };
    const { fetched, fetchJson } = recordingFetcher(documents);
    const keys = createKeyResolver({ pinned: new PinnedDocuments(), fetchJson, cache: { max: 2, maxBytes: 1024 * 1024 } });
    for (const host of ['a.example', 'b.example', 'c.example', 'a.example']) {
      expect(await keys.resolve(`did:web:${host}#key-1`)).toMatchObject({ id: `did:web:${host}#key-1` });
    }
    expect(fetched).toEqual(['https://a.example/.well-known/did.json', 'https://b.example/.well-known/did.json', 'https://c.example/.well-known/did.json', 'https://a.example/.well-known/did.json']);
  });

  it('concurrent checks of one list in separate requests share one fetch', async () => {
    const list = await signedList();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fetched: string[] = [];
    const fetchJson = async (url: string) => {
      fetched.push(url);
      await gate;
      return structuredClone(list);
    };
    const check = createStatusChecker({ fetchJson, documentLoader: t.runtime.issuer.documentLoader });
    // Five requests (each call is one) start before the first fetch answers.
    const pending = Promise.all(Array.from({ length: 5 }, () => check(withStatus(['https://lists.example/slow']))));
    release();
    expect((await pending).map((results) => results[0]?.ok)).toEqual([true, true, true, true, true]);
    expect(fetched).toEqual(['https://lists.example/slow']);
  });

  it("a request whose byte budget ran out does not fail another request's check of the same list", async () => {
    const list = await signedList();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fetched: string[] = [];
    // Honours the size it is allowed, as the guarded fetcher does.
    const fetchJson = async (url: string, init?: FetchInit) => {
      fetched.push(url);
      await gate;
      const bytes = JSON.stringify(list).length;
      if (init?.maxBytes !== undefined && bytes > init.maxBytes) throw Object.assign(new Error('too large'), { code: 'fetch_too_large' });
      init?.onBytes?.(bytes);
      return structuredClone(list);
    };
    const check = createStatusChecker({ fetchJson, documentLoader: t.runtime.issuer.documentLoader });
    const spent = new RequestBudget({ ...VERIFICATION_LIMITS, bytesFetchedPerRequest: 100 });
    const url = 'https://lists.example/contested';
    const hostile = check(withStatus([url]), { budget: spent });
    const honest = check(withStatus([url]));
    release();
    expect(await hostile).toMatchObject([{ ok: false, code: 'limit_exceeded' }]);
    expect(await honest).toMatchObject([{ ok: true }]);
    expect(fetched).toEqual([url, url]);
  });
});
