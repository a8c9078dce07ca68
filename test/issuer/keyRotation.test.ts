// Key rotation for a did:web issuer served over HTTPS on 127.0.0.1, on SQLite and PostgreSQL:
// the first start records the configured key; `keys rotate` makes a new key the signing key
// while badges signed before still verify (educred's verifier, @digitalbazaar/vc and
// @digitalcredentials/verifier-core, the latter two against the DID document the service serves);
// status lists are signed again with the current key; `keys retire` makes a badge of the retired
// key fail with a reason naming it; `keys reissue` signs it again (same id, same status entry).
// A did:key issuer is refused rotation and nothing changes. Two nodes on one PostgreSQL serve
// the same DID document after a rotation made through one of them.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openSqliteFile } from '../../src/store/engine.js';
import https from 'node:https';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import { verifyCredential as walletVerify } from '@digitalcredentials/verifier-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listKeysFromCli, reissueFromCli, retireKeyFromCli, rotateKeyFromCli } from '../../src/cli/keys.js';
import { CliError } from '../../src/cli/io.js';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from '../../src/credentials/openBadge.js';
import { dereferenceDidUrl, resolveDidKey } from '../../src/signing/did.js';
import { createDocumentLoader } from '../../src/signing/documentLoader.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { awardBody, createTestInstance, postJson, serveInstanceOn, type TestInstance } from '../helpers/app.js';
import { allowLoopbackOnly, type OfflineFetch } from '../helpers/network.js';
import { freePort } from '../helpers/ports.js';
import { describePostgres, freshPostgresDatabase, postgresTestMode, type FreshDatabase } from '../helpers/postgres.js';
import { TEST_TLS } from '../helpers/tls.js';

type Json = Record<string, any>;

const pinnedSchema = JSON.parse(readFileSync(new URL('../../contexts/schemas/ob_v3p0_achievementcredential_schema.json', import.meta.url), 'utf8'));

/** GET over HTTPS trusting the test certificate. */
const httpsGet = (url: string): Promise<{ status: number; text: string; type: string }> =>
  new Promise((resolve, reject) => {
    https
      .get(url, { ca: TEST_TLS.cert }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, type: String(res.headers['content-type'] ?? '') }));
      })
      .on('error', reject);
  });

let offline: OfflineFetch;
let loopbackFetch: typeof fetch;
beforeAll(() => {
  offline = allowLoopbackOnly({ [OB_ACHIEVEMENT_CREDENTIAL_SCHEMA]: pinnedSchema });
  loopbackFetch = globalThis.fetch;
  // verifier-core resolves did:web and status lists with fetch: https on loopback trusts the test CA.
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.startsWith('https://127.0.0.1:')) {
      const res = await httpsGet(url);
      return new Response(res.text, { status: res.status, headers: { 'Content-Type': res.type || 'application/json' } });
    }
    return loopbackFetch(input, init);
  }) as typeof fetch;
});
afterAll(() => {
  globalThis.fetch = loopbackFetch;
  offline.restore();
});

/** @digitalbazaar/vc with a loader that resolves the issuer's did:web over HTTPS, as a relying party would. */
const servedDocumentLoader = (origin: string) =>
  createDocumentLoader({
    resolveDid: async (didUrl) => {
      if (didUrl.startsWith('did:key:')) return resolveDidKey(didUrl);
      const document = JSON.parse((await httpsGet(`${origin}/.well-known/did.json`)).text) as Json;
      const found = dereferenceDidUrl(document, didUrl);
      if (!found) throw new Error(`${didUrl} is not in the served DID document`);
      return found;
    },
  });

const statusOf = async (origin: string, credential: Json) => {
  const entries = [credential.credentialStatus].flat() as Json[];
  return { verified: entries.length > 0 && entries.every((e) => typeof e.statusListCredential === 'string' && e.statusListCredential.startsWith(origin)) };
};

async function verifyEverywhere(t: TestInstance & { origin: string }, credential: Json): Promise<{ educred: Json; library: boolean; wallet: boolean }> {
  const educred = (await (await postJson(t.app, '/credentials/verify', { verifiableCredential: credential })).json()) as Json;
  const library = await vc.verifyCredential({ credential, suite: createVerifyingSuites(), documentLoader: servedDocumentLoader(t.origin), checkStatus: () => statusOf(t.origin, credential) });
  const wallet = (await walletVerify({ credential: credential as any, knownDIDRegistries: [] })) as Json;
  const walletSignature = (wallet.log as Json[] | undefined)?.find((e) => e.id === 'valid_signature')?.valid === true;
  return { educred, library: library.verified === true, wallet: walletSignature && wallet.errors === undefined };
}

const award = async (t: TestInstance, n: number): Promise<{ id: string; credential: Json }> => {
  const res = await postJson(t.app, '/awards', awardBody({ recipient: { email: `rotation${n}@example.edu`, name: `Educator ${n}` } }));
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; credential: Json };
};

const proofKey = (credential: Json): string => [credential.proof].flat()[0].verificationMethod;

function rotationScenario(engine: 'sqlite' | 'postgres'): void {
  let t: TestInstance & { origin: string };
  let database: FreshDatabase | undefined;
  let env: NodeJS.ProcessEnv;
  const badges: Array<{ id: string; credential: Json }> = [];
  const keys: string[] = [];

  beforeAll(async () => {
    database = engine === 'postgres' ? await freshPostgresDatabase('keys_rotation') : undefined;
    const port = await freePort();
    const extra: Record<string, string> = { EDUCRED_DID_WEB_DOMAIN: `127.0.0.1%3A${port}`, ...(database ? { DATABASE_URL: database.url } : {}) };
    t = await serveInstanceOn(port, { tls: TEST_TLS, env: extra });
    env = { EDUCRED_DATA_DIR: t.dataDir, BASE_URL: t.origin, LOG_LEVEL: 'silent', ...extra };
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  it('the first start recorded the configured key as current', async () => {
    const listed = await listKeysFromCli(env);
    expect(listed).toEqual([expect.objectContaining({ id: t.runtime.issuer.identity.verificationMethod, state: 'current', location: { keyFile: path.join('keys', 'issuer.json') }, compromisedAt: null })]);
    expect(JSON.stringify(listed)).not.toContain('secretKeyMultibase');
    keys.push(listed[0]!.id);
    badges.push(await award(t, 0));
  });

  it('rotates twice: each new badge names the new key, every earlier badge still verifies with all three verifiers', async () => {
    for (const n of [1, 2]) {
      const report = await rotateKeyFromCli({}, env);
      expect(report.key.state).toBe('current');
      expect(report.current).toBe(report.key.id);
      expect(report.statusListsResigned).toBeGreaterThan(0);
      keys.push(report.key.id);
      // A node notices within a second; this one is asked to look now.
      await t.runtime.issuer.signingKey({ fresh: true });
      badges.push(await award(t, n));
    }
    expect(new Set(keys).size).toBe(3);
    expect(badges.map((b) => proofKey(b.credential))).toEqual(keys);
    for (const { credential } of badges) {
      const result = await verifyEverywhere(t, credential);
      expect(result.educred.verified, JSON.stringify(result.educred.errors)).toBe(true);
      expect(result.library).toBe(true);
      expect(result.wallet).toBe(true);
    }
    const document = JSON.parse((await httpsGet(`${t.origin}/.well-known/did.json`)).text) as Json;
    expect(document.assertionMethod).toEqual([keys[2], keys[0], keys[1]]);
    expect(document.authentication).toEqual([keys[2]]);
  });

  it('status lists are signed again with the current key after a rotation, and verify', async () => {
    const url = String([badges[0]!.credential.credentialStatus].flat()[0].statusListCredential);
    const list = JSON.parse((await httpsGet(url)).text) as Json;
    expect(proofKey(list)).toBe(keys[2]);
    const result = await vc.verifyCredential({ credential: list, suite: createVerifyingSuites(), documentLoader: servedDocumentLoader(t.origin), checkStatus: async () => ({ verified: true }) });
    expect(result.verified, JSON.stringify(result.error)).toBe(true);
  });

  it('refuses to retire the current key, an unknown key, or a compromise time without an offset', async () => {
    await expect(retireKeyFromCli(keys[2]!, '2027-01-01T00:00:00Z', env)).rejects.toThrow(/current signing key; rotate first/);
    await expect(retireKeyFromCli('#z6MkNoSuchKey', '2027-01-01T00:00:00Z', env)).rejects.toThrow(/has no key #z6MkNoSuchKey/);
    await expect(retireKeyFromCli(keys[0]!, '2027-01-01 00:00', env)).rejects.toThrow(CliError);
    await expect(reissueFromCli(keys[2]!, env)).rejects.toThrow(/current signing key/);
  });

  it('retire: the key is revoked in the DID document and out of assertionMethod; its badge fails with a reason naming it', async () => {
    const compromisedAt = '2026-11-05T08:00:00.000Z';
    const report = await retireKeyFromCli(`#${keys[0]!.split('#')[1]}`, compromisedAt, env);
    expect(report.key).toMatchObject({ id: keys[0], state: 'revoked', compromisedAt });
    const document = JSON.parse((await httpsGet(`${t.origin}/.well-known/did.json`)).text) as Json;
    expect(document.assertionMethod).toEqual([keys[2], keys[1]]);
    expect(document.verificationMethod.find((m: Json) => m.id === keys[0])).toMatchObject({ revoked: compromisedAt });
    const result = await verifyEverywhere(t, badges[0]!.credential);
    expect(result.educred.verified).toBe(false);
    expect(result.educred.errors[0]).toMatchObject({ code: 'key_revoked' });
    expect(result.educred.errors[0].message ?? JSON.stringify(result.educred.errors[0])).toContain(keys[0]);
    expect(result.library).toBe(false);
    // The badge signed by the other earlier key is untouched.
    expect((await verifyEverywhere(t, badges[1]!.credential)).educred.verified).toBe(true);
  });

  it('reissue: the badge verifies again under the current key, same id and status entry', async () => {
    const report = await reissueFromCli(keys[0]!, env);
    expect(report).toMatchObject({ key: keys[0], signedWith: keys[2], reissued: 1, awards: [badges[0]!.id] });
    const served = (await (await t.app.request(`/credentials/${badges[0]!.id}`)).json()) as Json;
    const { proof: newProof, ...content } = served;
    const { proof: _oldProof, ...oldContent } = badges[0]!.credential;
    expect(content).toEqual(oldContent);
    expect(served.id).toBe(badges[0]!.credential.id);
    expect(served.credentialStatus).toEqual(badges[0]!.credential.credentialStatus);
    expect([newProof].flat()[0].verificationMethod).toBe(keys[2]);
    const result = await verifyEverywhere(t, served);
    expect(result.educred.verified, JSON.stringify(result.educred.errors)).toBe(true);
    expect(result.library).toBe(true);
    expect(result.wallet).toBe(true);
    // Nothing else was signed by the retired key: a second run re-signs nothing.
    expect((await reissueFromCli(keys[0]!, env)).reissued).toBe(0);
    if (engine === 'sqlite') console.log(`DID document after two rotations and one retirement:\n${(await httpsGet(`${t.origin}/.well-known/did.json`)).text}`);
  });
}

describe('key rotation on SQLite', () => rotationScenario('sqlite'));
describePostgres('key rotation on PostgreSQL', () => rotationScenario('postgres'));

describe('a did:key issuer cannot rotate', () => {
  let t: TestInstance;
  beforeAll(async () => {
    t = await createTestInstance();
  });
  afterAll(async () => t.close());

  it('explains why, recommends did:web, exits non-zero and changes nothing', async () => {
    const env = { EDUCRED_DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' };
    const before = { keys: await listKeysFromCli(env), files: readdirSync(path.join(t.dataDir, 'keys')).sort() };
    const refused = rotateKeyFromCli({}, env);
    await expect(refused).rejects.toThrow(CliError);
    await expect(rotateKeyFromCli({}, env)).rejects.toThrow(/did:key cannot rotate without changing identity.*did:web \(EDUCRED_DID_WEB_DOMAIN\)/);
    expect(((await refused.catch((e: CliError) => e)) as CliError).exitCode).not.toBe(0);
    expect(await listKeysFromCli(env)).toEqual(before.keys);
    expect(readdirSync(path.join(t.dataDir, 'keys')).sort()).toEqual(before.files);
  });
});

describe('a data dir from before the keys table', () => {
  it('keeps working: the next start records its key as current, and its badges verify', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'educred-keys-upgrade-'));
    const env = { EDUCRED_DATA_DIR: dataDir, EDUCRED_DID_WEB_DOMAIN: 'badges.upgrade.example' };
    try {
      const before = await createTestInstance({ env });
      const { credential } = await award(before, 9);
      const key = before.runtime.issuer.identity.verificationMethod;
      await before.close();
      // The database as migration 10 left it.
      const db = openSqliteFile(path.join(dataDir, 'educred.sqlite'));
      db.exec('DROP TABLE issuer_keys; DROP TABLE issuer_key_sets; DELETE FROM schema_migrations WHERE version = 11;');
      db.close();
      const after = await createTestInstance({ env });
      try {
        expect(await listKeysFromCli({ ...env, LOG_LEVEL: 'silent' })).toEqual([expect.objectContaining({ id: key, state: 'current', location: { keyFile: path.join('keys', 'issuer.json') } })]);
        const report = (await (await postJson(after.app, '/credentials/verify', { verifiableCredential: credential })).json()) as Json;
        expect(report.verified, JSON.stringify(report.errors)).toBe(true);
        expect(proofKey((await award(after, 10)).credential)).toBe(key);
      } finally {
        await after.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describePostgres('two nodes on one PostgreSQL', () => {
  let database: FreshDatabase;
  let nodes: TestInstance[];
  beforeAll(async () => {
    database = await freshPostgresDatabase('keys_two_nodes');
    const a = await createTestInstance({ env: { DATABASE_URL: database.url, EDUCRED_DID_WEB_DOMAIN: 'badges.two-nodes.example' } });
    // The second node has its own data dir with a copy of the first one's key file.
    const b = await createTestInstance({ env: { DATABASE_URL: database.url, EDUCRED_DID_WEB_DOMAIN: 'badges.two-nodes.example', EDUCRED_KEY_FILE: path.join(a.dataDir, 'keys', 'issuer.json') } });
    nodes = [a, b];
  }, 60_000);
  afterAll(async () => {
    for (const node of nodes ?? []) await node.close();
    await database?.drop();
  });

  const served = async (node: TestInstance): Promise<Json> => (await (await node.app.request('/.well-known/did.json')).json()) as Json;

  it('serve the same DID document after a rotation made through one of them, without a restart', async () => {
    expect(await served(nodes[1]!)).toEqual(await served(nodes[0]!));
    const env = { EDUCRED_DATA_DIR: nodes[0]!.dataDir, DATABASE_URL: database.url, EDUCRED_DID_WEB_DOMAIN: 'badges.two-nodes.example', LOG_LEVEL: 'silent' };
    const report = await rotateKeyFromCli({}, env);
    const [a, b] = [await served(nodes[0]!), await served(nodes[1]!)];
    expect(b).toEqual(a);
    expect(a.assertionMethod[0]).toBe(report.key.id);
    expect(a.verificationMethod).toHaveLength(2);
    expect(postgresTestMode()).toBe('run');
  });

  it('a node that cannot open the rotated key file refuses to sign (503, the key named only in its log); the other signs with it', async () => {
    await nodes[1]!.runtime.issuer.signingKey({ fresh: true });
    const refused = await postJson(nodes[1]!.app, '/awards', awardBody());
    expect(refused.status).toBe(503);
    const problem = (await refused.json()) as Json;
    expect(problem.type).toMatch(/signing-key-unavailable$/);
    expect(JSON.stringify(problem)).not.toMatch(/keys\/issuer-/);
    await nodes[0]!.runtime.issuer.signingKey({ fresh: true });
    const signed = await postJson(nodes[0]!.app, '/awards', awardBody());
    expect(signed.status).toBe(201);
    expect(proofKey(((await signed.json()) as Json).credential)).toBe(nodes[0]!.runtime.issuer.identity.verificationMethod);
  });
});
