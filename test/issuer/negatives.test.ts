// Negative cases of issue #2: a badge that was changed, signed by another key, or that uses
// an unknown context or an undefined term must fail, each with a reason a person can act on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { createDocumentLoader, DocumentNotAllowedError } from '../../src/signing/documentLoader.js';
import { issuerIdentity, resolveDidKey } from '../../src/signing/did.js';
import { generateMultikey, importIssuerKey } from '../../src/signing/keys.js';
import { createVerifyingSuites, signCredential } from '../../src/signing/suites.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { libraryCheckStatus } from '../helpers/status.js';

type Json = Record<string, any>;

let t: TestInstance;
let credential: Json;
const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey });

beforeAll(async () => {
  t = await createTestInstance();
  credential = ((await (await postJson(t.app, '/awards', awardBody())).json()) as Json).credential;
});
afterAll(async () => t.close());

async function verify(c: Json) {
  return vc.verifyCredential({ credential: c, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader });
}

function reason(result: { error?: unknown; results?: Array<Record<string, unknown>> }): string {
  const errors = (result.error as { errors?: Array<{ message: string }> } | undefined)?.errors ?? [];
  return [...errors.map((e) => e.message), ...(result.results ?? []).map((r) => String((r.error as Error | undefined)?.message))].join(' | ');
}

describe('a signed badge fails verification when', () => {
  it('it is intact (control)', async () => {
    expect((await verify(credential)).verified).toBe(true);
  });

  it('the subject is changed', async () => {
    const tampered = structuredClone(credential);
    tampered.credentialSubject.id = 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH';
    const result = await verify(tampered);
    expect(result.verified).toBe(false);
    expect(reason(result)).toMatch(/Invalid signature/i);
  });

  it('the achievement is changed', async () => {
    const tampered = structuredClone(credential);
    tampered.credentialSubject.achievement.name = 'Personalized, Blended and Online Learning';
    const result = await verify(tampered);
    expect(result.verified).toBe(false);
    expect(reason(result)).toMatch(/Invalid signature/i);
  });

  it('one observation is upgraded after signing', async () => {
    const tampered = structuredClone(credential);
    tampered.evidence[0].description = tampered.evidence[0].description.replace('proficient', 'exemplary');
    expect((await verify(tampered)).verified).toBe(false);
  });

  it('the proof was made with another key than the one it names', async () => {
    const intruder = await importIssuerKey(await generateMultikey());
    const { proof: _drop, ...unsigned } = credential;
    // Signed by the intruder, claiming the real issuer's verification method.
    const forged = await signCredential(unsigned, {
      suite: 'eddsa-rdfc-2022',
      signer: intruder.signerFor(t.runtime.issuer.identity.verificationMethod),
      documentLoader,
    });
    const result = await verify(forged);
    expect(result.verified).toBe(false);
    expect(reason(result)).toMatch(/Invalid signature/i);
  });

  it('the proof names a key that does not belong to the issuer', async () => {
    const other = await importIssuerKey(await generateMultikey());
    const otherIdentity = issuerIdentity(other.publicKeyMultibase);
    const { proof: _drop, ...unsigned } = credential;
    const signed = await signCredential(unsigned, { suite: 'eddsa-rdfc-2022', signer: other.signerFor(otherIdentity.verificationMethod), documentLoader });
    const result = await verify(signed);
    expect(result.verified).toBe(false);
    expect(reason(result)).toMatch(/issuer/i);
  });
});

describe('the offline document loader', () => {
  it('serves every pinned context without the network', async () => {
    for (const url of [
      'https://www.w3.org/ns/credentials/v2',
      'https://www.w3.org/2018/credentials/v1',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
      'https://w3id.org/security/data-integrity/v2',
      'https://w3id.org/security/suites/ed25519-2020/v1',
      'https://w3id.org/security/multikey/v1',
      'https://www.w3.org/ns/credentials/status/v1',
      'https://www.w3.org/ns/did/v1',
    ]) {
      const { document } = await documentLoader(url);
      expect(document, url).toHaveProperty('@context');
    }
  });

  it('refuses any other URL with a clear error', async () => {
    await expect(documentLoader('https://example.com/evil-context.jsonld')).rejects.toThrow(DocumentNotAllowedError);
    await expect(documentLoader('https://example.com/evil-context.jsonld')).rejects.toThrow(/not one of the pinned contexts/);
  });

  it('makes verification of a badge with an unknown context fail, naming the context', async () => {
    const tampered = structuredClone(credential);
    tampered['@context'] = [...tampered['@context'], 'https://example.com/evil-context.jsonld'];
    const result = await verify(tampered);
    expect(result.verified).toBe(false);
    expect(reason(result) + JSON.stringify(result.error ?? '')).toMatch(/evil-context/);
  });
});

describe('POST /credentials/issue refuses what it cannot sign faithfully', () => {
  // An awarded badge made into a caller's own: framework achievements and status entries are
  // the service's to give (POST /awards; src/awards/callerCredentialPolicy.ts).
  const unsigned = (extra: Json = {}): Json => {
    const { proof: _p, credentialStatus: _s, ...rest } = structuredClone(credential);
    const { alignment: _a, ...achievement } = rest.credentialSubject.achievement;
    rest.credentialSubject.achievement = { ...achievement, id: 'https://program.example.edu/achievements/lesson-study', name: 'Lesson study', humanCode: 'lesson-study' };
    return { ...rest, id: `urn:uuid:${crypto.randomUUID()}`, ...extra };
  };

  it('signs a caller-built credential naming this issuer (201, VC-API shape)', async () => {
    const res = await postJson(t.app, '/credentials/issue', { credential: unsigned() });
    expect(res.status).toBe(201);
    const { verifiableCredential } = (await res.json()) as Json;
    expect((await verify(verifiableCredential)).verified).toBe(true);
  });

  it('rejects an unknown context (422, naming it)', async () => {
    const res = await postJson(t.app, '/credentials/issue', {
      credential: unsigned({ '@context': [...credential['@context'], 'https://example.com/evil-context.jsonld'] }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).detail).toMatch(/Unknown context 'https:\/\/example.com\/evil-context.jsonld'/);
  });

  it('rejects a term no context defines (JSON-LD safe mode, 422)', async () => {
    const c = unsigned();
    c.credentialSubject.favouriteColour = 'teal';
    const res = await postJson(t.app, '/credentials/issue', { credential: c });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).detail).toMatch(/safe mode.*favouriteColour/i);
  });

  it('rejects a credential naming another issuer (422)', async () => {
    const res = await postJson(t.app, '/credentials/issue', { credential: unsigned({ issuer: { id: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH', type: ['Profile'] } }) });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).errors[0].pointer).toBe('/issuer');
  });

  it('rejects an Open Badge that breaks the 1EdTech schema, listing where (422)', async () => {
    const c = unsigned();
    delete c.credentialSubject.achievement.criteria;
    const res = await postJson(t.app, '/credentials/issue', { credential: c });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toMatch(/criteria/);
  });
});
