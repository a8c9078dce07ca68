// An approval turned straight into a licence (issue 17): POST /decisions/:id/license and the
// console's Decisions screen verify the decision's own presentation again (fresh status) and
// issue the licence to its holder, as POST /licenses does. Refusals first: no scope, unknown
// decision, a bad body, a decision that did not approve, one whose badge was revoked since.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuerIdentity } from '../../src/signing/did.js';
import { generateMultikey, writeKeyFile } from '../../src/signing/keys.js';
import { issuerJwtSigner, signJwtCredential } from '../../src/credentials/jwtCredential.js';
import { ADMIN_TOKEN, awardBody, createServedInstance, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { cookieHeader, cookiesOf, csrfIn } from '../helpers/console.js';
import { createJwtHolder, openAuthorizationRequest, respondWithJwtPresentation } from '../helpers/openid4vpWallet.js';
import { createTestWallet, type TestWallet } from '../helpers/wallet.js';

type Json = Record<string, any>;
type Served = TestInstance & { origin: string };

const ALL_SEVEN = ['differentiated-support', 'aligned-instruction', 'formative-assessment', 'performance-assessment-design', 'data-informed-instruction', 'lifelong-learning-sel', 'personalized-blended-online'];
const LICENSE = { code: 'online-teaching', name: 'Online Teaching Licence' };
const scratch = mkdtempSync(path.join(tmpdir(), 'educred-license-on-decision-'));

let agency: TestInstance;
let program: Served;
let stateB: Served;
let verifyToken: string;
let issueToken: string;

const post = async (instance: TestInstance, route: string, body: unknown, token = ADMIN_TOKEN): Promise<{ status: number; body: Json }> => {
  const res = await postJson(instance.app, route, body, { Authorization: `Bearer ${token}` });
  return { status: res.status, body: (await res.json()) as Json };
};
const walletPost = async (url: string, body: unknown): Promise<{ status: number; body: Json }> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
};

/** Seven badges from the endorsed program for a new wallet. */
async function educatorWithBadges(name: string): Promise<{ wallet: TestWallet; badges: Json[]; awardIds: string[] }> {
  const wallet = await createTestWallet();
  const badges: Json[] = [];
  const awardIds: string[] = [];
  for (const code of ALL_SEVEN) {
    const res = await post(program, '/awards', awardBody({ recipient: { id: wallet.did, name }, achievement: code }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    badges.push(res.body.credential);
    awardIds.push(res.body.id);
  }
  return { wallet, badges, awardIds };
}

/** A presentation request answered over the VC-API exchange: the decision record's id. */
async function decided(wallet: TestWallet, badges: Json[]): Promise<{ decisionId: string; approved: boolean }> {
  const request = (await post(stateB, '/presentation-requests', { rule: 'online-teaching' }, verifyToken)).body;
  const vpr = (await walletPost(request.exchangeUrl, {})).body.verifiablePresentationRequest;
  const vp = await wallet.present({ credentials: badges, challenge: vpr.challenge, domain: vpr.domain });
  const answer = await walletPost(request.exchangeUrl, { verifiablePresentation: vp });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return { decisionId: answer.body.decision.id, approved: answer.body.approved };
}

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
  program = await createServedInstance({ env: { EDUCRED_KEY_FILE: keyFile, EDUCRED_ENDORSEMENTS_DIR: endorsementsDir, EDUCRED_ISSUER_NAME: 'Program P' } });
  const policyFile = path.join(scratch, 'state-b.json');
  writeFileSync(policyFile, JSON.stringify({ name: 'State B educator licensure', trustedEndorsers: [{ id: agency.runtime.issuer.identity.did, name: 'State A Department of Education' }] }));
  stateB = await createServedInstance({ env: { EDUCRED_TRUST_POLICY: policyFile, EDUCRED_FETCH_ALLOW_PRIVATE: 'true', EDUCRED_ISSUER_NAME: 'State B Licensure' } });
  verifyToken = (await post(stateB, '/tokens', { name: 'licensure officer', scopes: ['verify'] })).body.token;
  issueToken = (await post(stateB, '/tokens', { name: 'licensing system', scopes: ['issue'] })).body.token;
}, 90_000);

afterAll(async () => {
  await Promise.all([agency?.close(), program?.close(), stateB?.close()]);
});

describe('POST /decisions/:id/license', () => {
  it('refuses what it must: no token, the verify scope alone, an unknown decision, a bad body', async () => {
    const { wallet, badges } = await educatorWithBadges('Ana Lopez');
    const { decisionId } = await decided(wallet, badges);
    const none = await stateB.app.request(`/decisions/${decisionId}/license`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ license: LICENSE }) });
    expect(none.status).toBe(401);
    expect((await post(stateB, `/decisions/${decisionId}/license`, { license: LICENSE }, verifyToken)).status).toBe(403);
    const unknown = await post(stateB, '/decisions/00000000-0000-4000-8000-000000000000/license', { license: LICENSE }, issueToken);
    expect(unknown.status).toBe(404);
    const bad = await post(stateB, `/decisions/${decisionId}/license`, { license: { code: 'Not A Code', name: 'x' } }, issueToken);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].pointer).toBe('/license/code');
    expect((await post(stateB, `/decisions/${decisionId}/license`, { license: LICENSE, basis: {} }, issueToken)).status).toBe(400);
  });

  it('an approval becomes a licence for the holder, which verifies; a second one is a 409', async () => {
    const { wallet, badges } = await educatorWithBadges('Ana Lopez');
    const { decisionId, approved } = await decided(wallet, badges);
    expect(approved).toBe(true);
    const res = await post(stateB, `/decisions/${decisionId}/license`, { license: LICENSE }, issueToken);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ decisionId, decision: { approved: true, rule: 'online-teaching' } });
    expect(res.body.claimUrl).toMatch(/\/claim\//);
    const subject = res.body.credential.credentialSubject;
    expect(subject.id).toBe(wallet.did);
    expect(subject.achievement.achievementType).toBe('License');
    const verified = await post(stateB, '/credentials/verify', { verifiableCredential: res.body.credential }, verifyToken);
    expect(verified.body.verified, JSON.stringify(verified.body.checks ?? verified.body)).toBe(true);
    const audit = await stateB.app.request('/audit?action=license.issued', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    const rows = ((await audit.json()) as Json).items as Json[];
    expect(rows.find((r) => r.subject === res.body.id)?.detail).toMatchObject({ decision: decisionId, rule: 'online-teaching' });
    const again = await post(stateB, `/decisions/${decisionId}/license`, { license: LICENSE }, issueToken);
    expect(again.status).toBe(409);
  });

  it('a decision that did not approve → 422 not-approved, naming the missing competency', async () => {
    const { wallet, badges } = await educatorWithBadges('Cai Wen');
    const { decisionId, approved } = await decided(wallet, badges.slice(0, 6));
    expect(approved).toBe(false);
    const res = await post(stateB, `/decisions/${decisionId}/license`, { license: LICENSE }, issueToken);
    expect(res.status).toBe(422);
    expect(res.body.type).toContain('not-approved');
    expect(res.body.reasons.join(' ')).toMatch(/7\. Personalized, Blended and Online Learning/);
  });

  it('a badge revoked since the approval → 422 with today\'s reason (status fetched afresh)', async () => {
    const { wallet, badges, awardIds } = await educatorWithBadges('Dee Marsh');
    const { decisionId, approved } = await decided(wallet, badges);
    expect(approved).toBe(true);
    expect((await post(program, `/awards/${awardIds[6]}/revoke`, { reason: 'awarded in error' })).status).toBe(200);
    const res = await post(stateB, `/decisions/${decisionId}/license`, { license: LICENSE }, issueToken);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.type).toContain('not-approved');
    expect(res.body.reasons.join(' ')).toMatch(/revoked/i);
  });

  it('an OpenID4VP decision with JWT badges becomes a licence too', async () => {
    const holder = await createJwtHolder();
    const jwtBadges: string[] = [];
    for (const code of ALL_SEVEN) {
      const res = await post(program, '/awards', awardBody({ recipient: { id: holder.did, name: 'Ben Okafor' }, achievement: code }));
      const { proof: _proof, ...unsigned } = res.body.credential as Json;
      jwtBadges.push(await signJwtCredential(unsigned, issuerJwtSigner(program.runtime.issuer)));
    }
    const request = (await post(stateB, '/presentation-requests', { rule: 'online-teaching' }, verifyToken)).body;
    const opened = await openAuthorizationRequest(request.openid4vpUrl);
    expect((await respondWithJwtPresentation(opened, holder, jwtBadges)).status).toBe(200);
    const status = await stateB.app.request(`/presentation-requests/${request.id}`, { headers: { Authorization: `Bearer ${verifyToken}` } });
    const decision = ((await status.json()) as Json).decision;
    expect(decision).toMatchObject({ approved: true, protocol: 'openid4vp' });
    const res = await post(stateB, `/decisions/${decision.id}/license`, { license: LICENSE }, issueToken);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.credential.credentialSubject.id).toBe(holder.did);
    expect(JSON.stringify(res.body.credential.credentialSubject)).toContain('Ben Okafor');
  });
});

describe("the console's Decisions screen", () => {
  const signIn = async (): Promise<Record<string, string>> => {
    const form = await stateB.app.request('/console/sign-in');
    const jar = cookiesOf(form);
    const res = await stateB.app.request('/console/sign-in', {
      method: 'POST',
      headers: { Origin: stateB.origin, Cookie: cookieHeader(jar), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrfIn(await form.text()), token: ADMIN_TOKEN }).toString(),
    });
    expect(res.status).toBe(303);
    return { ...jar, ...cookiesOf(res) };
  };

  it('lists the decision, and its form issues the licence (CSRF required)', async () => {
    const { wallet, badges } = await educatorWithBadges('Eve Ruiz');
    const { decisionId } = await decided(wallet, badges);
    const jar = await signIn();
    const list = await stateB.app.request('/console/decisions', { headers: { Cookie: cookieHeader(jar) } });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain(`/console/decisions/${decisionId}`);
    const page = await stateB.app.request(`/console/decisions/${decisionId}`, { headers: { Cookie: cookieHeader(jar) } });
    const html = await page.text();
    expect(html).toContain('Issue licence');
    expect(html).toContain('Eve Ruiz');
    const submit = (csrf: string) =>
      stateB.app.request(`/console/decisions/${decisionId}/license`, {
        method: 'POST',
        headers: { Origin: stateB.origin, Cookie: cookieHeader(jar), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, code: 'online-teaching', name: 'Online Teaching Licence' }).toString(),
      });
    expect((await submit('not-the-token')).status).toBe(403);
    const issued = await submit(csrfIn(html));
    expect(issued.status).toBe(201);
    const text = await issued.text();
    expect(text).toContain('Licence issued');
    expect(text).toMatch(/\/claim\//);
    const audit = await stateB.app.request('/audit?action=license.issued', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    const rows = ((await audit.json()) as Json).items as Json[];
    expect(rows.find((r) => r.detail?.decision === decisionId)?.actor).toMatch(/^person:/);
    const twice = await submit(csrfIn(html));
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain('already holds an active licence');
  });
});
