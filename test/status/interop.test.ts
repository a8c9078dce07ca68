// An independent verifier sees our revocations: @digitalcredentials/verifier-core (behind the
// Learner Credential Wallet and VerifierPlus) fetches the list from the instance served on
// 127.0.0.1, verifies it and reports the revoked badge as revoked and the suspended one as
// suspended. No request leaves the machine.
import { readFileSync } from 'node:fs';
import { verifyCredential as walletVerify } from '@digitalcredentials/verifier-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from '../../src/credentials/openBadge.js';
import { awardBody, postJson, type TestInstance } from '../helpers/app.js';
import { allowLoopbackOnly, type OfflineFetch } from '../helpers/network.js';
import { createServedStatusInstance } from '../helpers/status.js';

type Json = Record<string, any>;

const pinnedSchema = JSON.parse(readFileSync(new URL('../../contexts/schemas/ob_v3p0_achievementcredential_schema.json', import.meta.url), 'utf8'));

let t: TestInstance & { origin: string };
let offline: OfflineFetch;
beforeAll(async () => {
  offline = allowLoopbackOnly({ [OB_ACHIEVEMENT_CREDENTIAL_SCHEMA]: pinnedSchema });
  t = await createServedStatusInstance();
});
afterAll(async () => {
  await t.close();
  offline.restore();
});

const logEntry = (result: Json, id: string): Json | undefined => (result.log as Json[] | undefined)?.find((e) => e.id === id);

async function award(): Promise<{ id: string; credential: Json }> {
  return (await (await postJson(t.app, '/awards', awardBody())).json()) as { id: string; credential: Json };
}

describe('verifier-core reads our status lists', () => {
  it('reports an active badge as not revoked and not suspended', async () => {
    const { credential } = await award();
    expect(credential.credentialStatus[0].statusListCredential.startsWith(t.origin)).toBe(true);
    const result = (await walletVerify({ credential: credential as any, knownDIDRegistries: [] })) as Json;
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(logEntry(result, 'valid_signature')?.valid).toBe(true);
    expect(logEntry(result, 'revocation_status')).toMatchObject({ valid: true });
    expect(logEntry(result, 'suspension_status')).toMatchObject({ valid: true });
    // Known deviation (src/status/obSchemaStatus.ts): the OB 3.0.x JSON Schema allows one
    // credentialStatus object; two entries (revocation + suspension) are a VC 2.0 set it flags.
    const schemaCheck = (result.additionalInformation as Json[]).find((i) => i.id === 'schema_check');
    // This pins the deviation so that a change (OB 3.1 allowing sets, or one entry) is noticed.
    expect(schemaCheck?.results[0].result.errors).toEqual([expect.objectContaining({ instancePath: '/credentialStatus', message: 'must be object' })]);
  });

  it('reports a revoked badge as revoked once the list is re-published', async () => {
    const { id, credential } = await award();
    expect((await postJson(t.app, `/awards/${id}/revoke`, { reason: 'Awarded in error' })).status).toBe(200);
    const result = (await walletVerify({ credential: credential as any, knownDIDRegistries: [] })) as Json;
    expect(logEntry(result, 'valid_signature')?.valid).toBe(true);
    expect(logEntry(result, 'revocation_status')).toMatchObject({ valid: false });
    expect(logEntry(result, 'suspension_status')).toMatchObject({ valid: true });
    expect(offline.refused).toEqual([]);
  });

  it('reports a suspended badge as suspended', async () => {
    const { id, credential } = await award();
    await postJson(t.app, `/awards/${id}/suspend`, { reason: 'Under review' });
    const result = (await walletVerify({ credential: credential as any, knownDIDRegistries: [] })) as Json;
    expect(logEntry(result, 'suspension_status')).toMatchObject({ valid: false });
    expect(logEntry(result, 'revocation_status')).toMatchObject({ valid: true });
  });
});
