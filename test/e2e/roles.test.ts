// The three roles end to end, on servers started like `npm start` (the compiled server as a
// child process, on its embedded defaults: SQLite, a generated key, status lists, signing
// workers), driven only over HTTP, with a real SMTP server on 127.0.0.1 receiving the mail:
// - the program awards one badge and a CSV batch, sends claim links (by email too), revokes;
// - the educator claims email-recipient badges into a wallet through the VC-API exchange, and
//   the delivered badges verify with @digitalbazaar/vc and verifier-core and name the wallet;
// - the verifying state (a second server with its own trust policy) approves the claimed badges
//   for online teaching from a presentation signed by the educator's wallet.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vc from '@digitalbazaar/vc';
import { verifyCredential as walletVerify } from '@digitalcredentials/verifier-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from '../../src/credentials/openBadge.js';
import { resolveDidKey } from '../../src/signing/did.js';
import { createDocumentLoader } from '../../src/signing/documentLoader.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { createStatusChecker } from '../../src/status/checkStatus.js';
import { awardBody } from '../helpers/app.js';
import { CSV_HEADER, MASTERY_OBSERVATIONS } from '../helpers/batch.js';
import { authorized, buildServer, startChildServer, type ChildServer } from '../helpers/childServer.js';
import { allowLoopbackOnly, type OfflineFetch } from '../helpers/network.js';
import { freePort } from '../helpers/ports.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { statusEntries } from '../helpers/status.js';
import { createTestWallet, type TestWallet } from '../helpers/wallet.js';

type Json = Record<string, any>;

const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey });
const pinnedSchema = JSON.parse(readFileSync(new URL('../../contexts/schemas/ob_v3p0_achievementcredential_schema.json', import.meta.url), 'utf8'));
/** Competencies 7, 1, 3 and 5: what the built-in online-teaching rule requires. */
const ONLINE_TEACHING = ['personalized-blended-online', 'differentiated-support', 'formative-assessment', 'data-informed-instruction'];

let work: string;
let build: Awaited<ReturnType<typeof buildServer>>;
let program: ChildServer;
let stateB: ChildServer;
let smtp: TestSmtpServer;
let offline: OfflineFetch;
let educator: TestWallet;
let programDid: string;
const claimed: Json[] = [];

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** @digitalbazaar/vc with the status lists read over HTTP from the server that published them. */
async function libraryVerifies(credential: Json): Promise<{ verified: boolean; error?: unknown }> {
  const check = createStatusChecker({ fetchJson: async (url) => (await fetch(url)).json(), documentLoader });
  const checkStatus = async ({ credential: c }: { credential: Json }) => {
    const failed = (await check(c)).filter((r) => !r.ok);
    return failed.length === 0 ? { verified: true } : { verified: false, error: new Error(failed.map((r) => r.reason).join('; ')) };
  };
  return vc.verifyCredential({ credential, suite: createVerifyingSuites(), checkStatus, documentLoader });
}

/** The educator's wallet follows a claim link: the exchange asks for DID authentication, answers with the badge. */
async function claimIntoWallet(claimUrl: string, wallet: TestWallet): Promise<Json> {
  const token = new URL(claimUrl).pathname.split('/').at(-1)!;
  const exchange = `${new URL(claimUrl).origin}/exchanges/${token}`;
  const start = await postJson(exchange, {});
  expect(start.status).toBe(200);
  const { verifiablePresentationRequest: vpr } = (await start.json()) as Json;
  const verifiablePresentation = await wallet.authenticate({ challenge: vpr.challenge, domain: vpr.domain });
  const done = await postJson(vpr.interact.service[0].serviceEndpoint, { verifiablePresentation });
  expect(done.status, await done.clone().text()).toBe(200);
  return ((await done.json()) as Json).verifiablePresentation.verifiableCredential[0] as Json;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'educred-roles-'));
  build = await buildServer('roles');
  smtp = await startSmtpServer();
  program = await startChildServer({
    entry: build.entry,
    dataDir: path.join(work, 'program'),
    port: await freePort(),
    env: { EDUCRED_ISSUER_NAME: 'Riverside Educator Preparation', EDUCRED_SMTP_URL: smtp.url, EDUCRED_MAIL_FROM: 'badges@riverside.example' },
  });
  educator = await createTestWallet();
  // verifier-core fetches status lists and the schema: loopback only, the schema from the pinned copy.
  offline = allowLoopbackOnly({ [OB_ACHIEVEMENT_CREDENTIAL_SCHEMA]: pinnedSchema });
}, 180_000);

afterAll(async () => {
  offline?.restore();
  for (const server of [program, stateB]) {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }
  await smtp?.close();
  build?.remove();
  rmSync(work, { recursive: true, force: true });
});

describe('the program', () => {
  it('awards a badge that carries one revocation entry and a claim link, and emails the link to the educator', async () => {
    const res = await postJson(
      `${program.origin}/awards`,
      { ...awardBody({ recipient: { email: 'ana.lopez@example.edu', name: 'Ana Lopez' }, achievement: ONLINE_TEACHING[0] }), notify: true },
      authorized(),
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as Json;
    programDid = body.credential.issuer.id;
    expect(statusEntries(body.credential).map((e) => e.statusPurpose)).toEqual(['revocation']);
    expect(body.claimUrl).toMatch(new RegExp(`^${program.origin}/claim/`));
    const mail = await smtp.waitForCount(1);
    expect(mail.envelopeTo).toEqual(['ana.lopez@example.edu']);
    expect(mail.text).toContain('Riverside Educator Preparation');
    expect(mail.text).toContain(body.claimUrl);
    expect(mail.html).toContain(body.claimUrl);
    claimed.push(await claimIntoWallet(body.claimUrl, educator));
  });

  it('awards a CSV batch whose rows carry claim links, and makes a new link for an existing award', async () => {
    const rows = ONLINE_TEACHING.slice(1).map((code) => `ana.lopez@example.edu,Ana Lopez,${code},${MASTERY_OBSERVATIONS}`);
    const res = await fetch(`${program.origin}/awards/batch`, {
      method: 'POST',
      headers: authorized({ 'Content-Type': 'text/csv', 'Batch-Id': 'spring-cohort' }),
      body: [CSV_HEADER, ...rows].join('\n') + '\n',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const batch = (await res.json()) as Json;
    expect(batch.counts).toMatchObject({ issued: 3 });
    const awarded = (batch.rows as Json[]).filter((r) => r.state === 'issued');
    expect(awarded).toHaveLength(3);
    for (const row of awarded) expect(row.claimUrl).toMatch(new RegExp(`^${program.origin}/claim/`));

    const fresh = await postJson(`${program.origin}/awards/${awarded[0]!.awardId}/claim-links`, {}, authorized());
    expect(fresh.status).toBe(201);
    const link = (await fresh.json()) as Json;
    expect(link.claimUrl).not.toBe(awarded[0]!.claimUrl);
    expect(Date.parse(link.expiresAt)).toBeGreaterThan(Date.now());
    // The educator collects the three: the first through the new link (the old one was replaced).
    claimed.push(await claimIntoWallet(link.claimUrl, educator));
    for (const row of awarded.slice(1)) claimed.push(await claimIntoWallet(row.claimUrl, educator));
  });

  it('lists the educator\'s awards', async () => {
    const res = await fetch(`${program.origin}/awards?recipient=ana.lopez@example.edu`, { headers: authorized() });
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as Json;
    expect((items as Json[]).map((i) => i.achievement).sort()).toEqual([...ONLINE_TEACHING].sort());
  });
});

describe('the educator', () => {
  it('holds four badges bound to the wallet DID, each verifying with @digitalbazaar/vc and verifier-core', async () => {
    expect(claimed).toHaveLength(4);
    for (const credential of claimed) {
      expect(credential.credentialSubject.id).toBe(educator.did);
      const library = await libraryVerifies(credential);
      expect(library.verified, JSON.stringify(library.error)).toBe(true);
      const wallet = (await walletVerify({ credential: credential as any, knownDIDRegistries: [] })) as Json;
      expect(wallet.errors, JSON.stringify(wallet.errors)).toBeUndefined();
      expect((wallet.log as Json[]).find((e) => e.id === 'revocation_status')).toMatchObject({ valid: true });
    }
  });
});

describe('the verifying state', () => {
  beforeAll(async () => {
    const policy = path.join(work, 'state-b-policy.json');
    writeFileSync(policy, JSON.stringify({ name: 'State B licensure', trustedIssuers: [{ id: programDid, name: 'Riverside Educator Preparation' }] }));
    stateB = await startChildServer({
      entry: build.entry,
      dataDir: path.join(work, 'state-b'),
      port: await freePort(),
      // The program is on 127.0.0.1 in this test: State B may fetch its status lists there.
      env: { EDUCRED_TRUST_POLICY: policy, EDUCRED_FETCH_ALLOW_PRIVATE: 'true', EDUCRED_ISSUER_NAME: 'State B' },
    });
  }, 120_000);

  const verifyPresentation = async (credentials: Json[], challenge = 'state-b-3f9a') => {
    const presentation = await educator.present({ credentials, challenge, domain: 'licensure.state-b.example' });
    const res = await postJson(`${stateB.origin}/presentations/verify`, {
      verifiablePresentation: presentation,
      options: { challenge: 'state-b-3f9a', domain: 'licensure.state-b.example', rule: 'online-teaching' },
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it('approves the claimed badges for online teaching from a presentation the educator signed', async () => {
    const { status, body } = await verifyPresentation(claimed);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.verified).toBe(true);
    expect(body.approval).toMatchObject({ approved: true });
  });

  it('refuses a presentation answered with another challenge', async () => {
    const { body } = await verifyPresentation(claimed, 'replayed-challenge');
    expect(body.verified).toBe(false);
  });
  it('refuses it once the program revokes one of them (a state checking after the revocation)', async () => {
    const list = (await (await fetch(`${program.origin}/awards?recipient=ana.lopez@example.edu&achievement=formative-assessment`, { headers: authorized() })).json()) as Json;
    const [award] = list.items as Json[];
    const revoked = await postJson(`${program.origin}/awards/${award!.id}/revoke`, { reason: 'Observation records were incomplete' }, authorized());
    expect(revoked.status).toBe(200);
    // State B reuses the program's list for its ttl (up to 5 minutes, Bitstring Status List §2.2
    // ttl): another state that checks now reads the re-signed list and sees the revocation.
    const stateC = await startChildServer({
      entry: build.entry,
      dataDir: path.join(work, 'state-c'),
      port: await freePort(),
      env: { EDUCRED_TRUST_POLICY: path.join(work, 'state-b-policy.json'), EDUCRED_FETCH_ALLOW_PRIVATE: 'true', EDUCRED_ISSUER_NAME: 'State C' },
    });
    try {
      const presentation = await educator.present({ credentials: claimed, challenge: 'state-c-77', domain: 'licensure.state-c.example' });
      const res = await postJson(`${stateC.origin}/presentations/verify`, {
        verifiablePresentation: presentation,
        options: { challenge: 'state-c-77', domain: 'licensure.state-c.example', rule: 'online-teaching' },
      });
      const body = (await res.json()) as Json;
      expect(body.approval?.approved).toBe(false);
      expect(JSON.stringify(body)).toMatch(/[Rr]evoked/);
    } finally {
      stateC.child.kill('SIGTERM');
      await stateC.exited;
    }
  }, 120_000);
});
