// An independent verifier sees our revocations: @digitalcredentials/verifier-core (behind the
// Learner Credential Wallet and VerifierPlus) fetches the list from the instance served on
// 127.0.0.1, verifies it and reports the revoked badge as revoked and the suspended one as
// suspended. No request leaves the machine.
import { readFileSync } from 'node:fs';
import { verifyCredential as walletVerify } from '@digitalcredentials/verifier-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from '../../src/credentials/openBadge.js';
import { awardBody, postJson, type TestInstance, createServedInstance } from '../helpers/app.js';
import { allowLoopbackOnly, type OfflineFetch } from '../helpers/network.js';
import { statusEntries, WITH_SUSPENSION } from '../helpers/status.js';

type Json = Record<string, any>;

const pinnedSchema = JSON.parse(readFileSync(new URL('../../contexts/schemas/ob_v3p0_achievementcredential_schema.json', import.meta.url), 'utf8'));

let t: TestInstance & { origin: string };
let suspending: TestInstance & { origin: string };
let offline: OfflineFetch;
beforeAll(async () => {
  offline = allowLoopbackOnly({ [OB_ACHIEVEMENT_CREDENTIAL_SCHEMA]: pinnedSchema });
  t = await createServedInstance();
  // An issuer that chose suspendable badges: two status entries (EDUCRED_STATUS_PURPOSES).
  suspending = await createServedInstance({ env: WITH_SUSPENSION });
});
afterAll(async () => {
  await t.close();
  await suspending.close();
  offline.restore();
});

const logEntry = (result: Json, id: string): Json | undefined => (result.log as Json[] | undefined)?.find((e) => e.id === id);
const schemaResult = (result: Json): Json | undefined => (result.additionalInformation as Json[]).find((i) => i.id === 'schema_check')?.results[0].result;

async function award(instance: TestInstance = t): Promise<{ id: string; credential: Json }> {
  return (await (await postJson(instance.app, '/awards', awardBody())).json()) as { id: string; credential: Json };
}

describe('verifier-core reads our status lists', () => {
  it('reports a default badge (one revocation entry) as not revoked, and finds no schema problem at all', async () => {
    const { credential } = await award();
    expect(Array.isArray(credential.credentialStatus)).toBe(false);
    expect(credential.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
    expect(credential.credentialStatus.statusListCredential.startsWith(t.origin)).toBe(true);
    const result = (await walletVerify({ credential: credential as any, knownDIDRegistries: [] })) as Json;
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(logEntry(result, 'valid_signature')?.valid).toBe(true);
    expect(logEntry(result, 'revocation_status')).toMatchObject({ valid: true });
    expect(logEntry(result, 'suspension_status')).toBeUndefined();
    // The badge fits the 1EdTech schema it cites in credentialSchema, as verifier-core checks it.
    expect(schemaResult(result)).toEqual({ valid: true });
  });

  it('reports a revoked badge as revoked once the list is re-published', async () => {
    const { id, credential } = await award();
    expect((await postJson(t.app, `/awards/${id}/revoke`, { reason: 'Awarded in error' })).status).toBe(200);
    const result = (await walletVerify({ credential: credential as any, knownDIDRegistries: [] })) as Json;
    expect(logEntry(result, 'valid_signature')?.valid).toBe(true);
    expect(logEntry(result, 'revocation_status')).toMatchObject({ valid: false });
    expect(offline.refused).toEqual([]);
  });

  it('reports a suspended badge as suspended (an issuer with revocation,suspension)', async () => {
    const { id, credential } = await award(suspending);
    expect(statusEntries(credential).map((e) => e.statusPurpose)).toEqual(['revocation', 'suspension']);
    await postJson(suspending.app, `/awards/${id}/suspend`, { reason: 'Under review' });
    const result = (await walletVerify({ credential: credential as any, knownDIDRegistries: [] })) as Json;
    expect(logEntry(result, 'suspension_status')).toMatchObject({ valid: false });
    expect(logEntry(result, 'revocation_status')).toMatchObject({ valid: true });
    // The documented deviation of this choice (src/credentials/openBadgeSchemaGate.ts): OB 3.0.x
    // allows one credentialStatus object, and two entries are a VC 2.0 set its schema flags.
    expect(schemaResult(result)).toMatchObject({ valid: false, errors: [expect.objectContaining({ instancePath: '/credentialStatus', message: 'must be object' })] });
  });
});
