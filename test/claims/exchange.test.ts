// The wallet exchange end to end, against the server on 127.0.0.1: a scripted wallet with a
// did:key of its own opens the claim link's exchange, authenticates, and receives the badge
// bound to its DID, which verifies. Also LCW's plain deep-link flow and the refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { awardBody, createServedInstance, masteryEvidence, type TestInstance } from '../helpers/app.js';
import { ADMIN_TOKEN } from '../helpers/app.js';
import { createTestWallet, walletLoader } from '../helpers/wallet.js';
import { libraryCheckStatus, statusEntries } from '../helpers/status.js';

type Json = Record<string, any>;
let t: TestInstance & { origin: string };
beforeAll(async () => {
  t = await createServedInstance();
});
afterAll(async () => t.close());

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function award(body: Json): Promise<Json> {
  const res = await post(`${t.origin}/awards`, body, { Authorization: `Bearer ${ADMIN_TOKEN}` });
  expect(res.status).toBe(201);
  return (await res.json()) as Json;
}

let educators = 0;
/** Each award to an educator of its own: a recipient holds one badge per achievement and level. */
const emailAward = () => award(awardBody({ recipient: { email: `educator${++educators}@example.edu`, name: 'Ana Lopez' } }));

/** Reads the wallet deep link from the claim page, as a phone would follow it. */
async function deepLinkParams(claimUrl: string): Promise<URLSearchParams> {
  const page = await (await fetch(claimUrl)).text();
  const href = /href="(dccrequest:\/\/request\?[^"]+)"/.exec(page)?.[1];
  expect(href).toBeDefined();
  return new URLSearchParams(href!.replace(/&amp;/g, '&').split('?')[1]);
}

async function verifies(credential: Json): Promise<boolean> {
  return (await vc.verifyCredential({ credential, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader })).verified;
}

describe('VC-API exchange (request, DID authentication, delivery)', () => {
  it('binds an email-only badge to the wallet DID and delivers it in a presentation', async () => {
    const awarded = await emailAward();
    const params = await deepLinkParams(awarded.claimUrl);
    expect(params.get('auth_type')).toBe('bearer');
    expect(params.get('issuer')).toBe(new URL(t.origin).host);
    const exchange = params.get('vc_request_url')!;
    expect(exchange).toMatch(new RegExp(`^${t.origin}/exchanges/[A-Za-z0-9_-]{43}$`));

    const start = await post(exchange, {});
    expect(start.status).toBe(200);
    const { verifiablePresentationRequest: vpr } = (await start.json()) as Json;
    expect(vpr.query).toEqual([expect.objectContaining({ type: 'DIDAuthentication', acceptedMethods: [{ method: 'key' }, { method: 'jwk' }, { method: 'web' }] })]);
    expect(vpr.challenge).toBe(params.get('challenge'));
    expect(vpr.domain).toBe(new URL(t.origin).host);
    expect(vpr.interact.service[0].serviceEndpoint).toBe(exchange);

    const wallet = await createTestWallet();
    const verifiablePresentation = await wallet.authenticate({ challenge: vpr.challenge, domain: vpr.domain });
    const done = await post(vpr.interact.service[0].serviceEndpoint, { verifiablePresentation });
    expect(done.status).toBe(200);
    const delivered = ((await done.json()) as Json).verifiablePresentation;
    expect(delivered.type).toContain('VerifiablePresentation');
    const credential = delivered.verifiableCredential[0] as Json;

    expect(credential.credentialSubject.id).toBe(wallet.did);
    expect(credential.id).toBe(awarded.credential.id);
    expect(credential.awardedDate).toBe(awarded.credential.awardedDate);
    expect(credential.credentialSubject.identifier).toEqual(awarded.credential.credentialSubject.identifier);
    expect(Date.parse(credential.validFrom)).toBeGreaterThanOrEqual(Date.parse(awarded.credential.validFrom));
    expect(statusEntries(awarded.credential).map((e) => e.statusPurpose)).toEqual(['revocation']);
    expect(credential.credentialStatus).toEqual(awarded.credential.credentialStatus);
    expect(await verifies(credential)).toBe(true);

    // The public URL serves the newest version; the award's audit says who claimed it.
    const stored = (await (await fetch(credential.id)).json()) as Json;
    expect(stored.credentialSubject.id).toBe(wallet.did);
    expect((await t.runtime.store.audit.trail(awarded.id)).map((e) => e.action)).toEqual(['award.issued', 'award.claimed']);

    // Spent: the exchange and the claim page refuse a second use.
    expect((await post(exchange, {})).status).toBe(410);
    expect((await post(exchange, { verifiablePresentation })).status).toBe(410);
    expect((await fetch(awarded.claimUrl)).status).toBe(410);
  });

  it("accepts LCW's plain deep-link flow: a signed VC 1.1 presentation (Ed25519Signature2020) as the body, answered with the credential", async () => {
    const awarded = await emailAward();
    const params = await deepLinkParams(awarded.claimUrl);
    const wallet = await createTestWallet();
    const vp = await wallet.authenticate({ challenge: params.get('challenge')!, suite: 'Ed25519Signature2020' });
    const res = await post(params.get('vc_request_url')!, vp);
    expect(res.status).toBe(200);
    const credential = (await res.json()) as Json;
    expect(credential.type).toContain('OpenBadgeCredential');
    expect(credential.credentialSubject.id).toBe(wallet.did);
    expect(await verifies(credential)).toBe(true);
  });

  it('delivers a DID-bound badge unchanged to that DID, and refuses another DID (403)', async () => {
    const wallet = await createTestWallet();
    const awarded = await award(awardBody({ recipient: { id: wallet.did, name: 'Ana Lopez' } }));
    const params = await deepLinkParams(awarded.claimUrl);
    const exchange = params.get('vc_request_url')!;
    const stranger = await createTestWallet();
    const refused = await post(exchange, { verifiablePresentation: await stranger.authenticate({ challenge: params.get('challenge')!, domain: new URL(t.origin).host }) });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as Json).type).toBe('urn:educred:problem:recipient-mismatch');

    const ok = await post(exchange, { verifiablePresentation: await wallet.authenticate({ challenge: params.get('challenge')!, domain: new URL(t.origin).host }) });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Json).verifiablePresentation.verifiableCredential[0]).toEqual(awarded.credential);
  });

  it('refuses a presentation with the wrong challenge, the wrong domain, no proof, or a forged holder, and leaves the link usable', async () => {
    const awarded = await emailAward();
    const params = await deepLinkParams(awarded.claimUrl);
    const exchange = params.get('vc_request_url')!;
    const domain = new URL(t.origin).host;
    const wallet = await createTestWallet();
    const other = await createTestWallet();

    const wrongChallenge = await wallet.authenticate({ challenge: 'not-the-challenge', domain });
    const wrongDomain = await wallet.authenticate({ challenge: params.get('challenge')!, domain: 'evil.example' });
    const unsigned = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], holder: wallet.did };
    const forged = { ...(await wallet.authenticate({ challenge: params.get('challenge')!, domain })), holder: other.did };
    const tampered = structuredClone(await wallet.authenticate({ challenge: params.get('challenge')!, domain })) as Json;
    tampered.id = 'urn:uuid:0b8e5c5e-0000-4000-8000-000000000000';
    for (const [vp, reason] of [
      [wrongChallenge, /challenge/],
      [wrongDomain, /domain/],
      [unsigned, /no proof/],
      [forged, /not the DID that signed/],
      [tampered, /did not verify|could not be verified/],
    ] as const) {
      const res = await post(exchange, { verifiablePresentation: vp });
      expect(res.status).toBe(400);
      const problem = (await res.json()) as Json;
      expect(problem.type).toBe('urn:educred:problem:did-authentication-failed');
      expect(problem.detail).toMatch(reason);
    }
    expect((await post(exchange, {})).status).toBe(200);
  });

  it('answers 404 for an unknown exchange and 400 for a message that is neither {} nor a presentation', async () => {
    expect((await post(`${t.origin}/exchanges/unknown-token`, {})).status).toBe(404);
    const awarded = await emailAward();
    const exchange = (await deepLinkParams(awarded.claimUrl)).get('vc_request_url')!;
    expect((await post(exchange, { hello: 'world' })).status).toBe(400);
    expect((await post(exchange, [1, 2])).status).toBe(400);
  });

  it('verifies presentations with the same loader a wallet would use (sanity check of the helper)', async () => {
    const wallet = await createTestWallet();
    const vp = await wallet.authenticate({ challenge: 'c', domain: 'd' });
    expect((await vc.verify({ presentation: vp, challenge: 'c', domain: 'd', suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: walletLoader })).verified).toBe(true);
  });

  it('keeps evidence-backed mastery: a badge for 6 observations carries 6 evidence entries after binding', async () => {
    const awarded = await award(awardBody({ recipient: { email: 'b@example.edu', name: 'B' }, evidence: masteryEvidence(6) }));
    const params = await deepLinkParams(awarded.claimUrl);
    const wallet = await createTestWallet();
    const res = await post(params.get('vc_request_url')!, await wallet.authenticate({ challenge: params.get('challenge')!, suite: 'Ed25519Signature2020' }));
    expect(((await res.json()) as Json).evidence).toHaveLength(6);
  });
});

describe('VC-API exchange with a did:jwk holder', () => {
  it('authenticates a did:jwk wallet (Ed25519) and binds the badge to that DID', async () => {
    const generated = await Ed25519Multikey.generate();
    const jwk = await Ed25519Multikey.toJwk({ keyPair: generated });
    const did = `did:jwk:${Buffer.from(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).toString('base64url')}`;
    const key = await Ed25519Multikey.from({ type: 'Multikey', id: `${did}#0`, controller: did, publicKeyMultibase: generated.publicKeyMultibase, secretKeyMultibase: generated.secretKeyMultibase });
    const awarded = await emailAward();
    const params = await deepLinkParams(awarded.claimUrl);
    const presentation = vc.createPresentation({ holder: did, version: 2.0 });
    const signed = await vc.signPresentation({ presentation, suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 }), challenge: params.get('challenge')!, documentLoader: walletLoader });
    const res = await post(params.get('vc_request_url')!, { verifiablePresentation: signed });
    expect(res.status).toBe(200);
    const credential = ((await res.json()) as Json).verifiablePresentation.verifiableCredential[0];
    expect(credential.credentialSubject.id).toBe(did);
    expect(await verifies(credential)).toBe(true);
  });
});
