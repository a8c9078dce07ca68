// OID4VCI 1.0, pre-authorized code flow, against the server on 127.0.0.1, with a wallet built
// on jose and fetch alone (test/helpers/oid4vciWallet.ts). Refusals first: each with the OAuth
// error the specification names, never a 500. Then the two configurations collected with each
// kind of holder key, verified by educred, by @digitalcredentials/verifier-core (ldp_vc) and by
// jose (jwt_vc_json); the claim link spent by whichever protocol collects first.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { verifyCredential as walletVerify } from '@digitalcredentials/verifier-core';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from '../../src/credentials/openBadge.js';
import { createNonce } from '../../src/oid4vci/grantSecrets.js';
import { resolveDidKey } from '../../src/signing/did.js';
import { ADMIN_TOKEN, awardBody, createServedInstance, type TestInstance } from '../helpers/app.js';
import { allowLoopbackOnly, type OfflineFetch } from '../helpers/network.js';
import { createOid4vciWallet, type OfferedGrant } from '../helpers/oid4vciWallet.js';
import { createTestWallet } from '../helpers/wallet.js';

type Json = Record<string, any>;
const LDP = 'OpenBadgeCredential_ldp_vc';
const JWT = 'OpenBadgeCredential_jwt_vc_json';

let t: TestInstance & { origin: string };
let withTx: TestInstance & { origin: string };
let offline: OfflineFetch;
beforeAll(async () => {
  [t, withTx] = await Promise.all([createServedInstance(), createServedInstance({ env: { EDUCRED_OID4VCI_TX_CODE: 'required' } })]);
  // verifier-core fetches the schema a credential cites: it gets the pinned copy; all else loopback.
  const schema = JSON.parse(readFileSync(new URL('../../contexts/schemas/ob_v3p0_achievementcredential_schema.json', import.meta.url), 'utf8'));
  offline = allowLoopbackOnly({ [OB_ACHIEVEMENT_CREDENTIAL_SCHEMA]: schema });
});
afterAll(async () => {
  offline.restore();
  await Promise.all([t.close(), withTx.close()]);
});

let educators = 0;
async function award(instance: TestInstance & { origin: string }, recipient?: Json): Promise<Json> {
  const body = awardBody({ recipient: recipient ?? { email: `oid4vci${++educators}@example.edu`, name: 'Ana Lopez' } });
  const res = await fetch(`${instance.origin}/awards`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return (await res.json()) as Json;
}

/** The claim page as a phone reads it: the OID4VCI deep link (and the transaction code, when shown). */
async function fromClaimPage(claimUrl: string): Promise<{ deepLink: string; txCode?: string | undefined }> {
  const page = await (await fetch(claimUrl)).text();
  const href = /id="openid-link" href="(openid-credential-offer:\/\/[^"]+)"/.exec(page)?.[1];
  expect(href).toBeDefined();
  return { deepLink: href!.replace(/&amp;/g, '&'), txCode: /class="tx-code">(\d+)</.exec(page)?.[1] };
}

const oauthError = async (res: Response): Promise<{ status: number; error: string; description: string }> => {
  const body = (await res.json()) as Json;
  return { status: res.status, error: body.error, description: body.error_description };
};

async function tokenFor(grant: OfferedGrant, wallet: Awaited<ReturnType<typeof createOid4vciWallet>>, txCode?: string): Promise<string> {
  const res = await wallet.requestToken(grant, { txCode });
  expect(res.status).toBe(200);
  return ((await res.json()) as Json).access_token;
}

describe('metadata', () => {
  it('serves the credential issuer metadata with both configurations, and the authorization server metadata', async () => {
    const res = await fetch(`${t.origin}/.well-known/openid-credential-issuer`);
    expect(res.status).toBe(200);
    const metadata = (await res.json()) as Json;
    expect(metadata).toMatchObject({
      credential_issuer: t.origin,
      credential_endpoint: `${t.origin}/oid4vci/credential`,
      nonce_endpoint: `${t.origin}/oid4vci/nonce`,
    });
    expect(metadata.authorization_servers).toBeUndefined();
    expect(Object.keys(metadata.credential_configurations_supported)).toEqual([LDP, JWT, 'ClrCredential_ldp_vc']);
    expect(metadata.credential_configurations_supported[LDP]).toMatchObject({ format: 'ldp_vc', cryptographic_binding_methods_supported: ['did:key', 'did:jwk', 'jwk'], credential_signing_alg_values_supported: ['eddsa-rdfc-2022'] });
    expect(metadata.credential_configurations_supported[LDP].credential_definition.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(metadata.credential_configurations_supported[JWT]).toMatchObject({ format: 'jwt_vc_json', credential_signing_alg_values_supported: ['EdDSA'], proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['EdDSA', 'ES256'] } } });
    const as = (await (await fetch(`${t.origin}/.well-known/oauth-authorization-server`)).json()) as Json;
    expect(as).toMatchObject({ issuer: t.origin, token_endpoint: `${t.origin}/oid4vci/token`, grant_types_supported: ['urn:ietf:params:oauth:grant-type:pre-authorized_code'], 'pre-authorized_grant_anonymous_access_supported': true });
  });

  it('GET /claim/:token/offer answers the offer of both configurations, with the pre-authorized code and no tx_code by default', async () => {
    const awarded = await award(t);
    const { deepLink, txCode } = await fromClaimPage(awarded.claimUrl);
    expect(txCode).toBeUndefined();
    const uri = new URL(deepLink).searchParams.get('credential_offer_uri')!;
    expect(uri).toBe(`${awarded.claimUrl}/offer`);
    const res = await fetch(uri);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const offer = (await res.json()) as Json;
    expect(offer.credential_issuer).toBe(t.origin);
    expect(offer.credential_configuration_ids).toEqual([LDP, JWT]);
    const grant = offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code'];
    expect(grant['pre-authorized_code']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(grant.tx_code).toBeUndefined();
    // Fetching again gives the same code (derived, only its hash stored).
    expect(((await (await fetch(uri)).json()) as Json).grants).toEqual(offer.grants);
    const rows = await t.runtime.store.kysely.selectFrom('oid4vci_grants').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(grant['pre-authorized_code']);
  });
});

describe('refusals, each with its OAuth error', () => {
  it('a reused pre-authorized code: invalid_grant', async () => {
    const wallet = await createOid4vciWallet();
    const grant = await wallet.openOffer((await fromClaimPage((await award(t)).claimUrl)).deepLink);
    await tokenFor(grant, wallet);
    expect(await oauthError(await wallet.requestToken(grant))).toMatchObject({ status: 400, error: 'invalid_grant', description: expect.stringMatching(/already used/) });
  });

  it('an unknown code, another grant type, a missing code, a JSON body: invalid_grant, unsupported_grant_type, invalid_request', async () => {
    const wallet = await createOid4vciWallet();
    const grant = await wallet.openOffer((await fromClaimPage((await award(t)).claimUrl)).deepLink);
    expect(await oauthError(await wallet.requestToken(grant, { code: 'not-a-code' }))).toMatchObject({ status: 400, error: 'invalid_grant' });
    const form = (body: Record<string, string>) => fetch(`${t.origin}/oid4vci/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
    expect(await oauthError(await form({ grant_type: 'authorization_code', code: 'x' }))).toMatchObject({ error: 'unsupported_grant_type' });
    expect(await oauthError(await form({ grant_type: 'client_credentials' }))).toMatchObject({ error: 'unsupported_grant_type' });
    expect(await oauthError(await form({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code' }))).toMatchObject({ error: 'invalid_request' });
    const json = await fetch(`${t.origin}/oid4vci/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(await oauthError(json)).toMatchObject({ status: 400, error: 'invalid_request' });
    // A tx_code the offer did not ask for.
    expect(await oauthError(await wallet.requestToken(grant, { txCode: '123456' }))).toMatchObject({ error: 'invalid_request' });
  });

  it('an expired offer: the offer is gone (410) and its code is invalid_grant', async () => {
    const awarded = await award(t);
    const wallet = await createOid4vciWallet();
    const grant = await wallet.openOffer((await fromClaimPage(awarded.claimUrl)).deepLink);
    const past = new Date(Date.now() - 1000).toISOString();
    await t.runtime.store.kysely.updateTable('claim_links').set({ expires_at: past }).where('award_id', '=', awarded.id).execute();
    await t.runtime.store.kysely.updateTable('oid4vci_grants').set({ expires_at: past }).execute();
    expect((await fetch(`${awarded.claimUrl}/offer`)).status).toBe(410);
    expect(await oauthError(await wallet.requestToken(grant))).toMatchObject({ status: 400, error: 'invalid_grant', description: expect.stringMatching(/expired/) });
  });

  it('key proofs: a stale nonce and a forged one (invalid_nonce), no nonce, the wrong audience, another key, an old iat, the wrong typ (invalid_proof)', async () => {
    const wallet = await createOid4vciWallet('did:key');
    const grant = await wallet.openOffer((await fromClaimPage((await award(t)).claimUrl)).deepLink);
    const token = await tokenFor(grant, wallet);
    const ask = async (proof: string | undefined) => oauthError(await wallet.requestCredential(grant, token, LDP, proof));
    // A nonce this issuer made ten minutes ago (its lifetime is five).
    const stale = createNonce(t.deps.claimSecret, new Date(Date.now() - 10 * 60_000));
    expect(await ask(await wallet.keyProof(grant, { nonce: stale }))).toMatchObject({ status: 400, error: 'invalid_nonce', description: expect.stringMatching(/expired/) });
    expect(await ask(await wallet.keyProof(grant, { nonce: 'made.up.nonce' }))).toMatchObject({ error: 'invalid_nonce' });
    const nonce = await wallet.nonce(grant);
    expect(await ask(await wallet.keyProof(grant, {}))).toMatchObject({ error: 'invalid_proof', description: expect.stringMatching(/no nonce/) });
    expect(await ask(await wallet.keyProof(grant, { nonce, aud: 'https://another-issuer.example' }))).toMatchObject({ error: 'invalid_proof', description: expect.stringMatching(/audience/) });
    const other = await jose.generateKeyPair('EdDSA');
    expect(await ask(await wallet.keyProof(grant, { nonce, signWith: other.privateKey }))).toMatchObject({ error: 'invalid_proof', description: expect.stringMatching(/signature does not verify/) });
    expect(await ask(await wallet.keyProof(grant, { nonce, iat: Math.floor(Date.now() / 1000) - 3600 }))).toMatchObject({ error: 'invalid_proof', description: expect.stringMatching(/older/) });
    expect(await ask(await wallet.keyProof(grant, { nonce, typ: 'JWT' }))).toMatchObject({ error: 'invalid_proof', description: expect.stringMatching(/typ/) });
    expect(await ask(undefined)).toMatchObject({ error: 'invalid_proof' });
    // None of these spent the link: the right proof still collects.
    const good = await wallet.requestCredential(grant, token, LDP, await wallet.keyProof(grant, { nonce }));
    expect(good.status).toBe(200);
  });

  it('the credential endpoint without a token, with a wrong one, an unknown configuration or a bad body', async () => {
    const bare = await fetch(`${t.origin}/oid4vci/credential`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect((await oauthError(bare)).error).toBe('invalid_token');
    const wrong = await fetch(`${t.origin}/oid4vci/credential`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer nope' }, body: '{}' });
    expect(await oauthError(wrong)).toMatchObject({ status: 401, error: 'invalid_token' });
    const wallet = await createOid4vciWallet();
    const grant = await wallet.openOffer((await fromClaimPage((await award(t)).claimUrl)).deepLink);
    const token = await tokenFor(grant, wallet);
    const proof = await wallet.keyProof(grant, { nonce: await wallet.nonce(grant) });
    expect(await oauthError(await wallet.requestCredential(grant, token, 'OpenBadgeCredential_mso_mdoc', proof))).toMatchObject({ error: 'unknown_credential_configuration' });
    const post = (body: string) => fetch(`${t.origin}/oid4vci/credential`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body });
    expect(await oauthError(await post('{not json'))).toMatchObject({ status: 400, error: 'invalid_credential_request' });
    expect(await oauthError(await post('[]'))).toMatchObject({ status: 400, error: 'invalid_credential_request' });
    expect(await oauthError(await post(JSON.stringify({ credential_identifier: 'x', proofs: { jwt: [proof] } })))).toMatchObject({ status: 400 });
  });

  it('a badge awarded to another DID: credential_request_denied, and the link stays for its owner', async () => {
    const owner = await createTestWallet();
    const awarded = await award(t, { id: owner.did, name: 'Ana Lopez' });
    const wallet = await createOid4vciWallet('did:jwk');
    const grant = await wallet.openOffer((await fromClaimPage(awarded.claimUrl)).deepLink);
    const token = await tokenFor(grant, wallet);
    const res = await wallet.requestCredential(grant, token, JWT, await wallet.keyProof(grant, { nonce: await wallet.nonce(grant) }));
    expect(await oauthError(res)).toMatchObject({ status: 400, error: 'credential_request_denied' });
    expect((await fetch(awarded.claimUrl)).status).toBe(200);
  });

  it('a link spent by the other protocol first: the code is invalid_grant; and after OID4VCI the exchange is refused', async () => {
    const first = await award(t);
    const wallet = await createOid4vciWallet();
    const grant = await wallet.openOffer((await fromClaimPage(first.claimUrl)).deepLink);
    expect((await fetch(`${first.claimUrl}/download`, { method: 'POST' })).status).toBe(200);
    expect(await oauthError(await wallet.requestToken(grant))).toMatchObject({ error: 'invalid_grant' });

    const second = await award(t);
    const page = await (await fetch(second.claimUrl)).text();
    const exchange = /vc_request_url=([^&"]+)/.exec(page)![1]!;
    await wallet.collect((await fromClaimPage(second.claimUrl)).deepLink, LDP);
    const res = await fetch(decodeURIComponent(exchange), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(410);
  });
});

describe('collecting', () => {
  it('ldp_vc with a did:key holder: bound to the DID, verified by educred and by verifier-core', async () => {
    const awarded = await award(t);
    const wallet = await createOid4vciWallet('did:key');
    const { credential } = (await wallet.collect((await fromClaimPage(awarded.claimUrl)).deepLink, LDP)) as { credential: Json };
    expect(credential.id).toBe(awarded.credential.id);
    expect(credential.credentialSubject.id).toBe(wallet.did);
    expect(credential.proof[0].cryptosuite).toBe('eddsa-rdfc-2022');
    const verified = await fetch(`${t.origin}/credentials/verify`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ verifiableCredential: credential, options: { recipient: { did: wallet.did } } }) });
    expect(((await verified.json()) as Json).verified).toBe(true);
    const independent = (await walletVerify({ credential: credential as any, knownDIDRegistries: [] })) as Json;
    expect(independent.errors, JSON.stringify(independent.errors)).toBeUndefined();
    expect((independent.log as Json[]).find((e) => e.id === 'valid_signature')?.valid).toBe(true);
    // The link is spent.
    expect((await fetch(awarded.claimUrl)).status).toBe(410);
  });

  it('jwt_vc_json with a did:jwk (ES256) holder: a JWT jose verifies with the issuer key, and educred verifies', async () => {
    const awarded = await award(t);
    const wallet = await createOid4vciWallet('did:jwk');
    const { credential } = await wallet.collect((await fromClaimPage(awarded.claimUrl)).deepLink, JWT);
    expect(typeof credential).toBe('string');
    const method = await resolveDidKey(t.runtime.issuer.identity.verificationMethod);
    const jwk = await Ed25519Multikey.toJwk({ keyPair: await Ed25519Multikey.from(method as never) });
    const { payload, protectedHeader } = await jose.jwtVerify(credential as string, await jose.importJWK(jwk as jose.JWK, 'EdDSA'), { issuer: t.runtime.issuer.identity.did, subject: wallet.did });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: t.runtime.issuer.identity.verificationMethod });
    expect((payload.vc as Json).credentialSubject.id).toBe(wallet.did);
    const verified = await fetch(`${t.origin}/credentials/verify`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ verifiableCredential: credential }) });
    expect(((await verified.json()) as Json).verified).toBe(true);
  });

  it('a bare jwk holder is bound as its did:jwk, and may take the other form with the same token', async () => {
    const awarded = await award(t);
    const wallet = await createOid4vciWallet('jwk');
    const grant = await wallet.openOffer((await fromClaimPage(awarded.claimUrl)).deepLink);
    const token = await tokenFor(grant, wallet);
    const first = (await (await wallet.requestCredential(grant, token, LDP, await wallet.keyProof(grant, { nonce: await wallet.nonce(grant) }))).json()) as Json;
    expect(first.credentials[0].credential.credentialSubject.id).toBe(wallet.did);
    const second = (await (await wallet.requestCredential(grant, token, JWT, await wallet.keyProof(grant, { nonce: await wallet.nonce(grant) }))).json()) as Json;
    expect(jose.decodeJwt(second.credentials[0].credential).sub).toBe(wallet.did);
    // Another wallet with a stolen token gets nothing.
    const thief = await createOid4vciWallet('jwk');
    const stolen = await thief.requestCredential(grant, token, LDP, await thief.keyProof(grant, { nonce: await thief.nonce(grant) }));
    expect(await oauthError(stolen)).toMatchObject({ error: 'credential_request_denied' });
  });

  it('with a required tx_code: the offer asks for it, the claim page shows it; missing is invalid_request, wrong is invalid_grant, right collects', async () => {
    const awarded = await award(withTx);
    const { deepLink, txCode } = await fromClaimPage(awarded.claimUrl);
    expect(txCode).toMatch(/^\d{6}$/);
    const wallet = await createOid4vciWallet('did:key');
    const grant = await wallet.openOffer(deepLink);
    expect(grant.txCode).toMatchObject({ input_mode: 'numeric', length: 6 });
    expect(JSON.stringify(grant.offer)).not.toContain(txCode!);
    expect(await oauthError(await wallet.requestToken(grant))).toMatchObject({ error: 'invalid_request' });
    const wrongCode = txCode === '000000' ? '111111' : '000000';
    expect(await oauthError(await wallet.requestToken(grant, { txCode: wrongCode }))).toMatchObject({ error: 'invalid_grant', description: expect.stringMatching(/Wrong transaction code/) });
    const { credential } = (await wallet.collect(deepLink, JWT, { txCode })) as { credential: string };
    expect(jose.decodeJwt(credential).sub).toBe(wallet.did);
  });

  it('locks a grant after five wrong transaction codes', async () => {
    const awarded = await award(withTx);
    const { deepLink, txCode } = await fromClaimPage(awarded.claimUrl);
    const wallet = await createOid4vciWallet();
    const grant = await wallet.openOffer(deepLink);
    const wrong = txCode === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await wallet.requestToken(grant, { txCode: wrong });
    expect(await oauthError(await wallet.requestToken(grant, { txCode }))).toMatchObject({ error: 'invalid_grant', description: expect.stringMatching(/locked/) });
  });
});
