import { describe, it, expect } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { BUILT_IN_FRAMEWORK } from '../src/competencies/framework.js';
import { toAchievement } from '../src/credentials/achievement.js';
import { buildOpenBadgeCredential } from '../src/credentials/openBadge.js';
import { validateAgainstSchema } from '../src/credentials/schema.js';
import { createDocumentLoader } from '../src/signing/documentLoader.js';
import { generateMultikey, importIssuerKey } from '../src/signing/keys.js';
import { issuerIdentity, resolveDidKey } from '../src/signing/did.js';
import { signCredential, createVerifyingSuites } from '../src/signing/suites.js';

describe('smoke', () => {
  for (const suiteName of ['eddsa-rdfc-2022', 'Ed25519Signature2020'] as const) {
    it(suiteName, async () => {
      const key = await importIssuerKey(await generateMultikey());
      const ident = issuerIdentity(key.publicKeyMultibase);
      const ach = toAchievement('http://localhost:3000', BUILT_IN_FRAMEWORK, BUILT_IN_FRAMEWORK.competencies[0]!);
      const cred = buildOpenBadgeCredential({
        credentialId: 'http://localhost:3000/credentials/1', issuer: { id: ident.did, type: ['Profile'], name: 'X' },
        achievement: ach, recipient: { kind: 'email', email: 'a@b.org', salt: 'abc', name: 'Ann' },
        observations: [{ kind: 'observation', date: '2026-03-01', observer: 'Obs', level: 'proficient' }],
        achievedLevel: 'proficient', validFrom: '2026-03-01T00:00:00Z', awardedDate: '2026-03-01T00:00:00Z',
      });
      const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey });
      const t0 = performance.now();
      let signed: any; try { signed = await signCredential(cred, { suite: suiteName, signer: key.signerFor(ident.verificationMethod), documentLoader }); } catch (e: any) { console.log(JSON.stringify(e.details ?? e).slice(0, 1500)); throw e; }
      console.log(suiteName, performance.now() - t0, JSON.stringify(signed).slice(0, 300));
      console.log(validateAgainstSchema('https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json', signed));
      const r = await vc.verifyCredential({ credential: signed, suite: createVerifyingSuites(), documentLoader });
      console.log(JSON.stringify(r.error ?? r.verified).slice(0, 800));
      expect(r.verified).toBe(true);
    });
  }
});
