// One claim for everything an educator holds (issue 16), against the server on 127.0.0.1: a
// link covering every unclaimed badge of one educator. The VC-API wallet receives them all in
// one presentation; an OID4VCI wallet (jose + fetch, test/helpers/oid4vciWallet.ts) gets one
// offer, a token response whose authorization_details name one credential_identifier per
// credential, and collects each by its identifier. Refusals first where they matter: a spent
// bundle, a badge already collected, another holder with the same token, an unknown identifier.
import * as vc from '@digitalbazaar/vc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { ADMIN_TOKEN, awardBody, createServedInstance, type TestInstance } from '../helpers/app.js';
import { createOid4vciWallet } from '../helpers/oid4vciWallet.js';
import { libraryCheckStatus } from '../helpers/status.js';
import { createTestWallet, type TestWallet } from '../helpers/wallet.js';

type Json = Record<string, any>;
let t: TestInstance & { origin: string };
beforeAll(async () => {
  t = await createServedInstance();
});
afterAll(async () => t.close());

const THREE = ['differentiated-support', 'aligned-instruction', 'formative-assessment'];
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

let educators = 0;
/** An educator with three badges awarded to their email; the bundle link covering them. */
async function educatorWithBadges(): Promise<{ id: string; awards: Json[]; claimUrl: string; covers: Json[] }> {
  const email = `bundle${++educators}@example.edu`;
  const created = await post(`${t.origin}/educators`, { name: 'Ana Lopez', email }, admin);
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as Json;
  const awards: Json[] = [];
  for (const achievement of THREE) {
    const res = await post(`${t.origin}/awards`, awardBody({ recipient: { email, name: 'Ana Lopez' }, achievement }), admin);
    expect(res.status).toBe(201);
    awards.push((await res.json()) as Json);
  }
  const link = await post(`${t.origin}/educators/${id}/claim-links`, {}, admin);
  expect(link.status).toBe(201);
  const body = (await link.json()) as Json;
  return { id, awards, claimUrl: body.claimUrl, covers: body.covers };
}

const deepLink = (page: string, id: string): string => {
  const href = new RegExp(`id="${id}" href="([^"]+)"`).exec(page)?.[1];
  expect(href, `${id} on the claim page`).toBeDefined();
  return href!.replace(/&amp;/g, '&');
};

async function verifies(credential: Json): Promise<boolean> {
  return (await vc.verifyCredential({ credential, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader })).verified;
}

/** The VC-API exchange as the Learner Credential Wallet runs it: DID authentication, then delivery. */
async function exchange(claimUrl: string, wallet: TestWallet): Promise<Response> {
  const page = await (await fetch(claimUrl)).text();
  const params = new URLSearchParams(deepLink(page, 'lcw-link').split('?')[1]);
  const url = params.get('vc_request_url')!;
  const { verifiablePresentationRequest: vpr } = (await (await post(url, {})).json()) as Json;
  const verifiablePresentation = await wallet.authenticate({ challenge: vpr.challenge, domain: vpr.domain });
  return post(url, { verifiablePresentation });
}

describe('a claim link for every unclaimed badge of an educator', () => {
  it('POST /educators/:id/claim-links covers each badge; the token needs the issue scope', async () => {
    const res = await post(`${t.origin}/educators/nobody/claim-links`, {}, admin);
    expect(res.status).toBe(404);
    expect((await post(`${t.origin}/educators/nobody/claim-links`, {})).status).toBe(401);
    const { covers, awards, claimUrl } = await educatorWithBadges();
    expect(covers.map((c) => c.awardId).sort()).toEqual(awards.map((a) => a.id).sort());
    expect(claimUrl).toMatch(/\/claim\/[A-Za-z0-9_-]{43}$/);
  });

  it('the claim page lists every badge, leads with the wallet buttons and shows the QR only on a large screen', async () => {
    const { claimUrl } = await educatorWithBadges();
    const page = await (await fetch(claimUrl)).text();
    for (const name of ['Differentiated Support', 'Aligned Instruction', 'Formative Assessment']) expect(page).toContain(name);
    expect(page.indexOf('id="lcw-link"')).toBeLessThan(page.indexOf('id="wallet-qr"'));
    expect(page.indexOf('id="openid-link"')).toBeLessThan(page.indexOf('id="wallet-qr"'));
    expect(page).toMatch(/class="qr-pair large-screen-only" id="wallet-qr"/);
    expect(page).toMatch(/@media \(max-width:48rem\)\{\.large-screen-only\{display:none\}\}/);
  });

  it('the VC-API exchange delivers them all in one presentation, each bound to the wallet and verifying; the link is then spent', async () => {
    const { claimUrl, awards } = await educatorWithBadges();
    const wallet = await createTestWallet();
    const done = await exchange(claimUrl, wallet);
    expect(done.status, await done.clone().text()).toBe(200);
    const delivered = ((await done.json()) as Json).verifiablePresentation;
    expect(delivered.verifiableCredential).toHaveLength(3);
    expect(delivered.verifiableCredential.map((c: Json) => c.id).sort()).toEqual(awards.map((a) => a.credential.id).sort());
    for (const credential of delivered.verifiableCredential) {
      expect(credential.credentialSubject.id).toBe(wallet.did);
      expect(await verifies(credential)).toBe(true);
    }
    // Spent: the same link again, and a badge's own older link, hand out nothing more.
    expect((await fetch(claimUrl)).status).toBe(410);
    expect((await fetch(awards[0]!.claimUrl)).status).toBe(410);
  });

  it('a badge revoked after the link was made is not delivered; the others are', async () => {
    const { claimUrl, awards } = await educatorWithBadges();
    expect((await post(`${t.origin}/awards/${awards[1]!.id}/revoke`, { reason: 'awarded in error' }, admin)).status).toBe(200);
    const done = await exchange(claimUrl, await createTestWallet());
    expect(done.status).toBe(200);
    const ids = (((await done.json()) as Json).verifiablePresentation.verifiableCredential as Json[]).map((c) => c.id);
    expect(ids).toHaveLength(2);
    expect(ids).not.toContain(awards[1]!.credential.id);
  });
});

describe('OID4VCI 1.0: one offer, one credential_identifier per badge', () => {
  it('the token response names each badge; the wallet collects each by its identifier, bound to its DID', async () => {
    const { claimUrl, awards } = await educatorWithBadges();
    const page = await (await fetch(claimUrl)).text();
    const wallet = await createOid4vciWallet('did:key');
    const grant = await wallet.openOffer(deepLink(page, 'openid-link'));
    expect(grant.offer.credential_configuration_ids).toEqual(expect.arrayContaining(['OpenBadgeCredential_ldp_vc']));
    const tokenRes = await wallet.requestToken(grant);
    expect(tokenRes.status).toBe(200);
    const token = (await tokenRes.json()) as Json;
    // §6.2: authorization_details of type openid_credential, credential_identifiers per configuration.
    const ldp = (token.authorization_details as Json[]).find((d) => d.credential_configuration_id === 'OpenBadgeCredential_ldp_vc')!;
    expect(ldp.type).toBe('openid_credential');
    expect(ldp.credential_identifiers).toHaveLength(3);
    const jwt = (token.authorization_details as Json[]).find((d) => d.credential_configuration_id === 'OpenBadgeCredential_jwt_vc_json')!;
    expect(jwt.credential_identifiers).toHaveLength(3);
    expect(new Set([...ldp.credential_identifiers, ...jwt.credential_identifiers]).size).toBe(6);
    const request = async (body: Json, accessToken = token.access_token as string) =>
      fetch(grant.issuerMetadata.credential_endpoint, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` }, body: JSON.stringify(body) });
    const proofFor = async (w = wallet) => ({ jwt: [await w.keyProof(grant, { nonce: await w.nonce(grant) })] });

    // By configuration id instead of identifier: refused (§8.2 requires the identifier here).
    const byConfig = await request({ credential_configuration_id: 'OpenBadgeCredential_ldp_vc', proofs: await proofFor() });
    expect(byConfig.status).toBe(400);
    expect(((await byConfig.json()) as Json).error).toBe('invalid_credential_request');
    const unknown = await request({ credential_identifier: 'not-one-of-them', proofs: await proofFor() });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as Json).error).toBe('unknown_credential_identifier');

    const collected: Json[] = [];
    for (const identifier of ldp.credential_identifiers as string[]) {
      const res = await request({ credential_identifier: identifier, proofs: await proofFor() });
      expect(res.status, await res.clone().text()).toBe(200);
      collected.push(((await res.json()) as Json).credentials[0].credential);
    }
    expect(collected.map((c) => c.id).sort()).toEqual(awards.map((a) => a.credential.id).sort());
    for (const credential of collected) {
      expect(credential.credentialSubject.id).toBe(wallet.did);
      expect(await verifies(credential)).toBe(true);
    }
    // Another holder with the same access token: denied.
    const thief = await createOid4vciWallet('did:key');
    const stolen = await request({ credential_identifier: ldp.credential_identifiers[0], proofs: await proofFor(thief) });
    expect(stolen.status).toBe(400);
    expect(((await stolen.json()) as Json).error).toBe('credential_request_denied');
    // The pre-authorized code is single use.
    const reused = await wallet.requestToken(grant);
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as Json).error).toBe('invalid_grant');
  });
});

describe('send again: POST /educators/:id/claim-email', () => {
  it('refuses without mail configured (422, naming why), and an unknown educator (404)', async () => {
    const { id } = await educatorWithBadges();
    const res = await post(`${t.origin}/educators/${id}/claim-email`, {}, admin);
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).type).toContain('mail-not-configured');
    expect((await post(`${t.origin}/educators/nobody/claim-email`, {}, admin)).status).toBe(404);
  });
});
