// One schema gate for every place that signs an Open Badge (src/credentials/openBadgeSchemaGate.ts).
// The defect it guards: the wallet claim of an email-recipient badge re-issues the badge to the
// wallet's DID, and that re-issue ran the OB 3.0 schema check without the rule the award used,
// so a badge with both status entries (EDUCRED_STATUS_PURPOSES=revocation,suspension) answered
// 500 at the exchange. Now the award and the claim pass the same gate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { openBadgeSchemaProblems } from '../../src/credentials/openBadgeSchemaGate.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { ADMIN_TOKEN, awardBody, createServedInstance, type TestInstance } from '../helpers/app.js';
import { libraryCheckStatus, statusEntries, WITH_SUSPENSION } from '../helpers/status.js';
import { createTestWallet } from '../helpers/wallet.js';

type Json = Record<string, any>;

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function claimIntoWallet(t: TestInstance & { origin: string }, email: string): Promise<{ awarded: Json; delivered: Response; walletDid: string }> {
  const res = await post(`${t.origin}/awards`, awardBody({ recipient: { email, name: 'Ana Lopez' } }), { Authorization: `Bearer ${ADMIN_TOKEN}` });
  expect(res.status).toBe(201);
  const awarded = (await res.json()) as Json;
  const token = new URL(awarded.claimUrl as string).pathname.split('/').at(-1)!;
  const start = await post(`${t.origin}/exchanges/${token}`, {});
  expect(start.status).toBe(200);
  const { verifiablePresentationRequest: vpr } = (await start.json()) as Json;
  const wallet = await createTestWallet();
  const verifiablePresentation = await wallet.authenticate({ challenge: vpr.challenge, domain: vpr.domain });
  return { awarded, delivered: await post(vpr.interact.service[0].serviceEndpoint, { verifiablePresentation }), walletDid: wallet.did };
}

describe('the wallet claim passes the same OB 3.0 schema gate as the award', () => {
  for (const [name, env] of [
    ['by default (one revocation entry)', {}],
    ['with revocation and suspension entries', WITH_SUSPENSION],
  ] as const) {
    describe(name, () => {
      let t: TestInstance & { origin: string };
      beforeAll(async () => {
        t = await createServedInstance({ env });
      });
      afterAll(async () => t.close());

      it('delivers the email-recipient badge bound to the wallet DID (200, not 500), and it verifies', async () => {
        const { awarded, delivered, walletDid } = await claimIntoWallet(t, 'ana.lopez@example.edu');
        expect(delivered.status).toBe(200);
        const credential = ((await delivered.json()) as Json).verifiablePresentation.verifiableCredential[0] as Json;
        expect(credential.credentialSubject.id).toBe(walletDid);
        expect(statusEntries(credential).map((e) => e.statusPurpose)).toEqual(statusEntries(awarded.credential).map((e) => e.statusPurpose));
        expect(statusEntries(credential)).toHaveLength('EDUCRED_STATUS_PURPOSES' in env ? 2 : 1);
        const { proof: _proof, ...unsigned } = credential;
        expect(openBadgeSchemaProblems(unsigned)).toEqual([]);
        const result = await vc.verifyCredential({ credential, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader });
        expect(result.verified, JSON.stringify(result.error)).toBe(true);
      });
    });
  }
});
