// The issuer key in a PKCS#11 token (SoftHSM2): the private key is generated in the token and
// can never leave it; a token, PIN or key that is not as configured stops the start with a
// message; badges signed through the token, in this thread and through the signing pool's
// workers, verify with @digitalbazaar/vc and @digitalcredentials/verifier-core.
import { readFileSync, chmodSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { verifyCredential as walletVerify } from '@digitalcredentials/verifier-core';
import pkcs11js from 'pkcs11js';
import { ConfigError, loadConfig, PROOF_SUITES, type Pkcs11Config } from '../../src/config.js';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from '../../src/credentials/openBadge.js';
import { CKK_EC_EDWARDS, CKM_EC_EDWARDS_KEY_PAIR_GEN, generateTokenKey, openPkcs11KeyProvider, type Pkcs11KeyProvider } from '../../src/signing/pkcs11.js';
import { MAX_SESSIONS, openPkcs11Token, Pkcs11TokenError } from '../../src/signing/pkcs11Token.js';
import { createSigningPool, withSigningPool } from '../../src/signing/signingPool.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { allowLoopbackOnly, type OfflineFetch } from '../helpers/network.js';
import { createSoftHsm, hasSoftHsm, mustHaveSoftHsm, SOFTHSM_SKIP_REASON, type SoftHsm } from '../helpers/softhsm.js';
import { libraryCheckStatus } from '../helpers/status.js';

type Json = Record<string, any>;

if (!hasSoftHsm && !mustHaveSoftHsm) console.warn(SOFTHSM_SKIP_REASON);

it.runIf(mustHaveSoftHsm)('CI has SoftHSM2 (.ci/run installs softhsm2)', () => {
  expect(hasSoftHsm, SOFTHSM_SKIP_REASON).toBe(true);
});

describe.skipIf(!hasSoftHsm)('the issuer key in a PKCS#11 token (SoftHSM2)', () => {
  let hsm: SoftHsm;
  let pkcs11: Pkcs11Config;
  const pinnedSchema = JSON.parse(readFileSync(new URL('../../contexts/schemas/ob_v3p0_achievementcredential_schema.json', import.meta.url), 'utf8'));
  let offline: OfflineFetch;

  beforeAll(async () => {
    hsm = createSoftHsm();
    pkcs11 = { module: hsm.module, token: hsm.token, pinFile: hsm.pinFile, keyLabel: 'educred-issuer' };
    await generateTokenKey(pkcs11);
    offline = allowLoopbackOnly({ [OB_ACHIEVEMENT_CREDENTIAL_SCHEMA]: pinnedSchema });
  });
  afterAll(() => {
    offline.restore();
    hsm.remove();
  });

  /** Reads attributes of the private key labelled `label` straight through pkcs11js, as an attacker with the PIN would. */
  async function privateKeyAttributes<T>(label: string, read: (p: InstanceType<typeof pkcs11js.PKCS11>, session: Buffer, key: Buffer) => T): Promise<T> {
    const token = openPkcs11Token(pkcs11);
    try {
      return await token.withSession((session) => {
        token.pkcs11.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_LABEL, value: label }]);
        const [key] = token.pkcs11.C_FindObjects(session, 1);
        token.pkcs11.C_FindObjectsFinal(session);
        if (!key) throw new Error(`no key ${label}`);
        return read(token.pkcs11, session, key);
      });
    } finally {
      await token.close();
    }
  }

  describe('the private key never leaves the token', () => {
    it('is generated sensitive, not extractable, and has always been so', async () => {
      const flags = await privateKeyAttributes('educred-issuer', (p, session, key) =>
        p.C_GetAttributeValue(session, key, [
          { type: pkcs11js.CKA_EXTRACTABLE },
          { type: pkcs11js.CKA_SENSITIVE },
          { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
          { type: pkcs11js.CKA_ALWAYS_SENSITIVE },
          { type: pkcs11js.CKA_TOKEN },
        ]).map((a) => a.value[0]),
      );
      expect(flags).toEqual([0, 1, 1, 1, 1]);
    });

    it('refuses to reveal its value (CKR_ATTRIBUTE_SENSITIVE)', async () => {
      const read = privateKeyAttributes('educred-issuer', (p, session, key) => p.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_VALUE }]));
      await expect(read).rejects.toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
    });

    it('is refused for wrapping out of the token (C_WrapKey)', async () => {
      const wrap = privateKeyAttributes('educred-issuer', (p, session, key) => {
        const wrappingKey = p.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
          { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
          { type: pkcs11js.CKA_WRAP, value: true },
          { type: pkcs11js.CKA_TOKEN, value: false },
        ]);
        return p.C_WrapKey(session, { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD }, wrappingKey, key, Buffer.alloc(256));
      });
      await expect(wrap).rejects.toThrow(/CKR_KEY_UNEXTRACTABLE|CKR_KEY_NOT_WRAPPABLE/);
    });

    it('educred refuses to sign with a key that could be extracted', async () => {
      const token = openPkcs11Token(pkcs11);
      await token.withSession((session) => {
        const common = [
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_LABEL, value: 'exportable' },
          { type: pkcs11js.CKA_ID, value: Buffer.from('e1') },
          { type: pkcs11js.CKA_KEY_TYPE, value: CKK_EC_EDWARDS },
        ];
        token.pkcs11.C_GenerateKeyPair(session, { mechanism: CKM_EC_EDWARDS_KEY_PAIR_GEN }, [...common, { type: pkcs11js.CKA_EC_PARAMS, value: Buffer.from('06032b6570', 'hex') }], [
          ...common,
          { type: pkcs11js.CKA_PRIVATE, value: true },
          { type: pkcs11js.CKA_SENSITIVE, value: false },
          { type: pkcs11js.CKA_EXTRACTABLE, value: true },
          { type: pkcs11js.CKA_SIGN, value: true },
        ]);
      });
      await token.close();
      const open = openPkcs11KeyProvider({ ...pkcs11, keyLabel: 'exportable' });
      await expect(open).rejects.toThrow(Pkcs11TokenError);
      await expect(openPkcs11KeyProvider({ ...pkcs11, keyLabel: 'exportable' })).rejects.toThrow(/'exportable'.*extractable.*cannot leave the token/);
    });
  });

  describe('a token that is not as configured stops the start, saying why', () => {
    it('no token with that label: names the tokens present', async () => {
      await expect(openPkcs11KeyProvider({ ...pkcs11, token: 'no-such-token' })).rejects.toThrow(/No PKCS#11 token labelled 'no-such-token'.*'educred-test'/);
    });

    it('a wrong PIN: the login fails', async () => {
      const { writeFileSync, mkdtempSync } = await import('node:fs');
      const dir = mkdtempSync(`${hsm.conf}-pin-`);
      const wrong = `${dir}/pin`;
      writeFileSync(wrong, '00000000\n', { mode: 0o600 });
      await expect(openPkcs11KeyProvider({ ...pkcs11, pinFile: wrong })).rejects.toThrow(/Cannot log in to the PKCS#11 token 'educred-test': CKR_PIN_INCORRECT/);
    });

    it('a PIN file others can read is refused before it is read', async () => {
      chmodSync(hsm.pinFile, 0o644);
      try {
        await expect(openPkcs11KeyProvider(pkcs11)).rejects.toThrow(/PIN file .* readable by other users/);
      } finally {
        chmodSync(hsm.pinFile, 0o600);
      }
    });

    it('no key with that label: says how to make one', async () => {
      await expect(openPkcs11KeyProvider({ ...pkcs11, keyLabel: 'missing' })).rejects.toThrow(/no private key labelled 'missing'.*educred keys generate --pkcs11/);
    });

    it('generating a second key under a label in use is refused', async () => {
      await expect(generateTokenKey(pkcs11)).rejects.toThrow(/already holds a key labelled 'educred-issuer'/);
    });

    it('the three settings go together', () => {
      expect(() => loadConfig({ EDUCRED_PKCS11_MODULE: hsm.module })).toThrow(ConfigError);
      expect(() => loadConfig({ EDUCRED_PKCS11_MODULE: hsm.module, EDUCRED_PKCS11_TOKEN: 't' })).toThrow(/EDUCRED_PKCS11_PIN_FILE/);
      expect(loadConfig(hsm.env()).pkcs11).toEqual(pkcs11);
    });
  });

  describe('signing through the token', () => {
    let provider: Pkcs11KeyProvider;
    beforeAll(async () => {
      provider = await openPkcs11KeyProvider(pkcs11);
    });
    afterAll(async () => provider.close());

    it('signs RFC 8032 PureEdDSA: node:crypto verifies the signature with the token public key', async () => {
      const { createPublicKey, verify } = await import('node:crypto');
      const Ed25519Multikey = await import('@digitalbazaar/ed25519-multikey');
      const keyPair = await Ed25519Multikey.from({ '@context': 'https://w3id.org/security/multikey/v1', type: 'Multikey', publicKeyMultibase: provider.publicKeyMultibase });
      const { x } = await Ed25519Multikey.toJwk({ keyPair });
      const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: x as string }, format: 'jwk' });
      const message = new TextEncoder().encode('a message of any length, signed whole');
      const signatures = await Promise.all([provider.sign(message), provider.sign(message), provider.sign(message)]);
      for (const signature of signatures) {
        expect(signature.length).toBe(64);
        expect(verify(null, message, publicKey, signature)).toBe(true);
      }
      // Ed25519 is deterministic: concurrent sessions give the same signature.
      expect(new Set(signatures.map((s) => Buffer.from(s).toString('hex'))).size).toBe(1);
      expect(verify(null, new TextEncoder().encode('another message'), publicKey, signatures[0] as Uint8Array)).toBe(false);
    });

    it(`signs ${MAX_SESSIONS * 5} messages at once on at most ${MAX_SESSIONS} sessions, each signature right`, async () => {
      const { createPublicKey, verify } = await import('node:crypto');
      const Ed25519Multikey = await import('@digitalbazaar/ed25519-multikey');
      const keyPair = await Ed25519Multikey.from({ '@context': 'https://w3id.org/security/multikey/v1', type: 'Multikey', publicKeyMultibase: provider.publicKeyMultibase });
      const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: (await Ed25519Multikey.toJwk({ keyPair })).x as string }, format: 'jwk' });
      const messages = Array.from({ length: MAX_SESSIONS * 5 }, (_, i) => new TextEncoder().encode(`message ${i}`));
      const signatures = await Promise.all(messages.map((m) => provider.sign(m)));
      signatures.forEach((signature, i) => expect(verify(null, messages[i] as Uint8Array, publicKey, signature)).toBe(true));
    });

    it('names the key by its RFC 7512 URI, never by a secret', () => {
      expect(provider.keyId).toBe('pkcs11:token=educred-test;object=educred-issuer');
      expect(provider.workerKey).toEqual({ kind: 'main-thread' });
    });
  });

  for (const workers of ['0', '2']) {
    describe(`badges signed through the token (${workers === '0' ? 'on the main thread' : 'by 2 signing workers, relayed to the token'})`, () => {
      let t: TestInstance;
      let credential: Json;
      beforeAll(async () => {
        t = await createTestInstance({ env: { ...hsm.env(), EDUCRED_SIGNING_WORKERS: workers } });
        const res = await postJson(t.app, '/awards', awardBody());
        expect(res.status).toBe(201);
        credential = ((await res.json()) as Json).credential;
      });
      afterAll(async () => t.close());

      it('the issuer is the token key', () => {
        expect(t.runtime.issuer.key.keyId).toBe('pkcs11:token=educred-test;object=educred-issuer');
        expect(t.runtime.issuer.identity.verificationMethod).toBe(`did:key:${t.runtime.issuer.key.publicKeyMultibase}#${t.runtime.issuer.key.publicKeyMultibase}`);
        expect(credential.proof[0].verificationMethod).toBe(t.runtime.issuer.identity.verificationMethod);
      });

      it('verifies with @digitalbazaar/vc', async () => {
        const result = await vc.verifyCredential({ credential, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader });
        expect(result.verified, JSON.stringify(result.error)).toBe(true);
      });

      it('verifies with @digitalcredentials/verifier-core', async () => {
        const result = (await walletVerify({ credential: credential as any, knownDIDRegistries: [] })) as Json;
        expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
        expect((result.log as Json[]).find((e) => e.id === 'valid_signature')?.valid).toBe(true);
      });

      it('a changed badge fails both verifiers', async () => {
        const tampered = structuredClone(credential);
        tampered.credentialSubject.achievement.name = 'Something else';
        const ours = await vc.verifyCredential({ credential: tampered, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader });
        expect(ours.verified).toBe(false);
        const theirs = (await walletVerify({ credential: tampered as any, knownDIDRegistries: [] })) as Json;
        expect((theirs.log as Json[] | undefined)?.find((e) => e.id === 'valid_signature')?.valid).not.toBe(true);
      });

      it('educred verifies it too, and a revocation is signed through the token', async () => {
        const verify = await postJson(t.app, '/credentials/verify', { verifiableCredential: credential });
        expect(verify.status).toBe(200);
        const revoke = await postJson(t.app, `/awards/${String(credential.id).split('/').pop()}/revoke`, { reason: 'test' });
        expect(revoke.status).toBe(200);
        const after = await postJson(t.app, '/credentials/verify', { verifiableCredential: credential });
        expect(((await after.json()) as Json).errors[0].code).toBe('revoked');
      });
    });
  }

  it.each(PROOF_SUITES)('the signing pool relays %s proofs to the token, byte-identical to main-thread signing', async (suite) => {
    const t = await createTestInstance({ env: hsm.env() });
    const pool = createSigningPool({ key: t.runtime.issuer.key, verificationMethod: t.runtime.issuer.identity.verificationMethod, suite, size: 2 });
    try {
      const { credential } = (await (await postJson(t.app, '/awards', awardBody())).json()) as { credential: Json };
      const { proof: _proof, ...unsigned } = credential;
      const created = new Date('2026-04-01T12:00:00Z');
      const pooled = await withSigningPool(t.runtime.issuer, pool).sign(unsigned, { suite, created });
      expect(pooled).toEqual(await t.runtime.issuer.sign(unsigned, { suite, created }));
      const result = await vc.verifyCredential({ credential: pooled, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader });
      expect(result.verified).toBe(true);
    } finally {
      await pool.close();
      await t.close();
    }
  });
});
