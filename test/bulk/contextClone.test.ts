// The shallow active-context copy (src/signing/jsonldContextClone.ts) changes nothing but
// speed: canonical N-Quads, proofs and errors are the same as with jsonld's own deep copy.
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsonld from 'jsonld';
import { shallowContextCloneActive, useShallowContextClone } from '../../src/signing/jsonldContextClone.js';
import type { RemoteDocument } from '../../src/signing/documentLoader.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

const HOSTILE = new URL('../fixtures/hostile/', import.meta.url);
let t: TestInstance;
const documents: Array<[string, Record<string, unknown>]> = [];

beforeAll(async () => {
  t = await createTestInstance();
  for (const body of [awardBody(), awardBody({ recipient: { email: 'ana@example.edu', name: 'Ana' } })]) {
    const { credential } = (await (await postJson(t.app, '/awards', body)).json()) as { credential: Record<string, unknown> };
    documents.push([`award credential (${Object.keys(body.recipient as object).join()})`, credential]);
    const { proof: _proof, ...unsigned } = credential;
    documents.push(['unsigned award credential', unsigned]);
  }
  for (const file of readdirSync(HOSTILE).filter((f) => f.endsWith('.json') && f !== 'sql-strings.json')) {
    const text = readFileSync(new URL(file, HOSTILE), 'utf8').replaceAll('{{ISSUER}}', t.runtime.issuer.identity.did);
    documents.push([file, JSON.parse(text) as Record<string, unknown>]);
  }
});
afterAll(async () => {
  useShallowContextClone(true);
  await t.close();
});

/** The issuer's loader without the 'static' tag: jsonld then resolves and processes every context afresh. */
const uncachedLoader = async (url: string): Promise<RemoteDocument> => ({ ...(await t.runtime.issuer.documentLoader(url)), tag: undefined });

async function canonical(document: Record<string, unknown>): Promise<string> {
  try {
    const nquads = (await jsonld.canonize(structuredClone(document), { algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader: uncachedLoader, safe: true })) as string;
    return `ok\n${nquads}`;
  } catch (error) {
    const e = error as { name?: string; message?: string; details?: { code?: string; event?: { code?: string } } };
    return `error ${e.name} ${e.details?.code ?? e.details?.event?.code ?? ''} ${e.message}`;
  }
}

describe('shallow active-context copies', () => {
  it('are in effect for the installed jsonld', () => {
    expect(shallowContextCloneActive()).toBe(true);
  });

  it('canonicalize every document (credentials and hostile fixtures) exactly as deep copies do', async () => {
    expect(documents.length).toBeGreaterThan(6);
    for (const [name, document] of documents) {
      useShallowContextClone(true);
      const shallow = await canonical(document);
      useShallowContextClone(false);
      const deep = await canonical(document);
      useShallowContextClone(true);
      expect(shallow, name).toBe(deep);
    }
  });

  it('sign to the same proof as deep copies do', async () => {
    const [, credential] = documents[1] ?? [];
    const created = new Date('2026-04-01T00:00:00Z');
    useShallowContextClone(false);
    const deep = await t.runtime.issuer.sign(credential ?? {}, { created });
    useShallowContextClone(true);
    const shallow = await t.runtime.issuer.sign(credential ?? {}, { created });
    expect(shallow).toEqual(deep);
  });
});
