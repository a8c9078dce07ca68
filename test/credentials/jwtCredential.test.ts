// JWT-secured badges (OB 3.0 §8.2, OID4VCI 1.0 A.1.1 jwt_vc_json): signed with the issuer's
// Ed25519 key, verified by educred's pipeline with the same report as a Data Integrity badge,
// and by `jose` alone (an independent JOSE implementation) with the key from the did:key.
// The refusals: another key, a changed payload, claims that contradict the credential, an
// algorithm not accepted, an unknown kid. JWT presentations for OID4VP are checked too.
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { decodeJwt, issuerJwtSigner, signJwtCredential, verifyJwtPresentation } from '../../src/credentials/jwtCredential.js';
import { didJwkOf, resolveDidJwk } from '../../src/signing/didJwk.js';
import { createDocumentLoader } from '../../src/signing/documentLoader.js';
import { resolveDidKey } from '../../src/signing/did.js';

type Json = Record<string, any>;
let t: TestInstance;
let credential: Json;
let jwt: string;

const unsigned = ({ proof: _p, ...rest }: Json): Json => rest;
const verify = async (verifiableCredential: unknown) => {
  const res = await postJson(t.app, '/credentials/verify', { verifiableCredential }, { Authorization: '' });
  return { status: res.status, body: (await res.json()) as Json };
};
const check = (body: Json, name: string): Json | undefined => (body.report.checks as Json[]).find((c) => c.check === name);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** Signs header.payload with a raw Ed25519 key, to build JWTs the issuer never made. */
const rawSign = (header: Json, payload: Json, privateKey: Parameters<typeof cryptoSign>[2]) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${cryptoSign(null, Buffer.from(input), privateKey).toString('base64url')}`;
};

beforeAll(async () => {
  t = await createTestInstance();
  const awarded = (await (await postJson(t.app, '/awards', awardBody())).json()) as Json;
  credential = awarded.credential;
  jwt = await signJwtCredential(unsigned(credential), issuerJwtSigner(t.runtime.issuer));
});
afterAll(async () => t.close());

describe('JWT-secured Open Badges', () => {
  it('puts the credential in the vc claim with registered claims that repeat it, EdDSA, kid = verification method', () => {
    const { header, payload } = decodeJwt(jwt);
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: t.runtime.issuer.identity.verificationMethod });
    expect(payload.vc).toEqual(unsigned(credential));
    expect(payload.iss).toBe(t.runtime.issuer.identity.did);
    expect(payload.jti).toBe(credential.id);
    expect(payload.sub).toBe(credential.credentialSubject.id);
    expect(payload.nbf).toBe(Math.floor(Date.parse(credential.validFrom) / 1000));
  });

  it('verifies with jose alone, with the public key the issuer DID names', async () => {
    const method = await resolveDidKey(t.runtime.issuer.identity.verificationMethod);
    const keyPair = await Ed25519Multikey.from(method as never);
    const jwk = await Ed25519Multikey.toJwk({ keyPair });
    const { payload, protectedHeader } = await jose.jwtVerify(jwt, await jose.importJWK(jwk as jose.JWK, 'EdDSA'), { algorithms: ['EdDSA'], issuer: t.runtime.issuer.identity.did });
    expect(protectedHeader.kid).toBe(t.runtime.issuer.identity.verificationMethod);
    expect((payload.vc as Json).id).toBe(credential.id);
  });

  it('verifies through POST /credentials/verify with the same report as the Data Integrity badge', async () => {
    const { status, body } = await verify(jwt);
    expect(status).toBe(200);
    expect(body.verified).toBe(true);
    expect(body.checks).toEqual(['structure', 'schema', 'proof', 'issuer', 'dates', 'status']);
    expect(check(body, 'proof')!.reason).toMatch(/^Signature valid: JWT \(EdDSA\) by did:key:/);
    expect(check(body, 'structure')!.reason).toMatch(/secured as a JWT/);
    expect(body.report.summary.id).toBe(credential.id);
    // The enveloped form of VC 2.0 §4.13 too.
    const enveloped = await verify({ '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['EnvelopedVerifiableCredential'], id: `data:application/vc+jwt,${jwt}` });
    expect(enveloped.body.verified).toBe(true);
  });

  it('reports a revoked JWT badge as revoked (the status entries are the award\'s own)', async () => {
    const awarded = (await (await postJson(t.app, '/awards', awardBody({ achievement: 'formative-assessment', recipient: { email: 'revoked-jwt@example.edu', name: 'R' } }))).json()) as Json;
    const token = await signJwtCredential(unsigned(awarded.credential), issuerJwtSigner(t.runtime.issuer));
    expect((await verify(token)).body.verified).toBe(true);
    const revoked = await postJson(t.app, `/awards/${awarded.id}/revoke`, { reason: 'test' });
    expect(revoked.status).toBeLessThan(300);
    const after = await verify(token);
    expect(after.status).toBe(400);
    expect(check(after.body, 'status')!.code).toBe('revoked');
  });

  it('refuses a JWT signed by another key under the issuer kid', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const { header, payload } = decodeJwt(jwt);
    const { status, body } = await verify(rawSign(header, payload, privateKey));
    expect(status).toBe(400);
    expect(check(body, 'proof')).toMatchObject({ passed: false, code: 'signature_invalid' });
  });

  it('refuses a changed payload, a contradicting claim, an unaccepted algorithm and a missing kid', async () => {
    const [h, , s] = jwt.split('.');
    const { payload, header } = decodeJwt(jwt);
    const changed = { ...payload, vc: { ...(payload.vc as Json), name: 'Something else' } };
    expect(check((await verify(`${h}.${b64(changed)}.${s}`)).body, 'proof')!.code).toBe('signature_invalid');

    const liar = await signJwtCredential(unsigned(credential), issuerJwtSigner(t.runtime.issuer));
    // Re-sign a payload whose sub names someone else, with the issuer's own key.
    const lying = { ...decodeJwt(liar).payload, sub: 'did:example:someone-else' };
    const input = `${b64(header)}.${b64(lying)}`;
    const sig = Buffer.from(await t.runtime.issuer.key.sign(Buffer.from(input))).toString('base64url');
    expect(check((await verify(`${input}.${sig}`)).body, 'proof')!.code).toBe('jwt_claims_mismatch');

    expect(check((await verify(`${b64({ ...header, alg: 'none' })}.${b64(payload)}.${s}`)).body, 'proof')!.code).toBe('proof_unsupported');
    expect(check((await verify(`${b64({ alg: 'EdDSA' })}.${b64(payload)}.${s}`)).body, 'proof')!.code).toBe('key_not_found');
    expect(check((await verify('eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.AAAA')).body, 'structure')!.code).toBe('jwt_malformed');
  });

  it('refuses a badge signed by a key the issuer does not control (did:jwk signer, issuer claims another DID)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const did = didJwkOf(publicKey.export({ format: 'jwk' }) as never);
    const { payload } = decodeJwt(jwt);
    const { body } = await verify(rawSign({ alg: 'EdDSA', typ: 'JWT', kid: `${did}#0` }, payload, privateKey));
    expect(check(body, 'proof')!.passed).toBe(true);
    expect(check(body, 'issuer')).toMatchObject({ passed: false, code: 'issuer_key_mismatch' });
    expect(body.verified).toBe(false);
  });

  it('verifies a pasted JWT on the verify page', async () => {
    const form = new FormData();
    form.set('document', jwt);
    const res = await t.app.request('/verify', { method: 'POST', body: form, headers: { Accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Signature valid: JWT \(EdDSA\)/);
  });
});

describe('did:jwk and JWT presentations', () => {
  it('resolves a did:jwk offline, Ed25519 as a Multikey, and refuses one with private material', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const did = didJwkOf(publicKey.export({ format: 'jwk' }) as never);
    const doc = (await resolveDidJwk(did)) as Json;
    expect(doc.id).toBe(did);
    expect(doc.verificationMethod[0]).toMatchObject({ id: `${did}#0`, type: 'Multikey', controller: did });
    expect(doc.authentication).toEqual([`${did}#0`]);
    const withSecret = `did:jwk:${Buffer.from(JSON.stringify(privateKey.export({ format: 'jwk' }))).toString('base64url')}`;
    await expect(resolveDidJwk(withSecret)).rejects.toThrow(/private key material/);
  });

  it('verifies a JWT presentation by its holder (audience, nonce) and refuses a replay or another audience', async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair('ES256');
    const did = didJwkOf((await jose.exportJWK(publicKey)) as never);
    const loader = createDocumentLoader({ resolveDid: (url) => (url.startsWith('did:jwk:') ? resolveDidJwk(url) : resolveDidKey(url)) });
    const vpJwt = await new jose.SignJWT({ vp: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], holder: did, verifiableCredential: [jwt] }, nonce: 'n-1' })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: `${did}#0` })
      .setIssuer(did)
      .setAudience('https://verifier.example')
      .setIssuedAt()
      .sign(privateKey);
    const ok = await verifyJwtPresentation(vpJwt, { documentLoader: loader, audience: 'https://verifier.example', nonce: 'n-1' });
    expect(ok).toMatchObject({ ok: true, holder: did, credentials: [jwt] });
    expect(await verifyJwtPresentation(vpJwt, { documentLoader: loader, audience: 'https://verifier.example', nonce: 'n-2' })).toMatchObject({ ok: false, code: 'challenge_mismatch' });
    expect(await verifyJwtPresentation(vpJwt, { documentLoader: loader, audience: 'https://elsewhere.example', nonce: 'n-1' })).toMatchObject({ ok: false, code: 'domain_mismatch' });
    const other = await jose.generateKeyPair('ES256');
    const forged = await new jose.SignJWT({ vp: { type: ['VerifiablePresentation'], holder: did }, nonce: 'n-1' }).setProtectedHeader({ alg: 'ES256', kid: `${did}#0` }).setAudience('https://verifier.example').sign(other.privateKey);
    expect(await verifyJwtPresentation(forged, { documentLoader: loader, audience: 'https://verifier.example', nonce: 'n-1' })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });
});
