// OpenID Federation 1.0 as a trust source: a trust anchor and an intermediate served on
// 127.0.0.1 over HTTPS, a leaf educred instance (did:web on its own address) whose Entity
// Configuration names the intermediate, and a verifier whose policy pins the anchor's keys.
// Positive: the chain resolves and the report names the federation source; negatives: each
// broken link leaves the issuer untrusted, with the reason.
import { createServer, type Server } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetcher } from '../../src/net/guardedFetch.js';
import { FederationTrust, verifyTrustChain, entityIdOfDidWeb, type FederationSource } from '../../src/verify/federation.js';
import { generateMultikey, writeKeyFile } from '../../src/signing/keys.js';
import { issuerIdentity } from '../../src/signing/did.js';
import { ADMIN_TOKEN, awardBody, createTestInstance, postJson, serveInstanceOn, type TestInstance } from '../helpers/app.js';
import { freePort } from '../helpers/ports.js';
import { TEST_TLS, TEST_TLS_CERT_FILE } from '../helpers/tls.js';

type Json = any;

interface FederationKey {
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  publicJwk: JWK;
}

const newKey = async (): Promise<FederationKey> => {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = await exportJWK(publicKey);
  return { privateKey, publicJwk: { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'EdDSA', use: 'sig' } };
};
const jwksOf = (key: FederationKey) => ({ keys: [key.publicJwk] });
const now = () => Math.floor(Date.now() / 1000);

const sign = (claims: Record<string, unknown>, key: FederationKey, typ = 'entity-statement+jwt'): Promise<string> =>
  new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ, kid: key.publicJwk.kid as string }).sign(key.privateKey);

/** A federation authority (anchor or intermediate) on its own HTTPS port: its configuration and a fetch endpoint. */
interface Authority {
  id: string;
  key: FederationKey;
  hints: string[];
  /** The statements it issues, by subject: the subject's keys, and what a test changes. */
  subordinates: Map<string, { jwks: unknown; tamper?: (claims: Record<string, unknown>) => Record<string, unknown>; signWith?: FederationKey }>;
  server: Server;
}

async function startAuthority(): Promise<Authority> {
  const port = await freePort();
  const id = `https://127.0.0.1:${port}`;
  const authority: Authority = { id, key: await newKey(), hints: [], subordinates: new Map(), server: undefined as unknown as Server };
  authority.server = createServer(TEST_TLS, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', id);
      let jwt: string | undefined;
      if (url.pathname === '/.well-known/openid-federation') {
        jwt = await sign(
          {
            iss: id,
            sub: id,
            iat: now(),
            exp: now() + 3600,
            jwks: jwksOf(authority.key),
            ...(authority.hints.length ? { authority_hints: authority.hints } : {}),
            metadata: { federation_entity: { organization_name: `Authority ${port}`, federation_fetch_endpoint: `${id}/fetch` } },
          },
          authority.key,
        );
      } else if (url.pathname === '/fetch') {
        const sub = url.searchParams.get('sub') ?? '';
        const entry = authority.subordinates.get(sub);
        if (entry) {
          const claims = { iss: id, sub, iat: now(), exp: now() + 3600, jwks: entry.jwks };
          jwt = await sign(entry.tamper ? entry.tamper(claims) : claims, entry.signWith ?? authority.key);
        }
      }
      if (jwt === undefined) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not_found"}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/entity-statement+jwt' }).end(jwt);
    })();
  });
  await new Promise<void>((resolve) => authority.server.listen(port, '127.0.0.1', resolve));
  return authority;
}

const scratch = mkdtempSync(path.join(tmpdir(), 'educred-federation-'));
const guarded = createGuardedFetcher({ allowPrivateNetworks: true, ca: TEST_TLS.cert });
let anchor: Authority;
let intermediate: Authority;
let leaf: TestInstance & { origin: string };
let leafDid: string;
let leafJwks: unknown;
let badge: Json;
const authorities: Authority[] = [];

const source = (overrides: Partial<FederationSource> = {}): FederationSource => ({ name: 'Teacher credential federation', format: 'openid-federation', trustAnchors: [{ entityId: anchor.id, jwks: jwksOf(anchor.key) as FederationSource['trustAnchors'][number]['jwks'], name: 'State A' }], ...overrides });
const lookup = (s: FederationSource = source(), did = leafDid) => new FederationTrust(s, guarded.fetchText).lookup(did);

beforeAll(async () => {
  anchor = await startAuthority();
  intermediate = await startAuthority();
  authorities.push(anchor, intermediate);
  const port = await freePort();
  const keyFile = path.join(scratch, 'leaf-key.json');
  const key = await generateMultikey();
  writeKeyFile(keyFile, key);
  const domain = `127.0.0.1%3A${port}`;
  leafDid = issuerIdentity(key.publicKeyMultibase, domain).did;
  leaf = await serveInstanceOn(port, {
    tls: TEST_TLS,
    env: { EDUCRED_KEY_FILE: keyFile, EDUCRED_DID_WEB_DOMAIN: domain, EDUCRED_ISSUER_NAME: 'Program F', EDUCRED_FEDERATION_AUTHORITY_HINTS: intermediate.id },
  });
  const configuration = await guarded.fetchText(`${leaf.origin}/.well-known/openid-federation`, { types: ['application/entity-statement+jwt'] });
  leafJwks = (decodeJwt(configuration) as Json).jwks;
  // The federation registers its members: the anchor vouches for the intermediate, the intermediate for the leaf.
  anchor.subordinates.set(intermediate.id, { jwks: jwksOf(intermediate.key) });
  intermediate.hints = [anchor.id];
  intermediate.subordinates.set(leaf.origin, { jwks: leafJwks });
  const res = await postJson(leaf.app, '/awards', awardBody({ achievement: 'formative-assessment' }));
  expect(res.status).toBe(201);
  badge = ((await res.json()) as Json).credential;
}, 60_000);

afterAll(async () => {
  await leaf?.close();
  await Promise.all(authorities.map((a) => new Promise<void>((done) => a.server.close(() => done()))));
  rmSync(scratch, { recursive: true, force: true });
});

describe("educred's own Entity Configuration", () => {
  it('GET /.well-known/openid-federation is a self-signed entity statement naming the issuer DID and the configured superiors', async () => {
    const res = await leaf.app.request('/.well-known/openid-federation');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/entity-statement+jwt');
    const jwt = await res.text();
    const header = decodeProtectedHeader(jwt);
    const claims = decodeJwt(jwt) as Json;
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'entity-statement+jwt' });
    expect(claims.iss).toBe(leaf.origin);
    expect(claims.sub).toBe(leaf.origin);
    expect(claims.exp - claims.iat).toBe(86_400);
    expect(claims.authority_hints).toEqual([intermediate.id]);
    expect(claims.jwks.keys).toHaveLength(1);
    expect(claims.jwks.keys[0].kid).toBe(header.kid);
    expect(claims.metadata.federation_entity.organization_name).toBe('Program F');
    expect(claims.metadata.openid_credential_issuer).toMatchObject({ credential_issuer: leaf.origin, issuer_did: leafDid });
    // The federation key is not the issuer key.
    expect(JSON.stringify(claims.jwks)).not.toContain(leafDid.split(':').at(-1));
    if (process.env.EDUCRED_PRINT_EXAMPLES) console.log(JSON.stringify({ header, claims }, null, 2));
  });

  it('without EDUCRED_FEDERATION_AUTHORITY_HINTS there is no authority_hints claim; a bad hint is a configuration error', async () => {
    const plain = await createTestInstance();
    try {
      const claims = decodeJwt(await (await plain.app.request('/.well-known/openid-federation')).text()) as Json;
      expect(claims.authority_hints).toBeUndefined();
    } finally {
      await plain.close();
    }
    await expect(createTestInstance({ env: { EDUCRED_FEDERATION_AUTHORITY_HINTS: 'http://ta.example' } })).rejects.toThrow(/EDUCRED_FEDERATION_AUTHORITY_HINTS/);
  });
});

describe('a verifier that trusts a federation anchor', () => {
  it('trusts the leaf issuer through leaf → intermediate → anchor, and the report names the source, entity and anchor', async () => {
    const policyFile = path.join(scratch, 'federation-policy.json');
    writeFileSync(policyFile, JSON.stringify({ name: 'State A', registries: [source()] }));
    const verifier = await createTestInstance({ env: { EDUCRED_TRUST_POLICY: policyFile, EDUCRED_FETCH_ALLOW_PRIVATE: 'true', EDUCRED_FETCH_CA_FILE: TEST_TLS_CERT_FILE } });
    try {
      const res = await postJson(verifier.app, '/credentials/verify', { verifiableCredential: badge }, { Authorization: `Bearer ${ADMIN_TOKEN}` });
      const body = (await res.json()) as Json;
      expect(body.verified).toBe(true);
      expect(body.report.trust).toMatchObject({ trusted: true, via: 'federation', registry: 'Teacher credential federation', federation: { entity: leaf.origin, trustAnchor: `State A (${anchor.id})` } });
      expect(body.report.trust.reason).toMatch(new RegExp(`^The issuer Program F \\(${leafDid.replace(/[.%]/g, '\\$&')}\\) is the federation entity ${leaf.origin.replace(/[.]/g, '\\.')}, with a trust chain to the trust anchor State A`));
    } finally {
      await verifier.close();
    }
  });

  it('an anchor the policy does not list: not trusted, and the report says why', async () => {
    const other = await newKey();
    const policyFile = path.join(scratch, 'other-anchor-policy.json');
    writeFileSync(policyFile, JSON.stringify({ name: 'State C', registries: [source({ trustAnchors: [{ entityId: 'https://anchor.state-c.example', jwks: jwksOf(other) as never }] })] }));
    const verifier = await createTestInstance({ env: { EDUCRED_TRUST_POLICY: policyFile, EDUCRED_FETCH_ALLOW_PRIVATE: 'true', EDUCRED_FETCH_CA_FILE: TEST_TLS_CERT_FILE } });
    try {
      const body = (await (await postJson(verifier.app, '/credentials/verify', { verifiableCredential: badge })).json()) as Json;
      expect(body.verified).toBe(true);
      expect(body.report.trust.trusted).toBe(false);
      expect(body.report.trust.reason).toMatch(/no OpenID Federation trust chain to an anchor it accepts \(Teacher credential federation: .*names no superior \(authority_hints\) and is not a trust anchor this verifier accepts\)/);
    } finally {
      await verifier.close();
    }
  });

  it('a saved chain (pinned file) is verified offline, with the same checks', async () => {
    const chain = [
      await guarded.fetchText(`${leaf.origin}/.well-known/openid-federation`, { types: ['application/entity-statement+jwt'] }),
      await guarded.fetchText(`${intermediate.id}/fetch?sub=${encodeURIComponent(leaf.origin)}`, { types: ['application/entity-statement+jwt'] }),
      await guarded.fetchText(`${anchor.id}/fetch?sub=${encodeURIComponent(intermediate.id)}`, { types: ['application/entity-statement+jwt'] }),
    ];
    const file = path.join(scratch, 'chain.json');
    writeFileSync(file, JSON.stringify([chain]));
    // No fetcher at all: nothing can be fetched.
    const found = await new FederationTrust(source({ file }), undefined).lookup(leafDid);
    expect(found.listing).toMatchObject({ entity: leaf.origin, registry: 'Teacher credential federation', source: file });
    // Another DID is not in the saved chain.
    expect((await new FederationTrust(source({ file }), undefined).lookup('did:web:elsewhere.example')).listing).toBeUndefined();
    // The same chain, an hour and more later: its statements have expired.
    const later = await new FederationTrust(source({ file }), undefined, () => Date.now() + 2 * 3600_000).lookup(leafDid);
    expect(later.listing).toBeUndefined();
    expect(later.reason).toMatch(/expired/);
    // A chain with the intermediate's statement left out does not verify.
    await expect(verifyTrustChain([chain[0] as string, chain[2] as string], source().trustAnchors)).rejects.toMatchObject({ code: 'federation_subject_mismatch' });
  });
});

describe('broken chains are not trusted, each with its reason', () => {
  const withSubordinate = async (authority: Authority, sub: string, change: Partial<{ tamper: (c: Record<string, unknown>) => Record<string, unknown>; signWith: FederationKey; jwks: unknown }>, run: () => Promise<void>) => {
    const saved = authority.subordinates.get(sub);
    authority.subordinates.set(sub, { jwks: saved?.jwks, ...change });
    try {
      await run();
    } finally {
      if (saved) authority.subordinates.set(sub, saved);
    }
  };

  it('the positive case first: the chain resolves', async () => {
    const found = await lookup();
    expect(found.reason).toBeUndefined();
    expect(found.listing?.trustAnchor).toBe(`State A (${anchor.id})`);
  });

  it('a subordinate statement signed with another key', async () => {
    await withSubordinate(intermediate, leaf.origin, { signWith: await newKey() }, async () => {
      const found = await lookup();
      expect(found.listing).toBeUndefined();
      expect(found.reason).toMatch(/does not verify with/);
    });
  });

  it('the anchor pinned with other keys than it signs with', async () => {
    const found = await lookup(source({ trustAnchors: [{ entityId: anchor.id, jwks: jwksOf(await newKey()) as never }] }));
    expect(found.listing).toBeUndefined();
    expect(found.reason).toMatch(/pinned keys of the trust anchor/);
  });

  it('leaf keys the intermediate does not vouch for (its statement pins other keys)', async () => {
    await withSubordinate(intermediate, leaf.origin, { jwks: jwksOf(await newKey()) }, async () => {
      const found = await lookup();
      expect(found.reason).toMatch(new RegExp(`The statement by ${leaf.origin.replace(/\./g, '\\.')} about .* does not verify with the keys ${intermediate.id.replace(/\./g, '\\.')} states`));
    });
  });

  it('an expired subordinate statement', async () => {
    await withSubordinate(intermediate, leaf.origin, { tamper: (c) => ({ ...c, iat: now() - 7200, exp: now() - 3600 }) }, async () => {
      const found = await lookup();
      expect(found.listing).toBeUndefined();
      expect(found.reason).toMatch(/expired at/);
    });
  });

  it('a subordinate statement about another subject', async () => {
    await withSubordinate(intermediate, leaf.origin, { tamper: (c) => ({ ...c, sub: 'https://someone-else.example' }) }, async () => {
      const found = await lookup();
      expect(found.listing).toBeUndefined();
      expect(found.reason).toMatch(/is about https:\/\/someone-else\.example, not about/);
    });
  });

  it('a critical claim or an unknown constraint is refused rather than ignored', async () => {
    await withSubordinate(intermediate, leaf.origin, { tamper: (c) => ({ ...c, constraints: { naming_constraints: { permitted: ['.example'] } } }) }, async () => {
      expect((await lookup()).reason).toMatch(/constraint naming_constraints/);
    });
    await withSubordinate(intermediate, leaf.origin, { tamper: (c) => ({ ...c, metadata_policy_crit: ['regexp'] }) }, async () => {
      expect((await lookup()).reason).toMatch(/metadata_policy_crit/);
    });
  });

  it("a superior's metadata policy that excludes the issuer DID", async () => {
    await withSubordinate(intermediate, leaf.origin, { tamper: (c) => ({ ...c, metadata_policy: { openid_credential_issuer: { issuer_did: { one_of: ['did:web:other.example'] } } } }) }, async () => {
      expect((await lookup()).reason).toMatch(/allows issuer_did only one of/);
    });
  });

  it('a loop in authority_hints', async () => {
    const a = await startAuthority();
    const b = await startAuthority();
    authorities.push(a, b);
    a.hints = [b.id];
    b.hints = [a.id];
    b.subordinates.set(a.id, { jwks: jwksOf(a.key) });
    a.subordinates.set(b.id, { jwks: jwksOf(b.key) });
    const saved = intermediate.hints;
    intermediate.hints = [a.id];
    a.subordinates.set(intermediate.id, { jwks: jwksOf(intermediate.key) });
    try {
      const found = await lookup();
      expect(found.listing).toBeUndefined();
      expect(found.reason).toMatch(/loop/);
    } finally {
      intermediate.hints = saved;
    }
  });

  it('a chain longer than six statements', async () => {
    // leaf → intermediate → j1 → … → j5 → anchor: seven statements.
    const chainOf: Authority[] = [];
    for (let i = 0; i < 5; i++) chainOf.push(await startAuthority());
    authorities.push(...chainOf);
    const saved = intermediate.hints;
    let below: Authority = intermediate;
    for (const j of chainOf) {
      below.hints = [j.id];
      j.subordinates.set(below.id, { jwks: jwksOf(below.key) });
      below = j;
    }
    below.hints = [anchor.id];
    anchor.subordinates.set(below.id, { jwks: jwksOf(below.key) });
    try {
      const found = await lookup();
      expect(found.listing).toBeUndefined();
      expect(found.reason).toMatch(/No trust anchor within 6 statements|more than 12 fetches/);
    } finally {
      intermediate.hints = saved;
    }
  });

  it('an entity that does not name the DID is not its issuer; did:web maps to its origin', async () => {
    const found = await lookup(source(), `did:web:${new URL(leaf.origin).host.replace(':', '%3A')}:other`);
    expect(found.listing).toBeUndefined();
    expect(entityIdOfDidWeb('did:web:example.org:programs:p')).toBe('https://example.org/programs/p');
    expect(entityIdOfDidWeb('did:web:127.0.0.1%3A8443')).toBe('https://127.0.0.1:8443');
    expect(entityIdOfDidWeb('did:web:evil.example%2Fpath')).toBeUndefined();
    // did:key names no origin: without configured entities nothing is fetched.
    expect((await lookup(source(), 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')).reason).toMatch(/names no web origin/);
  });

  it('the policy refuses an http anchor, no anchors, or entities beside a pinned file', async () => {
    const { parseTrustPolicy } = await import('../../src/verify/trustPolicy.js');
    const jwks = jwksOf(await newKey());
    expect(() => parseTrustPolicy({ registries: [{ name: 'f', format: 'openid-federation', trustAnchors: [{ entityId: 'http://ta.example', jwks }] }] })).toThrow(/registries\.0\.trustAnchors\.0\.entityId/);
    expect(() => parseTrustPolicy({ registries: [{ name: 'f', format: 'openid-federation', trustAnchors: [] }] })).toThrow(/trustAnchors/);
    expect(() => parseTrustPolicy({ registries: [{ name: 'f', format: 'openid-federation', trustAnchors: [{ entityId: 'https://ta.example', jwks }], file: 'x', entities: ['https://e.example'] }] })).toThrow(/pinned "file"/);
  });
});
