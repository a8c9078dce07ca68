// The verifying state asks, the wallet answers, the officer decides, end to end on loopback:
// State A's agency endorses a program; the program issues an educator seven badges carrying the
// endorsement; State B's verifier (trusting only the agency) makes presentation requests that
// the educator's wallet answers over the VC-API exchange and over OpenID4VP 1.0. Then each way
// it must not: a replay, an expired request, a missing competency, a token without the scope.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuerIdentity } from '../../src/signing/did.js';
import { generateMultikey, writeKeyFile } from '../../src/signing/keys.js';
import { ADMIN_TOKEN, awardBody, createServedInstance, createTestInstance, masteryEvidence, observation, postJson, type TestInstance } from '../helpers/app.js';
import { createJwtHolder, openAuthorizationRequest, respondWithJwtPresentation, respondWithPresentation } from '../helpers/openid4vpWallet.js';
import { issuerJwtSigner, signJwtCredential } from '../../src/credentials/jwtCredential.js';
import { hasChromium, launchBrowser, screenshot, SKIP_REASON } from '../helpers/browser.js';
import { createTestWallet, type TestWallet } from '../helpers/wallet.js';

type Json = Record<string, any>;
type Served = TestInstance & { origin: string };

const ALL_SEVEN = ['differentiated-support', 'aligned-instruction', 'formative-assessment', 'performance-assessment-design', 'data-informed-instruction', 'lifelong-learning-sel', 'personalized-blended-online'];
const scratch = mkdtempSync(path.join(tmpdir(), 'educred-presentation-requests-'));

let agency: TestInstance;
let program: Served;
let stateB: Served;
let educator: TestWallet;
let verifyToken: string;
let clock: Date | undefined;
const badges: Record<string, Json> = {};

const post = async (instance: TestInstance, route: string, body: unknown, token = ADMIN_TOKEN): Promise<{ status: number; body: Json }> => {
  const res = await postJson(instance.app, route, body, { Authorization: `Bearer ${token}` });
  return { status: res.status, body: (await res.json()) as Json };
};
const get = async (route: string, token = verifyToken, accept = 'application/json'): Promise<{ status: number; body: any }> => {
  const res = await stateB.app.request(route, { headers: { Authorization: `Bearer ${token}`, Accept: accept } });
  return { status: res.status, body: accept.includes('html') ? await res.text() : ((await res.json()) as Json) };
};
/** A wallet talks to the verifier over the network, as a phone would. */
const walletPost = async (url: string, body: unknown): Promise<{ status: number; body: Json }> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
};
const newRequest = async (rule = 'online-teaching'): Promise<Json> => {
  const res = await post(stateB, '/presentation-requests', { rule, purpose: 'Online teaching endorsement for your licence' }, verifyToken);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
};

beforeAll(async () => {
  agency = await createTestInstance({ env: { EDUCRED_ISSUER_NAME: 'State A Department of Education' } });
  const keyFile = path.join(scratch, 'program-key.json');
  const key = await generateMultikey();
  writeKeyFile(keyFile, key);
  const programDid = issuerIdentity(key.publicKeyMultibase, undefined).did;
  const endorsement = await post(agency, '/endorsements', { issuer: programDid, issuerName: 'Program P' });
  expect(endorsement.status).toBe(201);
  const endorsementsDir = mkdtempSync(path.join(scratch, 'endorsements-'));
  writeFileSync(path.join(endorsementsDir, 'a.json'), JSON.stringify(endorsement.body.credential ?? endorsement.body));
  program = await createServedInstance({ env: { EDUCRED_KEY_FILE: keyFile, EDUCRED_ENDORSEMENTS_DIR: endorsementsDir, EDUCRED_ISSUER_NAME: 'Program P' }, configure: (deps) => ({ ...deps, now: () => clock ?? new Date() }) });
  const policyFile = path.join(scratch, 'state-b.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      name: 'State B educator licensure',
      trustedEndorsers: [{ id: agency.runtime.issuer.identity.did, name: 'State A Department of Education' }],
      approvalRules: [
        {
          id: 'renewal',
          name: 'Licence renewal',
          earnedWithin: 'P5Y',
          requires: [{ code: 'data-informed-instruction', name: '5. Data-Informed Instruction', minLevel: 'exemplary' }],
          credits: { perCredential: [{ match: { achievementType: 'Competency' }, points: 6, name: 'a competency badge' }], required: 18 },
        },
      ],
    }),
  );
  stateB = await createServedInstance({ env: { EDUCRED_TRUST_POLICY: policyFile, EDUCRED_FETCH_ALLOW_PRIVATE: 'true' }, configure: (deps) => ({ ...deps, now: () => clock ?? new Date() }) });
  const token = await post(stateB, '/tokens', { name: 'licensure officer', scopes: ['verify'] });
  expect(token.status).toBe(201);
  verifyToken = token.body.token;
  educator = await createTestWallet();
  // One badge earned years ago (the program's clock set back), for the renewal rule's window.
  clock = new Date('2019-03-20T12:00:00Z');
  const earlier = Array.from({ length: 5 }, (_, i) => observation('proficient', `2019-03-0${i + 1}`));
  const old = await post(program, '/awards', awardBody({ recipient: { id: educator.did, name: 'Ana Lopez' }, achievement: 'aligned-instruction', evidence: earlier }));
  clock = undefined;
  expect(old.status, JSON.stringify(old.body)).toBe(201);
  badges['aligned-instruction'] = old.body.credential;
  for (const code of ALL_SEVEN.filter((c) => c !== 'aligned-instruction')) {
    const res = await post(program, '/awards', awardBody({ recipient: { id: educator.did, name: 'Ana Lopez' }, achievement: code }));
    expect(res.status).toBe(201);
    badges[code] = res.body.credential;
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([agency?.close(), program?.close(), stateB?.close()]);
});

describe('POST /presentation-requests: the verify scope', () => {
  it('refuses no token (401) and a token without verify (403)', async () => {
    const none = await stateB.app.request('/presentation-requests', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"rule":"online-teaching"}' });
    expect(none.status).toBe(401);
    const issuer = await post(stateB, '/tokens', { name: 'issuing system', scopes: ['issue'] });
    const res = await post(stateB, '/presentation-requests', { rule: 'online-teaching' }, issuer.body.token);
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/'verify' scope/);
  });

  it('an unknown rule is a 400 naming /rule; an unknown field is refused', async () => {
    const res = await post(stateB, '/presentation-requests', { rule: 'no-such-rule' }, verifyToken);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].pointer).toBe('/rule');
    expect((await post(stateB, '/presentation-requests', { rule: 'online-teaching', extra: 1 }, verifyToken)).status).toBe(400);
  });

  it('answers the contract fields; the admin token works too', async () => {
    const res = await post(stateB, '/presentation-requests', { rule: 'online-teaching' });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['challenge', 'domain', 'exchangeUrl', 'expiresAt', 'id', 'interactUrl', 'openid4vpUrl', 'pageUrl']);
    expect(res.body.domain).toBe(new URL(stateB.origin).host);
    expect(res.body.openid4vpUrl).toMatch(/^openid4vp:\/\/\?client_id=decentralized_identifier%3Adid%3Ajwk%3A.+&request_uri=/);
    expect((await get(`/presentation-requests/${res.body.id}`)).body).toMatchObject({ id: res.body.id, state: 'pending' });
  });
});

describe('VC-API exchange: a wallet answers a presentation request', () => {
  let request: Json;
  let vpr: Json;
  let presented: Json;
  let answer: { status: number; body: Json };

  beforeAll(async () => {
    request = await newRequest();
    const start = await walletPost(request.exchangeUrl, {});
    expect(start.status).toBe(200);
    vpr = start.body.verifiablePresentationRequest;
    presented = await educator.present({ credentials: ALL_SEVEN.map((c) => badges[c]), challenge: vpr.challenge, domain: vpr.domain });
    answer = await walletPost(request.exchangeUrl, { verifiablePresentation: presented });
  });

  it('POST {} answers a VPR: QueryByExample for badges, CLRs, and DIDAuthentication, with the challenge and domain', () => {
    expect(vpr.challenge).toBe(request.challenge);
    expect(vpr.domain).toBe(request.domain);
    expect(vpr.query.map((q: Json) => q.type)).toEqual(['QueryByExample', 'DIDAuthentication']);
    expect(vpr.query[0].credentialQuery.map((q: Json) => q.example.type[1])).toEqual(['OpenBadgeCredential', 'AchievementCredential', 'ClrCredential']);
    expect(vpr.query[0].credentialQuery[0].reason).toBe('Online teaching endorsement for your licence');
    expect(vpr.interact.service[0].serviceEndpoint).toBe(request.exchangeUrl);
  });

  it('seven badges from the endorsed program → approved, with the educator\'s name', () => {
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ verified: true, approved: true, decision: { name: 'Ana Lopez', holder: educator.did, approved: true } });
    expect(answer.body.decision.requirements).toHaveLength(4);
  });

  it('GET /presentation-requests/:id: answered, with the decision in words', async () => {
    const { body } = await get(`/presentation-requests/${request.id}`);
    expect(body.state).toBe('answered');
    expect(body.decision).toMatchObject({ approved: true, verified: true, holder: educator.did, name: 'Ana Lopez' });
    expect(body.decision.requirements[0].reason).toMatch(/^Satisfied by .* from Program P\.$/);
  });

  it('the decision record keeps what was asked, what was presented and the full report (GET /decisions, token)', async () => {
    const list = await get('/decisions');
    const item = list.body.items.find((d: Json) => d.requestId === request.id);
    expect(item).toMatchObject({ approved: true, name: 'Ana Lopez', protocol: 'vc-api' });
    const record = await get(`/decisions/${item.id}`);
    expect(record.body.asked.verifiablePresentationRequest.challenge).toBe(request.challenge);
    expect(record.body.presented.proof.challenge).toBe(request.challenge);
    expect(record.body.report.credentials).toHaveLength(7);
    expect((await get(`/decisions/${item.id}`, 'wrong-token')).status).toBe(401);
    const page = await get(`/decisions/${item.id}`, verifyToken, 'text/html');
    expect(page.body).toContain('Approved: Online teaching approval');
    expect(page.body).toContain('Ana Lopez');
    expect(page.body).toMatch(/@media print\{/);
  });

  it('a replay of the same presentation to the same request → refused (409), the decision unchanged', async () => {
    const replay = await walletPost(request.exchangeUrl, { verifiablePresentation: presented });
    expect(replay.status).toBe(409);
    expect(replay.body.type).toMatch(/presentation-request-answered/);
  });

  it('a replay to another request (another challenge) → refused, and that request stays open for the real answer', async () => {
    const other = await newRequest();
    const replay = await walletPost(other.exchangeUrl, { verifiablePresentation: presented });
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ code: 'challenge_mismatch' });
    expect((await get(`/presentation-requests/${other.id}`)).body.state).toBe('pending');
  });

  it('an expired request → refused (410), and GET says expired', async () => {
    const late = await newRequest();
    clock = new Date(Date.now() + 16 * 60_000);
    try {
      const vp = await educator.present({ credentials: ALL_SEVEN.map((c) => badges[c]), challenge: late.challenge, domain: late.domain });
      const res = await walletPost(late.exchangeUrl, { verifiablePresentation: vp });
      expect(res.status).toBe(410);
      expect((await get(`/presentation-requests/${late.id}`)).body.state).toBe('expired');
    } finally {
      clock = undefined;
    }
  });

  it('a presentation missing competency 7 → not approved, naming it', async () => {
    const req = await newRequest();
    const vp = await educator.present({ credentials: ALL_SEVEN.filter((c) => c !== 'personalized-blended-online').map((c) => badges[c]), challenge: req.challenge, domain: req.domain });
    const res = await walletPost(req.exchangeUrl, { verifiablePresentation: vp });
    expect(res.status).toBe(200);
    expect(res.body.approved).toBe(false);
    const missing = res.body.decision.requirements.filter((r: Json) => !r.satisfied);
    expect(missing).toEqual([expect.objectContaining({ requirement: '7. Personalized, Blended and Online Learning', reason: 'No badge for 7. Personalized, Blended and Online Learning was presented.' })]);
  });
});

describe('OpenID4VP 1.0: request by reference, DCQL, direct_post', () => {
  it('the wallet verifies the signed request, answers with an ldp_vc presentation → approved; a replay is refused', async () => {
    const request = await newRequest();
    const opened = await openAuthorizationRequest(request.openid4vpUrl);
    expect(opened.header).toMatchObject({ typ: 'oauth-authz-req+jwt', alg: 'EdDSA' });
    expect(opened.payload).toMatchObject({ response_type: 'vp_token', response_mode: 'direct_post', nonce: request.challenge, state: request.id });
    expect(opened.payload.dcql_query.credentials[0]).toMatchObject({ id: 'badges', format: 'ldp_vc', multiple: true });
    const answered = await respondWithPresentation(opened, educator, ALL_SEVEN.map((c) => badges[c]));
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    const { body } = await get(`/presentation-requests/${request.id}`);
    expect(body.decision).toMatchObject({ approved: true, name: 'Ana Lopez', protocol: 'openid4vp' });
    const replay = await respondWithPresentation(opened, educator, [], { vp: answered.vp });
    expect(replay.status).toBe(409);
  });

  it('a presentation signed for the VC-API domain (not the client_id) is refused: OID4VP binds to client_id', async () => {
    const request = await newRequest();
    const opened = await openAuthorizationRequest(request.openid4vpUrl);
    const vp = await educator.present({ credentials: ALL_SEVEN.map((c) => badges[c]), challenge: request.challenge, domain: request.domain });
    const res = await respondWithPresentation(opened, educator, [], { vp });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('domain_mismatch');
  });

  it('JWT badges in a JWT presentation (jwt_vc_json) → approved with the name; a replay and a wrong nonce are refused', async () => {
    const holder = await createJwtHolder();
    const jwtBadges: string[] = [];
    for (const code of ALL_SEVEN) {
      const res = await post(program, '/awards', awardBody({ recipient: { id: holder.did, name: 'Ben Okafor' }, achievement: code }));
      expect(res.status).toBe(201);
      const { proof: _proof, ...unsigned } = res.body.credential as Json;
      // The program secures the same badge as a JWT (OB 3.0 §8.2) with its issuer key.
      jwtBadges.push(await signJwtCredential(unsigned, issuerJwtSigner(program.runtime.issuer)));
    }
    const request = await newRequest();
    const opened = await openAuthorizationRequest(request.openid4vpUrl);
    expect(opened.payload.dcql_query.credentials.map((q: Json) => q.format)).toEqual(['ldp_vc', 'jwt_vc_json']);
    const wrongNonce = await respondWithJwtPresentation(opened, holder, jwtBadges, { nonce: 'a-nonce-from-another-verifier' });
    expect(wrongNonce.status).toBe(400);
    expect(wrongNonce.body.code).toBe('challenge_mismatch');
    const answered = await respondWithJwtPresentation(opened, holder, jwtBadges);
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    const { body } = await get(`/presentation-requests/${request.id}`);
    expect(body.decision).toMatchObject({ approved: true, verified: true, holder: holder.did, name: 'Ben Okafor', protocol: 'openid4vp' });
    const replay = await respondWithJwtPresentation(opened, holder, jwtBadges);
    expect(replay.status).toBe(409);
  });

  it('a wrong state, or an answer to a query never asked, is refused', async () => {
    const request = await newRequest();
    const opened = await openAuthorizationRequest(request.openid4vpUrl);
    const wrongState = await respondWithPresentation({ ...opened, payload: { ...opened.payload, state: 'another' } }, educator, [badges['formative-assessment']]);
    expect(wrongState.status).toBe(400);
    expect(wrongState.body.detail).toMatch(/state mismatch/);
    const wrongQuery = await respondWithPresentation({ ...opened, payload: { ...opened.payload, dcql_query: { credentials: [{ id: 'other', format: 'ldp_vc' }] } } }, educator, [badges['formative-assessment']]);
    expect(wrongQuery.status).toBe(400);
    expect((await get(`/presentation-requests/${request.id}`)).body.state).toBe('pending');
  });
});

describe('a renewal rule over a real presentation: badges of different ages and levels', () => {
  it('tallies the points, counts each achievement once, and names the shallow and the old ones', async () => {
    const res0 = await post(program, '/awards', awardBody({ recipient: { id: educator.did, name: 'Ana Lopez' }, achievement: 'data-informed-instruction', evidence: masteryEvidence(5, 'exemplary') }));
    expect(res0.status, JSON.stringify(res0.body)).toBe(201);
    const exemplary = res0.body.credential as Json;
    const old = badges['aligned-instruction']!;
    expect(old.validFrom).toMatch(/^2019-03-20/);
    const credentials = [badges['formative-assessment'], badges['data-informed-instruction'], exemplary, badges['lifelong-learning-sel'], old];
    const request = await newRequest('renewal');
    const vp = await educator.present({ credentials, challenge: request.challenge, domain: request.domain });
    const res = await walletPost(request.exchangeUrl, { verifiablePresentation: vp });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { decision } = res.body;
    expect(decision.approved).toBe(true);
    expect(decision.credits).toMatchObject({ required: 18, earned: 18 });
    expect(decision.credits.entries.map((e: Json) => [e.counted, e.points])).toEqual([[true, 6], [true, 6], [false, 0], [true, 6], [false, 0]]);
    expect(decision.credits.entries[2].reason).toMatch(/already counted through .*: each achievement counts once/);
    expect(decision.credits.entries[4].reason).toMatch(/^It was earned on 2019-03-20, before the last 5 years/);
    expect(decision.requirements[0]).toMatchObject({ requirement: '5. Data-Informed Instruction', satisfied: true });
  });
});

describe('options.maxStatusAge: fresh status for high-stakes checks', () => {
  it("a revocation hidden by the list's cache shows at once with maxStatusAge 0", async () => {
    const other = await post(program, '/awards', awardBody({ achievement: 'formative-assessment' }));
    expect(other.status).toBe(201);
    const verify = async (options: Json = {}) => (await post(stateB, '/credentials/verify', { verifiableCredential: other.body.credential, options })).body;
    expect((await verify()).verified).toBe(true);
    expect((await post(program, `/awards/${other.body.id}/revoke`, { reason: 'awarded in error' })).status).toBe(200);
    // The list was read moments ago and is kept for its ttl: without maxStatusAge, still the old answer.
    expect((await verify()).verified).toBe(true);
    const fresh = await verify({ maxStatusAge: 0 });
    expect(fresh.verified).toBe(false);
    expect(fresh.report.checks.find((c: Json) => c.check === 'status')).toMatchObject({ passed: false, code: 'revoked' });
    expect((await post(stateB, '/credentials/verify', { verifiableCredential: other.body.credential, options: { maxStatusAge: -1 } })).status).toBe(400);
  });
});

describe('the verify page opens another issuer\'s badge URL through the guarded fetcher', () => {
  it("verifies the program's badge fetched from its URL, with fresh status", async () => {
    const url = badges['formative-assessment']!.id as string;
    const res = await stateB.app.request(`/verify?url=${encodeURIComponent(url)}`, { headers: { Accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Verified and trusted.');
    expect(html).toContain('Formative Assessment');
  });
});

describe.skipIf(!hasChromium)("the officer's page in a browser", () => {
  it('shows the QR codes, then by itself the decision with the name and each requirement; prints without the site chrome', async () => {
    const request = await newRequest();
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(request.pageUrl);
      await page.locator('#qr-vcapi svg').waitFor();
      await page.locator('#qr-openid4vp svg').waitFor();
      expect(await page.locator('#state').textContent()).toMatch(/Waiting for the educator's wallet/);
      expect(await page.locator('#openid4vp-link').getAttribute('href')).toBe(request.openid4vpUrl);
      await screenshot(page, 'presentation-request-waiting');
      // The wallet answers while the page is open: the page turns into the decision by itself.
      const vp = await educator.present({ credentials: ALL_SEVEN.map((c) => badges[c]), challenge: request.challenge, domain: request.domain });
      expect((await walletPost(request.exchangeUrl, { verifiablePresentation: vp })).status).toBe(200);
      await page.locator('#verdict').waitFor({ timeout: 10_000 });
      expect(await page.locator('#verdict').textContent()).toBe('Approved: Online teaching approval');
      expect(await page.locator('#educator-name').textContent()).toBe('Ana Lopez');
      const requirements = await page.locator('#requirements li').allTextContents();
      expect(requirements).toHaveLength(4);
      expect(requirements[0]).toMatch(/Satisfied by .* from Program P/);
      await screenshot(page, 'presentation-request-decided');
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('header.site').isVisible()).toBe(false);
      expect(await page.locator('#print').isVisible()).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 30_000);

  it('without the page key: 403', async () => {
    const request = await newRequest();
    const res = await fetch(request.pageUrl.replace(/key=[^&]+/, 'key=wrong'));
    expect(res.status).toBe(403);
  });
});

if (!hasChromium) it.skip(SKIP_REASON, () => {});

describe('trust sources a verifier chooses: a DCC issuer registry', () => {
  it('an issuer listed in a pinned DCC registry file is trusted, and the report names the registry', async () => {
    const unendorsedKey = path.join(scratch, 'q-key.json');
    const key = await generateMultikey();
    writeKeyFile(unendorsedKey, key);
    const q = await createServedInstance({ env: { EDUCRED_KEY_FILE: unendorsedKey, EDUCRED_ISSUER_NAME: 'Program Q' } });
    const registryFile = path.join(scratch, 'dcc-registry.json');
    const qDid = q.runtime.issuer.identity.did;
    writeFileSync(registryFile, JSON.stringify({ meta: { created: '2026-01-01T00:00:00Z' }, registry: { [qDid]: { name: 'Program Q', location: 'State C', url: q.origin } } }));
    const policyFile = path.join(scratch, 'registry-policy.json');
    writeFileSync(policyFile, JSON.stringify({ name: 'State C', registries: [{ name: 'DCC issuer registry (pinned)', format: 'dcc-issuer-registry', file: registryFile }] }));
    const stateC = await createTestInstance({ env: { EDUCRED_TRUST_POLICY: policyFile, EDUCRED_FETCH_ALLOW_PRIVATE: 'true' } });
    try {
      const listed = await post(q, '/awards', awardBody({ achievement: 'formative-assessment' }));
      const { body } = await post(stateC, '/credentials/verify', { verifiableCredential: listed.body.credential });
      expect(body.verified).toBe(true);
      expect(body.report.trust).toMatchObject({ trusted: true, via: 'registry', registry: 'DCC issuer registry (pinned)' });
      expect(body.report.trust.reason).toBe(`The issuer Program Q (${qDid}) is listed in the registry DCC issuer registry (pinned) (${registryFile}), which this verifier accepts.`);
      // Program P is in no registry State C accepts: verified, not trusted.
      const other = await post(stateC, '/credentials/verify', { verifiableCredential: badges['formative-assessment'] });
      expect(other.body.report.trust.trusted).toBe(false);
    } finally {
      await Promise.all([q.close(), stateC.close()]);
    }
  });

  it('a registry that names neither a url nor a file, or an http url, is refused in the policy', async () => {
    const { parseTrustPolicy } = await import('../../src/verify/trustPolicy.js');
    expect(() => parseTrustPolicy({ registries: [{ name: 'r', format: 'dcc-issuer-registry' }] })).toThrow(/a "url" or a pinned "file"/);
    expect(() => parseTrustPolicy({ registries: [{ name: 'r', format: 'dcc-issuer-registry', url: 'http://registry.example/r.json' }] })).toThrow(/registries\.0\.url/);
  });
});
