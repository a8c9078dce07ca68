// Contexts are never fetched, whatever their scheme: a did:web URL used as a JSON-LD context
// (nested in a presentation, `@import`ed by an inline context, scoped in a term definition)
// is refused as an unknown context before any JSON-LD work, and nothing connects to its host.
// A status list credential the verifier fetches is held to the same rule.
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextReferences } from '../../src/signing/documentLoader.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { createKeyHolder, presentationOf, type KeyHolder } from '../helpers/proofSets.js';

type Json = Record<string, any>;

let t: TestInstance;
let holder: KeyHolder;
let credential: Json;
let listener: Server;
let connections = 0;
let trap: string;

beforeAll(async () => {
  // Anything that connects here is a fetch that must not happen.
  listener = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  trap = `did:web:127.0.0.1%3A${address.port}`;
  t = await createTestInstance({ env: { EDUCRED_FETCH_ALLOW_PRIVATE: 'true' } });
  holder = await createKeyHolder();
  credential = ((await (await postJson(t.app, '/awards', awardBody({ recipient: { id: holder.did, name: 'Ana Lopez' } }))).json()) as Json).credential;
});
afterAll(async () => {
  await t.close();
  await new Promise((resolve) => listener.close(resolve));
});

const checkOf = (report: Json, name: string): Json | undefined => (report.checks as Json[]).find((c) => c.check === name);

describe('contexts are never fetched, whatever their scheme', () => {
  it('finds every context a document names: nested, @import, scoped', () => {
    const document = {
      '@context': ['https://www.w3.org/ns/credentials/v2', { '@import': 'did:web:a.example', Term: { '@id': 'urn:x', '@context': 'did:web:b.example' } }],
      holder: { '@context': { '@import': 'https://c.example/ctx' } },
      list: [{ '@context': ['did:web:d.example'] }],
    };
    expect([...contextReferences(document)].sort()).toEqual(['did:web:a.example', 'did:web:b.example', 'did:web:d.example', 'https://c.example/ctx', 'https://www.w3.org/ns/credentials/v2']);
  });

  it('a did:web context nested in a presentation is refused, and not fetched', async () => {
    const unsigned = { ...presentationOf([credential], holder.did), holder: { id: holder.did, '@context': trap } };
    const vp = await holder.sign(presentationOf([credential], holder.did), { challenge: 'c' });
    const res = await postJson(t.app, '/presentations/verify', { verifiablePresentation: { ...unsigned, proof: vp.proof }, options: { challenge: 'c' } });
    const body = (await res.json()) as Json;
    expect(connections).toBe(0);
    expect(res.status).toBe(400);
    expect(checkOf(body.report, 'presentation_structure')).toMatchObject({ passed: false, code: 'context_unknown' });
    expect(checkOf(body.report, 'presentation_structure')?.reason).toContain(trap);
  });

  it("a did:web context @import'ed by a presentation's inline context is refused, and not fetched", async () => {
    const unsigned = { ...presentationOf([credential], holder.did), '@context': ['https://www.w3.org/ns/credentials/v2', { '@import': trap }] };
    const vp = await holder.sign(presentationOf([credential], holder.did), { challenge: 'c' });
    const res = await postJson(t.app, '/presentations/verify', { verifiablePresentation: { ...unsigned, proof: vp.proof }, options: { challenge: 'c' } });
    const body = (await res.json()) as Json;
    expect(connections).toBe(0);
    expect(checkOf(body.report, 'presentation_structure')).toMatchObject({ passed: false, code: 'context_unknown' });
  });

  it("a did:web context @import'ed by a credential's inline context is refused, and not fetched", async () => {
    const withImport = { ...credential, '@context': [...credential['@context'], { '@import': trap }] };
    const res = await postJson(t.app, '/credentials/verify', { verifiableCredential: withImport });
    const body = (await res.json()) as Json;
    expect(connections).toBe(0);
    expect(res.status).toBe(400);
    expect(checkOf(body.report, 'structure')).toMatchObject({ passed: false, code: 'context_unknown' });
    expect(checkOf(body.report, 'structure')?.reason).toContain(trap);
  });

  it('a did:web context in a proof of a presentation is refused, and not fetched', async () => {
    const vp = await holder.sign(presentationOf([credential], holder.did), { challenge: 'c' });
    const proof = { ...(vp.proof as Json), '@context': trap };
    const res = await postJson(t.app, '/presentations/verify', { verifiablePresentation: { ...vp, proof }, options: { challenge: 'c' } });
    const body = (await res.json()) as Json;
    expect(connections).toBe(0);
    expect(checkOf(body.report, 'presentation_structure')).toMatchObject({ passed: false, code: 'context_unknown' });
  });

  it("a did:web context in a fetched status list credential is refused, and not fetched", async () => {
    const issuer = t.runtime.issuer.identity.did;
    const list = {
      '@context': ['https://www.w3.org/ns/credentials/v2', trap],
      id: 'placeholder',
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer,
      validFrom: '2025-01-01T00:00:00Z',
      credentialSubject: { id: 'placeholder#list', type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA' },
      proof: { type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod', verificationMethod: `${issuer}#${issuer.slice('did:key:'.length)}`, created: '2025-01-01T00:00:00Z', proofValue: 'z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKXPgz7rfXA8Dp7Lgt' },
    };
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(list));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      const listUrl = `http://127.0.0.1:${address.port}/status/1`;
      list.id = listUrl;
      list.credentialSubject.id = `${listUrl}#list`;
      const { proof: _proof, ...unsigned } = credential;
      const entry = { id: `${listUrl}#5`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '5', statusListCredential: listUrl };
      const signed = await t.runtime.issuer.sign({ ...unsigned, credentialStatus: entry });
      const res = await postJson(t.app, '/credentials/verify', { verifiableCredential: signed });
      const body = (await res.json()) as Json;
      expect(connections).toBe(0);
      expect(checkOf(body.report, 'status')).toMatchObject({ passed: false, code: 'status_list_invalid' });
      expect(checkOf(body.report, 'status')?.reason).toContain(trap);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
