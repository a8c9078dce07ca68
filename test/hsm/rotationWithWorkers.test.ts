// Rotation while the signing pool runs (2 workers), for a key file and for a PKCS#11 token key
// (SoftHSM2, `keys rotate --pkcs11`): the running service signs with the new key without a
// restart (workers import a new key file themselves; token signatures are relayed by job), and
// the badges of the old and the new key verify with educred and @digitalbazaar/vc.
import * as vc from '@digitalbazaar/vc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listKeysFromCli, rotateKeyFromCli } from '../../src/cli/keys.js';
import { generateTokenKey } from '../../src/signing/pkcs11.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { createSoftHsm, hasSoftHsm, type SoftHsm } from '../helpers/softhsm.js';
import { libraryCheckStatus } from '../helpers/status.js';

type Json = Record<string, any>;
const DOMAIN = 'badges.rotating-pool.example';

for (const kind of ['key file', 'PKCS#11 token'] as const) {
  describe.skipIf(kind === 'PKCS#11 token' && !hasSoftHsm)(`rotation with signing workers: ${kind}`, () => {
    let hsm: SoftHsm | undefined;
    let t: TestInstance;
    let env: NodeJS.ProcessEnv;
    beforeAll(async () => {
      let tokenEnv: Record<string, string> = {};
      if (kind === 'PKCS#11 token') {
        hsm = createSoftHsm();
        await generateTokenKey({ module: hsm.module, token: hsm.token, pinFile: hsm.pinFile, keyLabel: 'educred-issuer' });
        tokenEnv = hsm.env();
      }
      t = await createTestInstance({ env: { ...tokenEnv, EDUCRED_DID_WEB_DOMAIN: DOMAIN, EDUCRED_SIGNING_WORKERS: '2' } });
      env = { ...tokenEnv, EDUCRED_DATA_DIR: t.dataDir, EDUCRED_DID_WEB_DOMAIN: DOMAIN, BASE_URL: t.config.baseUrl, LOG_LEVEL: 'silent' };
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      hsm?.remove();
    });

    it('the pool signs with the rotated key, and both badges verify', async () => {
      expect(t.runtime.config.signingWorkers).toBe(2);
      const before = ((await (await postJson(t.app, '/awards', awardBody())).json()) as Json).credential;
      const report = await rotateKeyFromCli(kind === 'PKCS#11 token' ? { pkcs11: true, label: 'educred-issuer-2' } : {}, env);
      expect(report.key.location).toEqual(kind === 'PKCS#11 token' ? { pkcs11Label: 'educred-issuer-2' } : { keyFile: expect.stringMatching(/^keys\/issuer-\d{8}T\d{6}Z-\w{8}\.json$/) });
      await t.runtime.issuer.signingKey({ fresh: true });
      const after = ((await (await postJson(t.app, '/awards', awardBody({ achievement: 'aligned-instruction' }))).json()) as Json).credential;
      expect([before.proof].flat()[0].verificationMethod).not.toBe(report.key.id);
      expect([after.proof].flat()[0].verificationMethod).toBe(report.key.id);
      for (const credential of [before, after]) {
        const ours = (await (await postJson(t.app, '/credentials/verify', { verifiableCredential: credential })).json()) as Json;
        expect(ours.verified, JSON.stringify(ours.errors)).toBe(true);
        const library = await vc.verifyCredential({ credential, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader });
        expect(library.verified, JSON.stringify(library.error)).toBe(true);
      }
      const keys = await listKeysFromCli(env);
      expect(keys.map((k) => k.state)).toEqual(['previous', 'current']);
      expect(JSON.stringify(keys)).not.toMatch(/secretKey|pin/i);
    });
  });
}
