// A state agency endorses a program (POST /endorsements); the program holds the endorsement and
// embeds it in every badge, which still signs in safe mode, fits the 1EdTech schemas and verifies.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from '../../src/credentials/openBadge.js';
import { OB_ENDORSEMENT_CREDENTIAL_SCHEMA, validateAgainstSchema } from '../../src/credentials/schema.js';
import { createDocumentLoader } from '../../src/signing/documentLoader.js';
import { resolveDidKey } from '../../src/signing/did.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { libraryCheckStatus } from '../helpers/status.js';

type Json = Record<string, any>;
const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey });
// The program's badges carry its status entries: the library needs a status check for them.
const verify = (credential: Json, issuedBy?: TestInstance) =>
  vc.verifyCredential({ credential, suite: createVerifyingSuites(), documentLoader, ...(issuedBy ? { checkStatus: libraryCheckStatus(issuedBy) } : {}) });

let agency: TestInstance;
let program: TestInstance;
let endorsement: Json;

beforeAll(async () => {
  agency = await createTestInstance({ env: { EDUCRED_ISSUER_NAME: 'State A Department of Education' } });
  const programKeyDir = mkdtempSync(path.join(tmpdir(), 'educred-program-'));
  // The program's DID is needed before the agency can endorse it: start it once without endorsements.
  const bare = await createTestInstance({ env: { EDUCRED_DATA_DIR: programKeyDir, EDUCRED_ISSUER_NAME: 'Riverside Teacher Residency' } });
  const programDid = bare.runtime.issuer.identity.did;
  await bare.runtime.store.close();

  const res = await postJson(agency.app, '/endorsements', {
    issuer: programDid,
    issuerName: 'Riverside Teacher Residency',
    comment: 'Approved educator preparation program, 2026-2031 review cycle.',
    validUntil: '2031-06-30T00:00:00Z',
  });
  expect(res.status).toBe(201);
  endorsement = ((await res.json()) as Json).credential;

  const heldDir = mkdtempSync(path.join(tmpdir(), 'educred-held-'));
  writeFileSync(path.join(heldDir, 'state-a.json'), JSON.stringify(endorsement));
  program = await createTestInstance({
    env: { EDUCRED_DATA_DIR: programKeyDir, EDUCRED_ISSUER_NAME: 'Riverside Teacher Residency', EDUCRED_ENDORSEMENTS_DIR: heldDir },
  });
});
afterAll(async () => {
  await agency.close();
  await program.close();
});

describe('endorsements for reciprocity', () => {
  it('the agency signs an OB 3.0 EndorsementCredential about the program DID', async () => {
    expect(endorsement.type).toEqual(['VerifiableCredential', 'EndorsementCredential']);
    expect(endorsement.issuer.id).toBe(agency.runtime.issuer.identity.did);
    expect(endorsement.credentialSubject).toMatchObject({ id: program.runtime.issuer.identity.did, type: ['EndorsementSubject'] });
    expect(validateAgainstSchema(OB_ENDORSEMENT_CREDENTIAL_SCHEMA, endorsement)).toEqual({ valid: true, problems: [] });
    expect((await verify(endorsement)).verified).toBe(true);
  });

  it('the program embeds it in the issuer profile of every badge, which verifies and fits the schema', async () => {
    const { credential } = (await (await postJson(program.app, '/awards', awardBody())).json()) as Json;
    expect(credential.issuer.endorsement).toEqual([endorsement]);
    expect(validateAgainstSchema(OB_ACHIEVEMENT_CREDENTIAL_SCHEMA, credential)).toEqual({ valid: true, problems: [] });
    expect((await verify(credential, program)).verified).toBe(true);
  });

  it('refuses a malformed request and self-endorsement with a 400 problem', async () => {
    expect((await postJson(agency.app, '/endorsements', { issuer: 'not-a-did' })).status).toBe(400);
    const self = await postJson(agency.app, '/endorsements', { issuer: agency.runtime.issuer.identity.did });
    expect(self.status).toBe(400);
    expect(((await self.json()) as Json).detail).toMatch(/cannot endorse itself/);
  });

  it('a held endorsement about another issuer stops the program at start-up', async () => {
    const heldDir = mkdtempSync(path.join(tmpdir(), 'educred-held-'));
    writeFileSync(path.join(heldDir, 'wrong.json'), JSON.stringify({ ...endorsement, credentialSubject: { ...endorsement.credentialSubject, id: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH' } }));
    await expect(createTestInstance({ env: { EDUCRED_ENDORSEMENTS_DIR: heldDir } })).rejects.toThrow(/not this issuer/);
  });
});
