// The program record and the licence, end to end over HTTPS with three independent instances
// (own databases, keys and ports): State A's agency endorses program P; P awards an educator its
// seven badges by observation (issue 14's API) and issues the CLR 2.0 record by itself with the
// last one; the educator claims the record into a wallet and presents it to State B's agency,
// which trusts A's endorsement, verifies the record and every badge inside it over HTTPS, and
// issues an online-teaching licence; the licence verifies. State A, a compact member trusting
// State B, accepts the licence under its interstate rule until B suspends it. A badge revoked
// inside the record makes the record not current, and State B refuses it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBadgeSchemaProblems } from '../../src/credentials/openBadgeSchemaGate.js';
import { issuerIdentity } from '../../src/signing/did.js';
import { generateMultikey, writeKeyFile } from '../../src/signing/keys.js';
import { serveInstanceOn, type TestInstance } from '../helpers/app.js';
import { freePort } from '../helpers/ports.js';
import { TEST_TLS, TEST_TLS_CERT_FILE } from '../helpers/tls.js';
import { createTestWallet, type TestWallet } from '../helpers/wallet.js';
import { addEducator, observeSeven, post, type Json } from './helpers.js';

type Served = TestInstance & { origin: string };
const scratch = mkdtempSync(path.join(tmpdir(), 'educred-licensure-'));
const FETCH = { EDUCRED_FETCH_ALLOW_PRIVATE: 'true', EDUCRED_FETCH_CA_FILE: TEST_TLS_CERT_FILE };
const B_DOMAIN = 'licensure.state-b.example';
const A_DOMAIN = 'licensure.state-a.example';

let agencyA: Served;
let program: Served;
let agencyB: Served;
let wallet: TestWallet;
let record: Json;
let licence: Json;
let licenceId: string;
const timings: Record<string, number> = {};

/** The test's own calls go straight to the instance's app (only the instances talk HTTPS to each other). */
const fetchJson = async (url: string, init: RequestInit = {}): Promise<{ status: number; body: Json }> => {
  const target = [agencyA, program, agencyB].find((i) => url.startsWith(`${i.origin}/`));
  if (!target) throw new Error(`No instance serves ${url}`);
  const res = await target.app.request(url.slice(target.origin.length), { ...init, headers: { 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
  return { status: res.status, body: (await res.json()) as Json };
};

/** An instance on HTTPS whose issuer is did:web on its own address, with a key made beforehand (so others can trust its DID). */
async function prepareHttps(name: string): Promise<{ port: number; did: string; env: Record<string, string> }> {
  const port = await freePort();
  const keyFile = path.join(scratch, `${name}-key.json`);
  const key = await generateMultikey();
  writeKeyFile(keyFile, key);
  const domain = `127.0.0.1%3A${port}`;
  return { port, did: issuerIdentity(key.publicKeyMultibase, domain).did, env: { EDUCRED_KEY_FILE: keyFile, EDUCRED_DID_WEB_DOMAIN: domain, EDUCRED_ISSUER_NAME: name } };
}

const policyFile = (name: string, policy: Json): string => {
  const file = path.join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify(policy));
  return file;
};

/** The wallet collects a credential through its claim link (the VC-API exchange) and gets it bound to its DID. */
async function claim(claimUrl: string): Promise<Json> {
  const token = new URL(claimUrl).pathname.split('/').at(-1)!;
  const start = await fetchJson(`${new URL(claimUrl).origin}/exchanges/${token}`, { method: 'POST', body: '{}' });
  expect(start.status).toBe(200);
  const vpr = start.body.verifiablePresentationRequest as Json;
  const verifiablePresentation = await wallet.authenticate({ challenge: vpr.challenge, domain: vpr.domain });
  const delivered = await fetchJson(vpr.interact.service[0].serviceEndpoint, { method: 'POST', body: JSON.stringify({ verifiablePresentation }) });
  expect(delivered.status, JSON.stringify(delivered.body)).toBe(200);
  return delivered.body.verifiablePresentation.verifiableCredential[0] as Json;
}

const applyToB = async (credentials: Json[]) =>
  post(agencyB, '/licenses', {
    applicant: { name: 'Ana Lopez', did: wallet.did },
    license: { code: 'online-teaching', name: 'Online Teaching Licence', description: 'Authorizes teaching online and blended courses in State B.' },
    rule: 'online-teaching',
    basis: { verifiablePresentation: await wallet.present({ credentials, challenge: 'b-41c7', domain: B_DOMAIN }) },
    options: { challenge: 'b-41c7', domain: B_DOMAIN },
  });

const interstateAtA = async (credentials: Json[]) => {
  const res = await agencyA.app.request('/presentations/verify', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ verifiablePresentation: await wallet.present({ credentials, challenge: 'a-93d2', domain: A_DOMAIN }), options: { challenge: 'a-93d2', domain: A_DOMAIN, rule: 'interstate-online' } }),
  });
  return { status: res.status, body: (await res.json()) as Json };
};

beforeAll(async () => {
  wallet = await createTestWallet();
  const [b, p] = await Promise.all([prepareHttps('State B Educator Licensure'), prepareHttps('Program P')]);
  const aPort = await freePort();
  const aKeyFile = path.join(scratch, 'a-key.json');
  const aKey = await generateMultikey();
  writeKeyFile(aKeyFile, aKey);
  const aDid = issuerIdentity(aKey.publicKeyMultibase, undefined).did;
  // State A: endorses P; as a compact member it accepts State B's licences under its interstate rule.
  agencyA = await serveInstanceOn(aPort, {
    env: {
      EDUCRED_KEY_FILE: aKeyFile,
      EDUCRED_ISSUER_NAME: 'State A Department of Education',
      EDUCRED_TRUST_POLICY: policyFile('state-a', {
        name: 'State A interstate licensure',
        trustedIssuers: [{ id: b.did, name: 'State B Educator Licensure' }],
        approvalRules: [{ id: 'interstate-online', name: 'Interstate online teaching licence', kind: 'interstate', licenseClasses: ['online-teaching'] }],
      }),
      ...FETCH,
    },
  });
  expect(agencyA.runtime.issuer.identity.did).toBe(aDid);
  const endorsementsDir = mkdtempSync(path.join(scratch, 'p-endorsements-'));
  const endorsement = await post(agencyA, '/endorsements', { issuer: p.did, issuerName: 'Program P' });
  expect(endorsement.status).toBe(201);
  writeFileSync(path.join(endorsementsDir, 'state-a.json'), JSON.stringify(endorsement.body.credential ?? endorsement.body));
  program = await serveInstanceOn(p.port, { tls: TEST_TLS, env: { ...p.env, EDUCRED_ENDORSEMENTS_DIR: endorsementsDir } });
  agencyB = await serveInstanceOn(b.port, {
    tls: TEST_TLS,
    env: { ...b.env, EDUCRED_TRUST_POLICY: policyFile('state-b', { name: 'State B educator licensure', trustedEndorsers: [{ id: aDid, name: 'State A Department of Education' }] }), ...FETCH },
  });
}, 90_000);

afterAll(async () => {
  await Promise.all([agencyA, program, agencyB].map((i) => i?.close()));
});

describe('from observed practice to an interstate licence', () => {
  it('P awards the seven badges by observation and issues the record with the last one; the wallet claims it', async () => {
    const educatorId = await addEducator(program, { name: 'Ana Lopez', email: 'ana.lopez@example.edu' });
    await observeSeven(program, educatorId, 4);
    const started = performance.now();
    const [last] = await observeSeven(program, educatorId, 1, 4);
    timings.lastObservationWithRecordMs = performance.now() - started;
    expect(last?.awarded).toHaveLength(7);
    expect(last?.records).toHaveLength(1);
    record = await claim(last?.records[0].claimUrl);
    expect(record.type).toContain('ClrCredential');
    expect(record.credentialSubject.id).toBe(wallet.did);
    expect(record.credentialSubject.verifiableCredential).toHaveLength(7);
    expect(record.issuer.id).toMatch(/^did:web:127\.0\.0\.1%3A/);
  });

  it('State B verifies the record and every badge inside it over HTTPS, and issues the online-teaching licence', async () => {
    const started = performance.now();
    const res = await applyToB([record]);
    timings.licenceApplicationMs = performance.now() - started;
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.decision).toMatchObject({ rule: 'online-teaching', approved: true, recipient: wallet.did, missing: [] });
    expect(res.body.decision.requirements).toHaveLength(4);
    expect(res.body.claimUrl).toMatch(/\/claim\//);
    licence = res.body.credential;
    licenceId = res.body.id;
    const achievement = licence.credentialSubject.achievement;
    expect(achievement).toMatchObject({ achievementType: 'License', humanCode: 'online-teaching', name: 'Online Teaching Licence' });
    expect(licence.credentialSubject.id).toBe(wallet.did);
    expect(licence.credentialStatus.map((e: Json) => e.statusPurpose)).toEqual(['revocation', 'suspension']);
    // The evidence says what was verified: the record and its badges, the rule, the decision, the time.
    const narrative = licence.evidence[0].narrative as string;
    expect(narrative).toContain(record.id);
    for (const badge of record.credentialSubject.verifiableCredential) expect(narrative).toContain(badge.id);
    expect(narrative).toContain("Approval rule 'online-teaching'");
    expect(narrative).toMatch(/approved for did:key:/);
    const { proof: _proof, ...unsigned } = licence;
    expect(openBadgeSchemaProblems(unsigned)).toEqual([]);
  });

  it('the licence verifies; State A accepts it under the interstate rule; suspended, it is refused with the reason', async () => {
    const verified = await fetchJson(`${agencyB.origin}/credentials/verify`, { method: 'POST', body: JSON.stringify({ verifiableCredential: licence }) });
    expect(verified.status, JSON.stringify(verified.body.errors)).toBe(200);
    const accepted = await interstateAtA([licence]);
    expect(accepted.status).toBe(200);
    expect(accepted.body.approval).toMatchObject({ rule: 'interstate-online', approved: true, recipient: wallet.did });
    expect(accepted.body.approval.requirements[0].reason).toMatch(/not revoked, not suspended, not expired/);

    const suspended = await post(agencyB, `/awards/${licenceId}/suspend`, { reason: 'under investigation' });
    expect(suspended.body.status).toMatchObject({ suspended: true });
    agencyA.runtime.verifier.clearCaches();
    const refused = await interstateAtA([licence]);
    expect(refused.body.approval.approved).toBe(false);
    expect(refused.body.approval.missing[0].reason).toMatch(/encumbered or does not verify: Suspended by its issuer/);
    await post(agencyB, `/awards/${licenceId}/reinstate`, { reason: 'investigation closed' });
  });

  it('a badge revoked inside the record: the record is not current and State B refuses the application', async () => {
    const badge = (record.credentialSubject.verifiableCredential as Json[]).find((b) => b.credentialSubject.achievement.humanCode === 'formative-assessment')!;
    const awardId = new URL(badge.id).pathname.split('/').at(-1);
    const revoked = await post(program, `/awards/${awardId}/revoke`, { reason: 'observation records were falsified' });
    expect(revoked.body.affectedRecords).toHaveLength(1);
    agencyB.runtime.verifier.clearCaches();
    const verified = await fetchJson(`${agencyB.origin}/credentials/verify`, { method: 'POST', body: JSON.stringify({ verifiableCredential: record }) });
    expect(verified.status).toBe(400);
    const embedded = (verified.body.report.checks as Json[]).find((c) => c.check === 'embedded');
    expect(embedded).toMatchObject({ passed: false, code: 'record_not_current' });
    const refused = await applyToB([record]);
    expect(refused.status).toBe(422);
    expect(refused.body.type).toContain('not-approved');
    expect(refused.body.reasons).toEqual(['3. Formative Assessment: The badge for 3. Formative Assessment does not count: revoked by its issuer.']);
    console.info(`licensure timings (shared machine): ${JSON.stringify(timings)}`);
  });
});
