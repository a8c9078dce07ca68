// Our status check in verification, one test per MUST it guards: a list smaller than the spec's
// minimum, a tampered list, a list signed by another issuer, an expired list, a list for another
// purpose and an unreachable list are all refused with a reason; verified lists are reused for
// their ttl and fetched again after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStatusListCredential } from '../../src/status/statusListCredential.js';
import { createBitstring, encodeStatusList, MIN_STATUS_LIST_LENGTH, setBit } from '../../src/status/bitstring.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { checkerFor, statusEntries } from '../helpers/status.js';

type Json = Record<string, any>;

let t: TestInstance;
let other: TestInstance;
let credential: Json;
let revocation: Json;
beforeAll(async () => {
  t = await createTestInstance();
  other = await createTestInstance();
  const res = await postJson(t.app, '/awards', awardBody());
  credential = ((await res.json()) as Json).credential;
  revocation = statusEntries(credential).find((e) => e.statusPurpose === 'revocation')!;
});
afterAll(async () => {
  await t.close();
  await other.close();
});

/** A list credential at the revocation entry's URL, signed by `signer`, with our index set. */
async function listFixture(options: { size?: number; issuer?: string; signer?: TestInstance; purpose?: 'revocation' | 'suspension'; validUntil?: string } = {}): Promise<Json> {
  const bits = createBitstring(options.size ?? MIN_STATUS_LIST_LENGTH);
  const index = Number(revocation.statusListIndex);
  if (index < bits.length * 8) setBit(bits, index, true);
  const signer = options.signer ?? t;
  const unsigned = buildStatusListCredential({
    listUrl: revocation.statusListCredential,
    issuer: options.issuer ?? signer.runtime.issuer.identity.did,
    purpose: options.purpose ?? 'revocation',
    bits,
    validFrom: new Date(Date.now() - 60_000),
    ttlMs: 300_000,
  });
  if (options.validUntil) unsigned.validUntil = options.validUntil;
  return signer.runtime.issuer.sign(unsigned);
}

async function revocationResult(documents: Record<string, unknown>) {
  const results = await checkerFor(t, documents).check(credential);
  return results.find((r) => r.purpose === 'revocation')!;
}

describe('status check: lists that must be refused', () => {
  it('accepts a well-formed list of our issuer and reads the bit (control for the cases below)', async () => {
    expect(await revocationResult({ [revocation.statusListCredential]: await listFixture() })).toMatchObject({ set: true, ok: false, reason: 'revoked' });
  });

  it('should refuse a list smaller than the spec minimum of 131,072 entries, even when properly signed', async () => {
    const result = await revocationResult({ [revocation.statusListCredential]: await listFixture({ size: 8192 }) });
    expect(result).toMatchObject({ ok: false, set: false, code: 'status_list_too_small' });
    expect(result.reason).toMatch(/8192 entries.*131072/);
  });

  it('should refuse a tampered list (a revocation bit cleared after signing)', async () => {
    const list = await listFixture();
    list.credentialSubject.encodedList = encodeStatusList(createBitstring(MIN_STATUS_LIST_LENGTH));
    const result = await revocationResult({ [revocation.statusListCredential]: list });
    expect(result).toMatchObject({ ok: false, code: 'status_list_signature_invalid' });
    expect(result.reason).toMatch(/proof/);
  });

  it('should refuse a list signed by another issuer, under its own name or under ours', async () => {
    const own = await revocationResult({ [revocation.statusListCredential]: await listFixture({ signer: other }) });
    expect(own).toMatchObject({ ok: false, code: 'status_list_issuer_mismatch' });
    expect(own.reason).toContain(other.runtime.issuer.identity.did);
    const impersonating = await revocationResult({ [revocation.statusListCredential]: await listFixture({ signer: other, issuer: t.runtime.issuer.identity.did }) });
    expect(impersonating).toMatchObject({ ok: false, code: 'status_list_signature_invalid' });
  });

  it('should refuse an expired list', async () => {
    const result = await revocationResult({ [revocation.statusListCredential]: await listFixture({ validUntil: '2001-01-01T00:00:00Z' }) });
    expect(result).toMatchObject({ ok: false, code: 'status_list_expired' });
  });

  it('should refuse a list whose statusPurpose differs from the entry', async () => {
    const result = await revocationResult({ [revocation.statusListCredential]: await listFixture({ purpose: 'suspension' }) });
    expect(result).toMatchObject({ ok: false, code: 'status_purpose_mismatch' });
  });

  it('should refuse when the list cannot be fetched, or is not a status list credential', async () => {
    const unreachable = await checkerFor(other).check(credential); // `other` serves none of t's lists
    expect(unreachable.every((r) => !r.ok && r.code === 'status_list_not_found')).toBe(true);
    expect(await revocationResult({ [revocation.statusListCredential]: { ...credential } })).toMatchObject({ ok: false, code: 'status_list_invalid' });
  });

  it('should refuse entries that are not BitstringStatusListEntry or lack a valid index', async () => {
    const { check } = checkerFor(t);
    const odd = { ...credential, credentialStatus: [{ ...revocation, type: 'StatusList2021Entry' }, { ...revocation, statusListIndex: 12 }] };
    expect((await check(odd)).map((r) => r.code)).toEqual(['status_type_unsupported', 'status_entry_invalid']);
  });
});

describe('status check: caching per ttl', () => {
  it('reuses a verified list within its ttl and fetches it again after', async () => {
    let clock = Date.now();
    const { check, fetched } = checkerFor(t, {}, () => new Date(clock));
    await check(credential);
    await check(credential);
    expect(fetched.filter((u) => u === revocation.statusListCredential)).toHaveLength(1);
    clock += 300_001;
    await check(credential);
    expect(fetched.filter((u) => u === revocation.statusListCredential)).toHaveLength(2);
  });
});
