// Keys and DIDs: the Multikey file format, file permissions, did:key by default, did:web when
// a domain is configured (with its DID document served), and no secret anywhere it should not be.
import { readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { sql } from 'kysely';
import { didWebDocumentPath, didWebDocumentUrl, didWebFromDomain, DidError } from '../../src/signing/did.js';
import { generateMultikey, readKeyFile, KeyFileError, writeKeyFile } from '../../src/signing/keys.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { libraryCheckStatus } from '../helpers/status.js';

type Json = Record<string, any>;

describe('the key file', () => {
  it('is a Multikey JSON written with mode 0600, and is never overwritten', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'educred-keys-'));
    const file = path.join(dir, 'keys', 'issuer.json');
    const key = await generateMultikey();
    writeKeyFile(file, key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const read = readKeyFile(file);
    expect(read).toMatchObject({ type: 'Multikey', id: key.id, controller: key.controller });
    expect(read.id).toBe(`${read.controller}#${read.publicKeyMultibase}`);
    expect(read.controller).toBe(`did:key:${read.publicKeyMultibase}`);
    expect(read.publicKeyMultibase).toMatch(/^z6Mk/);
    expect(read.secretKeyMultibase).toMatch(/^z/);
    expect(() => writeKeyFile(file, key)).toThrow(/EEXIST/);
  });

  it('the example in keys.example/ has the same format', () => {
    const example = readKeyFile(new URL('../../keys.example/issuer.json', import.meta.url).pathname);
    expect(example.type).toBe('Multikey');
  });

  it('refuses a file that is not a Multikey, naming the missing field', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'educred-keys-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ id: 'did:key:z6Mk#x', controller: 'did:key:z6Mk' }));
    expect(() => readKeyFile(file)).toThrow(KeyFileError);
    expect(() => readKeyFile(file)).toThrow(/publicKeyMultibase/);
  });
});

describe('did:web identifiers', () => {
  it('map domains and paths as the did:web spec says', () => {
    expect(didWebFromDomain('teach.example.edu')).toBe('did:web:teach.example.edu');
    expect(didWebDocumentPath('did:web:teach.example.edu')).toBe('/.well-known/did.json');
    expect(didWebDocumentPath('did:web:example.edu:programs:teach')).toBe('/programs/teach/did.json');
    expect(didWebDocumentUrl('did:web:localhost%3A8443:programs:teach')).toBe('https://localhost:8443/programs/teach/did.json');
    expect(() => didWebFromDomain('https://example.edu/')).toThrow(DidError);
  });
});

for (const [domain, documentPath] of [
  ['teach.example.edu', '/.well-known/did.json'],
  ['example.edu:programs:teach', '/programs/teach/did.json'],
] as const) {
  describe(`an issuer configured as did:web:${domain}`, () => {
    let t: TestInstance;
    beforeAll(async () => {
      t = await createTestInstance({ env: { EDUCRED_DID_WEB_DOMAIN: domain } });
    });
    afterAll(async () => t.close());

    it(`serves its DID document at ${documentPath} with the key as assertionMethod`, async () => {
      const res = await t.app.request(documentPath);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as Json;
      expect(doc.id).toBe(`did:web:${domain}`);
      const [method] = doc.verificationMethod;
      expect(method).toMatchObject({ type: 'Multikey', controller: doc.id });
      expect(doc.assertionMethod).toEqual([method.id]);
      expect(JSON.stringify(doc)).not.toContain('secretKey');
    });

    it('issues badges whose issuer and proof name the did:web, and which verify against the served document', async () => {
      const { credential } = (await (await postJson(t.app, '/awards', awardBody())).json()) as Json;
      expect(credential.issuer.id).toBe(`did:web:${domain}`);
      expect(credential.proof[0].verificationMethod).toMatch(new RegExp(`^did:web:${domain}#z6Mk`));
      const served = (await (await t.app.request(documentPath)).json()) as Json;
      // A verifier that fetched the served document (and nothing else) accepts the badge.
      const documentLoader = async (url: string) => {
        if (url.startsWith('did:web:')) {
          const found = url.includes('#') ? { '@context': served['@context'], ...served.verificationMethod.find((m: Json) => m.id === url) } : served;
          return { contextUrl: null, documentUrl: url, document: found };
        }
        return t.runtime.issuer.documentLoader(url);
      };
      const result = await vc.verifyCredential({ credential, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader });
      expect(result.verified).toBe(true);
    });
  });
}

describe('secrets stay secret', () => {
  it('the issuer secret key appears in no response, log line or database page', async () => {
    const lines: string[] = [];
    const t = await createTestInstance({ logLines: lines });
    try {
      const secret = readKeyFile(t.config.keyFile).secretKeyMultibase;
      const responses = await Promise.all([
        postJson(t.app, '/awards', awardBody()).then((r) => r.text()),
        Promise.resolve(t.app.request('/achievements')).then((r) => r.text()),
        postJson(t.app, '/awards', { bad: true }).then((r) => r.text()),
      ]);
      for (const body of responses) expect(body).not.toContain(secret);
      await sql`PRAGMA wal_checkpoint(FULL)`.execute(t.runtime.store.kysely);
      const database = readFileSync(t.config.databaseFile).toString('latin1');
      expect(database).not.toContain(secret);
      expect(lines.length).toBeGreaterThan(3);
      expect(lines.join('\n')).not.toContain(secret);
    } finally {
      await t.close();
    }
  });
});
