// Property-based hostile input at every route the app mounts (taken from app.routes, so a new
// route is covered without editing this file): random JSON, random bytes (invalid UTF-8
// included) under every media type, random credentials in headers. The service must never
// answer 5xx, must answer every error as problem+json, and must not change stored data. Then
// random proof sets and alignment lists at the verifier, against the holder and scope rules.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { endpoints, expectSafeAnswer, fillPath, isHtmlRoute, storedData, type Endpoint } from '../helpers/hostile.js';
import { createKeyHolder, forgedProofFor, presentationOf, type KeyHolder } from '../helpers/proofSets.js';

let t: TestInstance;
let writes: Endpoint[];
let reads: Endpoint[];
let before: string;

beforeAll(async () => {
  t = await createTestInstance({ env: { EDUCRED_BODY_LIMIT: String(256 * 1024) } });
  // Something to protect: an award (with its claim link) and a finished batch.
  expect((await postJson(t.app, '/awards', awardBody())).status).toBe(201);
  expect((await postJson(t.app, '/awards/batch', [awardBody({ recipient: { email: 'x@example.edu', name: 'X' } })], { 'Batch-Id': 'kept' })).status).toBe(200);
  writes = endpoints(t.app, ['POST', 'PUT', 'PATCH', 'DELETE']);
  reads = endpoints(t.app, ['GET']).filter((e) => !isHtmlRoute(e));
  before = await storedData(t.runtime.store);
});
afterAll(async () => t.close());

const RUNS = { numRuns: 40 };
const MEDIA_TYPES = ['application/json', 'application/ld+json', 'text/csv', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''];

async function send(endpoint: Endpoint, param: string, body: string | Uint8Array | undefined, headers: Record<string, string>): Promise<Response> {
  return t.app.request(fillPath(endpoint.path, param), { method: endpoint.method, headers, ...(body !== undefined ? { body } : {}) });
}

describe('hostile bodies at every write route', () => {
  it('covers every write route the app mounts', () => {
    expect(writes.map((e) => `${e.method} ${e.path}`)).toEqual(expect.arrayContaining(['POST /awards', 'POST /awards/batch', 'POST /credentials/issue', 'POST /tokens']));
  });

  it('answers random JSON without a 5xx, with problem+json, and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 6 }), async (endpoint, param, value) => {
        const res = await send(endpoint, param, JSON.stringify(value), { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` });
        await expectSafeAnswer(res, `${endpoint.method} ${endpoint.path} ${JSON.stringify(value).slice(0, 120)}`);
        expect(await storedData(t.runtime.store)).toBe(before);
      }),
      RUNS,
    );
  });

  it('answers random bytes (invalid UTF-8 included) under any media type', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), fc.constantFrom(...MEDIA_TYPES), fc.uint8Array({ maxLength: 2048 }), async (endpoint, type, bytes) => {
        const headers: Record<string, string> = { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(type ? { 'Content-Type': type } : {}) };
        await expectSafeAnswer(await send(endpoint, 'x', bytes, headers), `${endpoint.method} ${endpoint.path} ${type}`);
        expect(await storedData(t.runtime.store)).toBe(before);
      }),
      RUNS,
    );
  });

  it('answers objects shaped like the real bodies but with wrong types in every field', async () => {
    const field = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));
    const shaped = fc.record(
      { recipient: field, achievement: field, evidence: field, credential: field, options: field, name: field, scopes: field, awards: field, batchId: field, verifiableCredential: field },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), shaped, async (endpoint, body) => {
        const res = await send(endpoint, 'x', JSON.stringify(body), { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` });
        await expectSafeAnswer(res, `${endpoint.method} ${endpoint.path} ${JSON.stringify(body).slice(0, 160)}`);
        expect(await storedData(t.runtime.store)).toBe(before);
      }),
      RUNS,
    );
  });
});

describe('hostile requests at every read route and in headers', () => {
  it('answers random path parameters and query strings at JSON read routes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...reads), fc.string({ maxLength: 80 }), fc.string({ maxLength: 40 }), async (endpoint, param, query) => {
        const url = `${fillPath(endpoint.path, param)}?${encodeURIComponent(query)}=${encodeURIComponent(query)}`;
        const res = await t.app.request(url, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
        await expectSafeAnswer(res, `GET ${url}`);
      }),
      RUNS,
    );
    expect(await storedData(t.runtime.store)).toBe(before);
  });

  it('refuses random Authorization headers with 401 problem+json', async () => {
    const protectedWrites = ['POST /awards', 'POST /awards/batch', 'POST /credentials/issue', 'POST /tokens', 'POST /endorsements'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...protectedWrites), fc.oneof(fc.string({ maxLength: 200 }), fc.string().map((s) => `Bearer ${s}`)), async (route, authorization) => {
        const path = route.split(' ')[1] ?? '/';
        let res: Response;
        try {
          res = await t.app.request(path, { method: 'POST', headers: { Authorization: authorization, 'Content-Type': 'application/json' }, body: '{}' });
        } catch (error) {
          // The Fetch API itself refuses some header values (line breaks): nothing reaches the service.
          expect(error).toBeInstanceOf(TypeError);
          return;
        }
        expect([401, 403]).toContain(res.status);
        await expectSafeAnswer(res, `${route} Authorization: ${authorization.slice(0, 40)}`);
      }),
      RUNS,
    );
    expect(await storedData(t.runtime.store)).toBe(before);
  });

  it('refuses hostile Idempotency-Key and Batch-Id headers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (value) => {
        const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` };
        let res: Response;
        try {
          res = await t.app.request('/awards/batch', { method: 'POST', headers: { ...headers, 'Batch-Id': value }, body: '[{}]' });
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          return;
        }
        await expectSafeAnswer(res, `Batch-Id ${value.slice(0, 40)}`);
        const award = await t.app.request('/awards', { method: 'POST', headers: { ...headers, 'Idempotency-Key': value }, body: '{}' });
        await expectSafeAnswer(award, `Idempotency-Key ${value.slice(0, 40)}`);
      }),
      RUNS,
    );
    expect(await storedData(t.runtime.store)).toBe(before);
  });
});

// Verification limits (src/verify/limits.ts) under random shapes: many status entries, many
// did:web proofs, many credentials. Every URL is on an IP literal the guarded fetcher refuses
// before connecting (loopback, private), so nothing leaves this machine and no name is looked up.
describe('hostile verification shapes: many status entries, many did:web proofs', () => {
  type Json = Record<string, any>;
  let issued: Json;
  beforeAll(async () => {
    // The badge issued above, read (not written) from the store: this block changes no data.
    const [row] = (await sql<{ credential_json: string }>`SELECT credential_json FROM awards LIMIT 1`.execute(t.runtime.store.kysely)).rows;
    issued = JSON.parse(row!.credential_json) as Json;
  });
  const host = fc.constantFrom('127.0.0.1:1', '10.0.0.1', '[::1]', '169.254.169.254', '192.168.1.1');
  const statusEntry = fc.record({
    type: fc.constantFrom('BitstringStatusListEntry', 'BitstringStatusListEntry', 'StatusList2021Entry'),
    statusPurpose: fc.constantFrom('revocation', 'suspension', 'message'),
    statusListIndex: fc.oneof(fc.nat({ max: 200_000 }).map(String), fc.string({ maxLength: 12 })),
    statusListCredential: fc.tuple(host, fc.nat({ max: 10_000 })).map(([h, n]) => `http://${h}/status/${n}`),
  });
  const didWebProof = fc.tuple(host, fc.nat({ max: 1000 })).map(([h, n]) => ({
    type: 'DataIntegrityProof',
    cryptosuite: 'eddsa-rdfc-2022',
    proofPurpose: 'assertionMethod',
    verificationMethod: `did:web:${encodeURIComponent(h)}:u${n}#key-1`,
    proofValue: 'z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKods5D2UAUL5n2Brbx',
  }));
  const badUnsignedProof = { type: 'DataIntegrityProof', cryptosuite: 'hostile-2099', proofPurpose: 'assertionMethod', verificationMethod: 'did:key:z6Mkhostile', proofValue: 'z1' };
  const checkOf = (report: Json, name: string): Json | undefined => (report.checks as Json[]).find((c) => c.check === name);

  async function verify(path: string, body: unknown): Promise<Json> {
    const res = await t.app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const copy = res.clone();
    await expectSafeAnswer(res, `${path} ${JSON.stringify(body).slice(0, 120)}`);
    return (await copy.json()) as Json;
  }

  it('a badge with up to 400 status entries: above the cap the status check names statusEntriesPerCredential, at most 8 entries are ever checked', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.array(statusEntry, { maxLength: 8 }), fc.array(statusEntry, { minLength: 9, maxLength: 400 })), async (entries) => {
        const body = await verify('/credentials/verify', { verifiableCredential: { ...issued, credentialStatus: entries } });
        const status = checkOf(body.report, 'status');
        // An empty set of entries names no list to check; any entry here points where nothing is fetched.
        expect(status?.passed).toBe(entries.length === 0);
        const details = (status?.details as Json[] | undefined) ?? [];
        if (entries.length > 8) {
          expect(status).toMatchObject({ code: 'limit_exceeded' });
          expect(status?.reason).toMatch(/statusEntriesPerCredential: 8/);
          expect(details).toHaveLength(1);
        } else {
          expect(details).toHaveLength(entries.length);
          expect(details.every((d) => d.ok === false)).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
    expect(await storedData(t.runtime.store)).toBe(before);
  });

  it('a badge with up to 60 did:web proofs: above the cap it is refused naming proofsPerCredential; it never verifies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.array(didWebProof, { minLength: 1, maxLength: 8 }), fc.array(didWebProof, { minLength: 9, maxLength: 60 })), async (proofs) => {
        // Without its own status entry: checking it would publish (sign and store) this service's list.
        const body = await verify('/credentials/verify', { verifiableCredential: { ...issued, credentialStatus: undefined, proof: proofs } });
        expect(body.verified).toBe(false);
        if (proofs.length > 8) {
          expect(checkOf(body.report, 'structure')).toMatchObject({ passed: false, code: 'limit_exceeded' });
          expect(checkOf(body.report, 'structure')?.reason).toMatch(/proofsPerCredential: 8/);
        } else {
          expect(checkOf(body.report, 'proof')?.passed).toBe(false);
        }
      }),
      { numRuns: 25 },
    );
    expect(await storedData(t.runtime.store)).toBe(before);
  });

  it('a presentation of up to 120 badges with status entries: over 100 it is refused, and no request checks more than 64 distinct URLs', async () => {
    // A slim badge (what the structure check needs), so 120 of them fit in this instance's body limit.
    const slim = (): Json => {
      const { achievement } = issued.credentialSubject as Json;
      const subject = { id: issued.credentialSubject.id, type: issued.credentialSubject.type, achievement: { id: achievement.id, type: achievement.type, name: achievement.name, description: achievement.description, criteria: { narrative: 'n' } } };
      return { '@context': issued['@context'], type: issued.type, issuer: issued.issuer, validFrom: issued.validFrom, credentialSubject: subject, proof: badUnsignedProof };
    };
    const badge = fc.array(statusEntry, { maxLength: 4 }).map((entries) => ({ ...slim(), credentialStatus: entries }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.array(badge, { maxLength: 30 }), fc.array(badge, { minLength: 90, maxLength: 120 })), async (credentials) => {
        const presentation = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: credentials };
        const body = await verify('/presentations/verify', { verifiablePresentation: presentation });
        expect(body.verified).toBe(false);
        if (credentials.length > 100) {
          expect(checkOf(body.report, 'presentation_structure')).toMatchObject({ passed: false, code: 'too_many_credentials' });
          expect(body.report.credentials).toHaveLength(0);
          return;
        }
        const details = (body.report.credentials as Json[]).flatMap((c) => (checkOf(c, 'status')?.details as Json[] | undefined) ?? []);
        // URLs the verifier tried to fetch: entries refused for their own form are not among them.
        const notFetched = ['limit_exceeded', 'status_entry_invalid', 'status_type_unsupported'];
        const checkedUrls = new Set(details.filter((d) => !notFetched.includes(d.code)).map((d) => d.statusListCredential));
        expect(checkedUrls.size).toBeLessThanOrEqual(64);
      }),
      { numRuns: 12 },
    );
    expect(await storedData(t.runtime.store)).toBe(before);
  });
});

// Proof sets and alignment lists, the shapes of the holder and trust-scope attacks: whatever
// the set or the list, the answer follows the rules (src/verify/holderProof.ts, trustPolicy.ts).
describe('hostile proof sets and alignment lists at POST /presentations/verify', () => {
  const ONLINE_TEACHING = ['personalized-blended-online', 'differentiated-support', 'formative-assessment', 'data-informed-instruction'];
  const CODES = [...ONLINE_TEACHING, 'aligned-instruction', 'performance-assessment-design', 'lifelong-learning-sel'];
  const CHALLENGE = 'fuzz-challenge';
  const DOMAIN = 'fuzz.example';
  type Json = Record<string, any>;
  type Holder = 'victim' | 'attacker' | 'none';
  type Pick = 'victimValid' | 'victimOtherChallenge' | 'victimForged' | 'attackerValid' | 'attackerOtherChallenge' | 'notAnObject';
  let v: TestInstance;
  let victim: KeyHolder;
  let attacker: KeyHolder;
  let badges: Json[];
  const unsignedFor = new Map<Holder, Json>();
  const proofsFor = new Map<Holder, Record<Pick, unknown>>();

  beforeAll(async () => {
    v = await createTestInstance();
    [victim, attacker] = await Promise.all([createKeyHolder(), createKeyHolder()]);
    badges = [];
    for (const achievement of ONLINE_TEACHING) {
      const res = await postJson(v.app, '/awards', awardBody({ recipient: { id: victim.did, name: 'V' }, achievement }));
      badges.push(((await res.json()) as Json).credential);
    }
    for (const holder of ['victim', 'attacker', 'none'] as const) {
      const unsigned = presentationOf(badges, holder === 'victim' ? victim.did : holder === 'attacker' ? attacker.did : undefined);
      const proof = async (who: KeyHolder, challenge: string) => (await who.sign(unsigned, { challenge, domain: DOMAIN })).proof as Json;
      const victimValid = await proof(victim, CHALLENGE);
      unsignedFor.set(holder, unsigned);
      proofsFor.set(holder, {
        victimValid,
        victimOtherChallenge: await proof(victim, 'old-challenge'),
        victimForged: forgedProofFor(await proof(attacker, CHALLENGE), victim.did),
        attackerValid: await proof(attacker, CHALLENGE),
        attackerOtherChallenge: await proof(attacker, 'old-challenge'),
        notAnObject: 'not a proof',
      });
    }
  });
  afterAll(async () => v?.close());

  const verify = async (vp: Json): Promise<{ res: Response; body: Json }> => {
    const res = await postJson(v.app, '/presentations/verify', { verifiablePresentation: vp, options: { challenge: CHALLENGE, domain: DOMAIN, rule: 'online-teaching' } });
    const body = (await res.clone().json()) as Json;
    return { res, body };
  };

  it('approves exactly when the holder is the victim by the victim\'s own valid proof and every proof verifies', async () => {
    const picks = fc.constantFrom<Pick>('victimValid', 'victimOtherChallenge', 'victimForged', 'attackerValid', 'attackerOtherChallenge', 'notAnObject');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Holder>('victim', 'attacker', 'none'), fc.array(picks, { minLength: 1, maxLength: 4 }), async (holder, set) => {
        const pool = proofsFor.get(holder) as Record<Pick, unknown>;
        const vp = { ...(unsignedFor.get(holder) as Json), proof: set.map((p) => structuredClone(pool[p])) };
        const { res, body } = await verify(vp);
        await expectSafeAnswer(res, `${holder} ${set.join(',')}`);
        const allValid = set.every((p) => p === 'victimValid' || p === 'attackerValid');
        const signers = new Set(set.filter((p) => p.endsWith('Valid')).map((p) => p.replace('Valid', '')));
        const expected = allValid && signers.has('victim') && (holder === 'victim' || (holder === 'none' && signers.size === 1));
        expect(body.approval.approved, `${holder} ${set.join(',')}`).toBe(expected);
        expect(body.verified, `${holder} ${set.join(',')}`).toBe(expected);
        if (body.report.holder === victim.did) expect(set).toContain('victimValid');
      }),
      { numRuns: 30 },
    );
  });

  it('counts a badge for its own achievement only, and for one requirement at most, whatever alignments it lists', async () => {
    const frameworkUrl = `${v.config.baseUrl}/frameworks/instructional-competencies`;
    const alignment = fc.record({
      code: fc.constantFrom(...CODES),
      host: fc.constantFrom(frameworkUrl, 'https://elsewhere.example/framework', 'https://x.example'),
    });
    const badge = fc.record({ code: fc.constantFrom(...CODES), extra: fc.array(alignment, { maxLength: 4 }) });
    // One badge per recipient and achievement: each code is awarded once, variants get their own id.
    const awarded = new Map<string, Json>(badges.map((b) => [b.credentialSubject.achievement.humanCode as string, b]));
    const withAlignments = async (code: string, extra: Array<{ code: string; host: string }>): Promise<Json> => {
      if (!awarded.has(code)) {
        const res = await postJson(v.app, '/awards', awardBody({ recipient: { id: victim.did, name: 'V' }, achievement: code }));
        awarded.set(code, ((await res.json()) as Json).credential);
      }
      const { proof: _proof, ...credential } = structuredClone(awarded.get(code) as Json);
      credential.id = `urn:uuid:${randomUUID()}`;
      const achievement = credential.credentialSubject.achievement;
      achievement.alignment = [...achievement.alignment, ...extra.map((a) => ({ type: ['Alignment'], targetName: a.code, targetUrl: `${a.host}#${a.code}` }))];
      return v.runtime.issuer.sign(credential);
    };
    await fc.assert(
      fc.asyncProperty(fc.array(badge, { minLength: 1, maxLength: 3 }), async (specs) => {
        const credentials = await Promise.all(specs.map((s) => withAlignments(s.code, s.extra)));
        const vp = await victim.sign(presentationOf(credentials, victim.did), { challenge: CHALLENGE, domain: DOMAIN });
        const { res, body } = await verify(vp);
        await expectSafeAnswer(res, specs.map((s) => s.code).join(','));
        const satisfied = (body.approval.requirements as Json[]).filter((r) => r.satisfied);
        const codeOf = new Map(credentials.map((c) => [c.id, c.credentialSubject.achievement.humanCode as string]));
        // Each satisfied requirement names the humanCode of a distinct badge.
        expect(new Set(satisfied.map((r) => r.credentialId)).size).toBe(satisfied.length);
        const expectedCodes = ONLINE_TEACHING.filter((code) => specs.some((s) => s.code === code));
        expect(satisfied.map((r) => codeOf.get(r.credentialId)).sort()).toEqual(expectedCodes.sort());
        expect(body.approval.approved).toBe(expectedCodes.length === ONLINE_TEACHING.length);
      }),
      { numRuns: 20 },
    );
  });
});
