// VC Data Model 2.0 §5.3: a relatedResource digest that does not match the resource is an error.
// educred fetches nothing, so it compares digests with the resources it holds byte for byte:
// the base context, which §B.1 says to treat as already retrieved and names by its SHA-256. The
// Recommendation's file and the 2024 CR2 file are both held: the W3C VC Data Model 2.0 suite
// issues credentials with digests of the CR2 file (and expects them accepted) and with a wrong
// digest (and expects a refusal). Digests of any other resource are checked for form only.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, type TestInstance, createTestInstance } from '../helpers/app.js';

type Json = Record<string, any>;

const BASE_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
const heldFile = (name: string): Buffer => readFileSync(new URL(`../../contexts/resources/${name}`, import.meta.url));
/** The base context files, with the SHA-256 VC Data Model 2.0 §B.1 states for each (hex). */
const REVISIONS = {
  recommendation: { bytes: heldFile('www.w3.org_ns_credentials_v2.jsonld'), sha256: '59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734' },
  cr2: { bytes: heldFile('www.w3.org_ns_credentials_v2.2024-cr2.jsonld'), sha256: '24a18c90e9856d526111f29376e302d970b2bd10182e33959995b0207d7043b9' },
};
const digest = (algorithm: string, bytes = REVISIONS.recommendation.bytes): Buffer => createHash(algorithm).update(bytes).digest();
const base58 = (bytes: Buffer): string => {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = alphabet[Number(n % 58n)] + out;
    n /= 58n;
  }
  return out;
};
/** The same digest with its last byte changed: well formed, and wrong. */
const altered = (bytes: Buffer): Buffer => Buffer.concat([bytes.subarray(0, -1), Buffer.from([bytes.at(-1)! ^ 1])]);

let t: TestInstance;
let n = 0;
const credential = (relatedResource: unknown): Json => ({
  '@context': [BASE_CONTEXT],
  id: `urn:uuid:00000000-0000-4000-9000-${String(++n).padStart(12, '0')}`,
  type: ['VerifiableCredential'],
  issuer: t.runtime.issuer.identity.did,
  credentialSubject: { id: 'did:example:subject' },
  relatedResource,
});
const issue = (c: Json) => postJson(t.app, '/credentials/issue', { credential: c });

beforeAll(async () => {
  t = await createTestInstance();
});
afterAll(async () => t.close());

describe('digests of the base context', () => {
  it.each(Object.entries(REVISIONS))('are computed from files whose SHA-256 the data model states (%s)', (_name, revision) => {
    expect(digest('sha256', revision.bytes).toString('hex')).toBe(revision.sha256);
  });

  it.each([
    ['an SRI SHA-384 digest', { digestSRI: `sha384-${digest('sha384').toString('base64')}` }],
    ['an SRI SHA-256 digest with a media type', { digestSRI: `sha256-${digest('sha256').toString('base64')}`, mediaType: 'application/ld+json' }],
    ['a base64url multibase SHA-256 digest', { digestMultibase: `u${digest('sha256').toString('base64url')}` }],
    ['a base58btc multibase SHA-512 digest', { digestMultibase: `z${base58(digest('sha512'))}` }],
    ['an SRI SHA-384 digest of the 2024 CR2 file', { digestSRI: `sha384-${digest('sha384', REVISIONS.cr2.bytes).toString('base64')}` }],
    ['a base64url multibase SHA-256 digest of the 2024 CR2 file', { digestMultibase: `u${digest('sha256', REVISIONS.cr2.bytes).toString('base64url')}` }],
  ])('are accepted when right: %s', async (_name, fields) => {
    const res = await issue(credential([{ id: BASE_CONTEXT, ...fields }]));
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
  });

  it.each([
    ['digestSRI', { digestSRI: `sha384-${altered(digest('sha384')).toString('base64')}` }],
    ['digestMultibase', { digestMultibase: `u${altered(digest('sha256')).toString('base64url')}` }],
  ])('are refused when the %s does not match the resource, naming the field (422)', async (field, fields) => {
    const res = await issue(credential({ id: BASE_CONTEXT, ...fields }));
    expect(res.status).toBe(422);
    const body = (await res.json()) as Json;
    expect(body.errors).toContainEqual({ pointer: `/relatedResource/${field}`, detail: `does not match the digest of ${BASE_CONTEXT}` });
  });

  it('are refused, not a server error, when the SRI algorithm is a prototype key', async () => {
    const res = await issue(credential({ id: BASE_CONTEXT, digestSRI: 'constructor-AAAA' }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).errors).toContainEqual(expect.objectContaining({ pointer: '/relatedResource/digestSRI' }));
  });

  it('make the verifier refuse a signed credential whose digest does not match', async () => {
    const signed = await t.runtime.issuer.sign(credential([{ id: BASE_CONTEXT, digestMultibase: `u${altered(digest('sha256')).toString('base64url')}` }]));
    const report = await t.runtime.verifier.verifyCredential(signed);
    expect(report.verified).toBe(false);
    expect(report.checks[0]).toMatchObject({ check: 'structure', passed: false });
    expect(report.checks[0]?.reason).toContain('/relatedResource/0/digestMultibase');
  });
});

it('checks digests of resources it does not hold for their form only: nothing is fetched', async () => {
  const res = await issue(credential([{ id: 'https://example.org/syllabus.pdf', digestSRI: `sha256-${altered(digest('sha256')).toString('base64')}` }]));
  expect(res.status).toBe(201);
});
