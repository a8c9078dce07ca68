// Reciprocity without a registry, end to end on loopback with independent educred instances
// (own databases, keys and ports): State A's agency endorses program P; P (did:web, over HTTPS)
// issues an educator's badges with the endorsement embedded; the educator's wallet presents
// them; State B's verifier, trusting only A's agency, approves online teaching. Then each way
// it must not: no endorsement, a revoked badge, a missing competency, someone else's
// presentation, a replayed challenge, an expired endorsement.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuerIdentity } from '../../src/signing/did.js';
import { generateMultikey, writeKeyFile } from '../../src/signing/keys.js';
import { awardBody, masteryEvidence, postJson, createServedInstance, createTestInstance, serveInstanceOn, type TestInstance } from '../helpers/app.js';
import { freePort } from '../helpers/ports.js';
import { TEST_TLS, TEST_TLS_CERT_FILE } from '../helpers/tls.js';
import { createTestWallet, type TestWallet } from '../helpers/wallet.js';

type Json = Record<string, any>;
type Served = TestInstance & { origin: string };

const ONLINE_TEACHING = ['personalized-blended-online', 'differentiated-support', 'formative-assessment', 'data-informed-instruction'];
const scratch = mkdtempSync(path.join(tmpdir(), 'educred-reciprocity-'));

/** Admin calls go straight to each instance's app; only the verifier uses the network. */
const post = async (instance: TestInstance, route: string, body: unknown): Promise<{ status: number; body: Json }> => {
  const res = await postJson(instance.app, route, body);
  return { status: res.status, body: (await res.json()) as Json };
};

/** A program on HTTPS whose issuer is did:web on its own address, holding the given endorsements. */
async function startProgram(name: string, endorse: (did: string) => Promise<Json[]>): Promise<Served> {
  const port = await freePort();
  const keyFile = path.join(scratch, `${name}-key.json`);
  const key = await generateMultikey();
  writeKeyFile(keyFile, key);
  const domain = `127.0.0.1%3A${port}`;
  const did = issuerIdentity(key.publicKeyMultibase, domain).did;
  const endorsementsDir = mkdtempSync(path.join(scratch, `${name}-endorsements-`));
  (await endorse(did)).forEach((e, i) => writeFileSync(path.join(endorsementsDir, `${i}.json`), JSON.stringify(e)));
  return serveInstanceOn(port, {
    tls: TEST_TLS,
    env: { EDUCRED_KEY_FILE: keyFile, EDUCRED_DID_WEB_DOMAIN: domain, EDUCRED_ENDORSEMENTS_DIR: endorsementsDir, EDUCRED_ISSUER_NAME: name },
  });
}

let agency: Served;
let program: Served;
let unendorsed: Served;
let lapsed: Served;
let stateB: TestInstance;
let educator: TestWallet;
let stranger: TestWallet;
const badges: Record<string, Json> = {};
const awardIds: Record<string, string> = {};

async function issue(from: Served, holder: string, achievement: string, evidence?: unknown[]): Promise<Json> {
  const res = await post(from, '/awards', awardBody({ recipient: { id: holder, name: 'Ana Lopez' }, achievement, ...(evidence ? { evidence } : {}) }));
  expect(res.status).toBe(201);
  return res.body;
}

/** State B asks: challenge and domain are its own, the rule is online teaching. */
async function stateBVerifies(presentation: Json, options: Json = {}): Promise<{ status: number; body: Json }> {
  const res = await stateB.app.request('/presentations/verify', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ verifiablePresentation: presentation, options: { challenge: 'b-7f3c9a', domain: 'licensure.state-b.example', rule: 'online-teaching', ...options } }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

const presentAll = (wallet: TestWallet, credentials: unknown[], challenge = 'b-7f3c9a') => wallet.present({ credentials, challenge, domain: 'licensure.state-b.example' });

beforeAll(async () => {
  agency = await createServedInstance({ env: { EDUCRED_ISSUER_NAME: 'State A Department of Education' } });
  const endorsementOf = (validUntil?: string) => async (did: string) => {
    const res = await post(agency, '/endorsements', { issuer: did, issuerName: 'Program P', ...(validUntil ? { validFrom: '2025-01-01T00:00:00Z', validUntil } : {}) });
    expect(res.status).toBe(201);
    return [res.body.credential ?? res.body];
  };
  [program, unendorsed, lapsed] = await Promise.all([
    startProgram('Program P', endorsementOf()),
    startProgram('Program Q', async () => []),
    startProgram('Program R', endorsementOf('2026-01-01T00:00:00Z')),
  ]);
  const policyFile = path.join(scratch, 'state-b-policy.json');
  writeFileSync(policyFile, JSON.stringify({ name: 'State B educator licensure', trustedEndorsers: [{ id: agency.runtime.issuer.identity.did, name: 'State A Department of Education' }] }));
  stateB = await createTestInstance({ env: { EDUCRED_TRUST_POLICY: policyFile, EDUCRED_FETCH_ALLOW_PRIVATE: 'true', EDUCRED_FETCH_CA_FILE: TEST_TLS_CERT_FILE } });
  [educator, stranger] = await Promise.all([createTestWallet(), createTestWallet()]);
  for (const code of ONLINE_TEACHING) {
    const awarded = await issue(program, educator.did, code);
    badges[code] = awarded.credential;
    awardIds[code] = awarded.id;
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([agency, program, unendorsed, lapsed].map((i) => i?.close()));
  await stateB?.close();
});

describe('State B approves online teaching from State A\'s endorsed program', () => {
  it('verifies the presentation and every badge, trusts them through the endorsement, approves', async () => {
    const { status, body } = await stateBVerifies(await presentAll(educator, ONLINE_TEACHING.map((c) => badges[c])));
    expect(status).toBe(200);
    expect(body.verified).toBe(true);
    expect(body.report.holder).toBe(educator.did);
    for (const credential of body.report.credentials) {
      expect(credential.verified).toBe(true);
      expect(credential.trust).toMatchObject({ trusted: true, via: 'endorsement', endorser: agency.runtime.issuer.identity.did });
      expect(credential.checks.find((c: Json) => c.check === 'endorsements').passed).toBe(true);
      // did:web resolved over HTTPS and the status list fetched from P, through the guarded fetcher.
      expect(credential.checks.find((c: Json) => c.check === 'status').passed).toBe(true);
    }
    expect(body.approval).toMatchObject({ rule: 'online-teaching', approved: true, recipient: educator.did, missing: [] });
    expect(body.approval.requirements).toHaveLength(4);
  });

  it("the README's example trust policy (its agency DID set to this test's agency) approves the same presentation", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = [...readme.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1]!).find((block) => block.includes('"trustedEndorsers"'));
    expect(example).toBeDefined();
    const policy = JSON.parse(example!.replaceAll('did:web:education.state-a.example', agency.runtime.issuer.identity.did)) as Json;
    const policyFile = path.join(scratch, 'readme-policy.json');
    writeFileSync(policyFile, JSON.stringify(policy));
    const readmeState = await createTestInstance({ env: { EDUCRED_TRUST_POLICY: policyFile, EDUCRED_FETCH_ALLOW_PRIVATE: 'true', EDUCRED_FETCH_CA_FILE: TEST_TLS_CERT_FILE } });
    try {
      const res = await readmeState.app.request('/presentations/verify', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          verifiablePresentation: await presentAll(educator, ONLINE_TEACHING.map((c) => badges[c])),
          options: { challenge: 'b-7f3c9a', domain: 'licensure.state-b.example', rule: 'online-teaching' },
        }),
      });
      const body = (await res.json()) as Json;
      expect(body.verified).toBe(true);
      expect(body.approval, JSON.stringify(body.approval)).toMatchObject({ rule: 'online-teaching', approved: true, missing: [] });
    } finally {
      await readmeState.close();
    }
  });

  it('a program without an endorsement: verified, not trusted, not approved', async () => {
    const credentials = await Promise.all(ONLINE_TEACHING.map(async (c) => (await issue(unendorsed, educator.did, c)).credential));
    const { status, body } = await stateBVerifies(await presentAll(educator, credentials));
    expect(status).toBe(200);
    expect(body.verified).toBe(true);
    expect(body.report.credentials[0].trust.trusted).toBe(false);
    expect(body.report.credentials[0].trust.reason).toMatch(/not on this verifier's trust list and the badge carries no endorsement/);
    expect(body.approval.approved).toBe(false);
    expect(body.approval.missing[0].reason).toMatch(/does not count: not trusted/);
  });

  it('a revoked badge: refused, and the approval names the competency and "revoked"', async () => {
    // The educator holds this badge at 'proficient': the extra one is the deeper mastery (another badge).
    const extra = await issue(program, educator.did, 'data-informed-instruction', masteryEvidence(5, 'exemplary'));
    expect((await post(program, `/awards/${extra.id}/revoke`, { reason: 'observation records were falsified' })).status).toBe(200);
    const credentials = [...ONLINE_TEACHING.filter((c) => c !== 'data-informed-instruction').map((c) => badges[c]), extra.credential];
    // State B read P's list moments ago and may keep it for the list's ttl; once that has passed
    // (here: its caches dropped) it reads the re-signed list.
    stateB.runtime.verifier.clearCaches();
    const { status, body } = await stateBVerifies(await presentAll(educator, credentials));
    expect(status).toBe(400);
    const revoked = body.report.credentials[3];
    expect(revoked.checks.find((c: Json) => c.check === 'status')).toMatchObject({ passed: false, code: 'revoked' });
    expect(body.approval.approved).toBe(false);
    expect(body.approval.missing).toEqual([expect.objectContaining({ requirement: '5. Data-Informed Instruction', reason: expect.stringMatching(/revoked/i) })]);
  });

  it('a missing competency: not approved, the missing one named', async () => {
    const { body } = await stateBVerifies(await presentAll(educator, ONLINE_TEACHING.slice(1).map((c) => badges[c])));
    expect(body.verified).toBe(true);
    expect(body.approval.approved).toBe(false);
    expect(body.approval.missing).toEqual([expect.objectContaining({ requirement: '7. Personalized, Blended and Online Learning', reason: 'No badge for 7. Personalized, Blended and Online Learning was presented.' })]);
  });

  it('someone else presenting the educator\'s badges: refused for holder binding', async () => {
    const { status, body } = await stateBVerifies(await presentAll(stranger, ONLINE_TEACHING.map((c) => badges[c])));
    expect(status).toBe(400);
    expect(body.report.checks.find((c: Json) => c.check === 'presentation_proof').passed).toBe(true);
    expect(body.report.checks.find((c: Json) => c.check === 'holder_binding')).toMatchObject({ passed: false, code: 'holder_mismatch' });
    expect(body.approval.approved).toBe(false);
  });

  it('a presentation claiming the educator as holder but signed by someone else: refused', async () => {
    const forged = await stranger.present({ credentials: ONLINE_TEACHING.map((c) => badges[c]), challenge: 'b-7f3c9a', domain: 'licensure.state-b.example', holder: educator.did });
    const { body } = await stateBVerifies(forged);
    expect(body.verified).toBe(false);
    expect(body.report.checks.find((c: Json) => c.check === 'holder_binding')).toMatchObject({ passed: false, code: 'holder_not_signer' });
  });

  it('a replayed presentation (answering another challenge): refused', async () => {
    const replay = await presentAll(educator, ONLINE_TEACHING.map((c) => badges[c]), 'challenge-from-state-c');
    const { status, body } = await stateBVerifies(replay);
    expect(status).toBe(400);
    expect(body.report.checks.find((c: Json) => c.check === 'presentation_proof')).toMatchObject({ passed: false, code: 'challenge_mismatch' });
    expect(body.approval.approved).toBe(false);
  });

  it('a presentation whose proof was tampered with after signing: refused', async () => {
    const presented = await presentAll(educator, ONLINE_TEACHING.map((c) => badges[c]));
    (presented.verifiableCredential as Json[]).pop();
    const { body } = await stateBVerifies(presented);
    expect(body.report.checks.find((c: Json) => c.check === 'presentation_proof')).toMatchObject({ passed: false, code: 'signature_invalid' });
  });

  it('an expired endorsement: badges verify, but the issuer is not trusted and the reason says expired', async () => {
    const credentials = await Promise.all(ONLINE_TEACHING.map(async (c) => (await issue(lapsed, educator.did, c)).credential));
    const { body } = await stateBVerifies(await presentAll(educator, credentials));
    expect(body.verified).toBe(true);
    const first = body.report.credentials[0];
    expect(first.checks.find((c: Json) => c.check === 'endorsements')).toMatchObject({ passed: false, code: 'expired' });
    expect(first.trust.trusted).toBe(false);
    expect(first.trust.reason).toMatch(/endorsement by State A Department of Education .* does not count: Expired at 2026-01-01T00:00:00Z/);
    expect(body.approval.approved).toBe(false);
  });
});
