// The `educred` command line, run as the compiled bin (`node dist/cli.js`) the way an operator
// or a conformance harness runs it: keys generate, deterministic offline signing, clear
// failures on bad input, and issuing against a local database.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vc from '@digitalbazaar/vc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDidKey } from '../src/signing/did.js';
import { createDocumentLoader } from '../src/signing/documentLoader.js';
import { createVerifyingSuites } from '../src/signing/suites.js';
import { sql } from 'kysely';
import { openStore, type Store } from '../src/store/store.js';
import { createTestInstance, masteryEvidence } from './helpers/app.js';
import { csvBatch } from './helpers/batch.js';
import { libraryCheckStatus, statusEntries } from './helpers/status.js';

type Json = Record<string, any>;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'cli.js');
const FIXTURE = readFileSync(new URL('./fixtures/cli/credential.json', import.meta.url), 'utf8');
const CREATED = '2010-01-01T19:23:24Z';
const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey });

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function educred(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Run {
  return run(args, options);
}

function run(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Run {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: work,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent', ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let work: string;
let keyFile: string;
let key: Json;
/** The fixture credential, issued by the generated key's DID. */
let credential: string;

beforeAll(() => {
  // The tests exercise the bin as shipped, so compile it first.
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  work = mkdtempSync(path.join(tmpdir(), 'educred-cli-'));
  keyFile = path.join(work, 'keys', 'issuer.json');
  const generated = educred(['keys', 'generate']);
  if (generated.status !== 0) throw new Error(generated.stderr);
  key = JSON.parse(readFileSync(keyFile, 'utf8')) as Json;
  credential = JSON.stringify({ ...JSON.parse(FIXTURE), issuer: { ...JSON.parse(FIXTURE).issuer, id: key.controller } });
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('educred keys generate', () => {
  it('writes keys/issuer.json by default as a Multikey readable by its owner only (0600)', () => {
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(key).toMatchObject({ type: 'Multikey', controller: expect.stringMatching(/^did:key:z6Mk/) });
    expect(key.id).toBe(`${key.controller}#${key.publicKeyMultibase}`);
    expect(key.secretKeyMultibase).toMatch(/^z/);
  });

  it('prints the public key and DID, never the secret key', () => {
    const out = path.join(work, 'other.json');
    const run = educred(['keys', 'generate', '--out', out, '--controller', 'did:web:example.edu']);
    expect(run.status).toBe(0);
    const printed = JSON.parse(run.stdout) as Json;
    const written = JSON.parse(readFileSync(out, 'utf8')) as Json;
    expect(printed).toEqual({ file: out, id: written.id, controller: 'did:web:example.edu', publicKeyMultibase: written.publicKeyMultibase });
    expect(run.stdout + run.stderr).not.toContain(written.secretKeyMultibase);
    expect(run.stdout).not.toContain('secret');
  });

  it('refuses to overwrite an existing key file', () => {
    const before = readFileSync(keyFile, 'utf8');
    const run = educred(['keys', 'generate']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/already exists; refusing to overwrite/);
    expect(readFileSync(keyFile, 'utf8')).toBe(before);
  });
});

describe('educred sign', () => {
  for (const suite of ['eddsa-rdfc-2022', 'Ed25519Signature2020'] as const) {
    it(`is deterministic for a given key, document and --created (${suite})`, () => {
      const args = ['sign', '--key', keyFile, '--suite', suite, '--created', CREATED];
      const first = educred(args, { input: credential });
      const second = educred(args, { input: credential });
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(second.stdout).toBe(first.stdout);
    });

    it(`produces a credential that @digitalbazaar/vc verifies, attributed to the key's id (${suite})`, async () => {
      const run = educred(['sign', '--key', keyFile, '--suite', suite, '--created', CREATED], { input: credential });
      const signed = JSON.parse(run.stdout) as Json;
      expect(signed.proof[0]).toMatchObject({ created: CREATED, verificationMethod: key.id, proofPurpose: 'assertionMethod' });
      const result = await vc.verifyCredential({ credential: signed, suite: createVerifyingSuites(), documentLoader });
      expect(result.verified, JSON.stringify(result.error)).toBe(true);
    });
  }

  it('fails with a clear message when the document uses an unknown context', () => {
    const doc = JSON.parse(credential) as Json;
    doc['@context'].push('https://example.org/unknown-context.jsonld');
    const run = educred(['sign', '--key', keyFile], { input: JSON.stringify(doc) });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("Unknown context 'https://example.org/unknown-context.jsonld'");
  });

  it('fails when JSON-LD safe mode finds a term no context defines, naming the term', () => {
    const doc = JSON.parse(credential) as Json;
    doc.credentialSubject.favouriteColour = 'teal';
    const run = educred(['sign', '--key', keyFile], { input: JSON.stringify(doc) });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/safe mode.*'favouriteColour'/);
  });

  it('fails when the input is not JSON', () => {
    const run = educred(['sign', '--key', keyFile], { input: '{"@context": ' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/not valid JSON/);
  });

  it('fails on a --created that is not an ISO date-time', () => {
    const run = educred(['sign', '--key', keyFile, '--created', 'yesterday'], { input: credential });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/--created must be an ISO 8601 date-time/);
  });
});

describe('educred issue', () => {
  let dataDir: string;
  let evidenceFile: string;
  beforeAll(() => {
    dataDir = path.join(work, 'data');
    evidenceFile = path.join(work, 'evidence.json');
    writeFileSync(evidenceFile, JSON.stringify(masteryEvidence()));
  });
  const env = (): Record<string, string> => ({ EDUCRED_DATA_DIR: dataDir, BASE_URL: 'https://badges.example.edu' });

  it('awards a badge against the local database and prints {id, credential, claimUrl} with --json', async () => {
    const run = educred(
      ['issue', '--achievement', 'formative-assessment', '--recipient-email', 'Ana@Example.edu', '--name', 'Ana Lopez', '--evidence', evidenceFile, '--json'],
      { env: env() },
    );
    expect(run.status, run.stderr).toBe(0);
    const { id, credential: issued, claimUrl } = JSON.parse(run.stdout) as Json;
    expect(issued.id).toBe(`https://badges.example.edu/credentials/${id}`);
    expect(claimUrl).toMatch(/^https:\/\/badges\.example\.edu\/claim\/[A-Za-z0-9_-]{43}$/);
    expect(issued.type).toContain('OpenBadgeCredential');
    expect(issued.credentialSubject.achievement.humanCode).toBe('formative-assessment');
    expect(JSON.stringify(issued)).not.toContain('Ana@Example.edu');
    // The service over the same data folder publishes the badge's status list.
    const service = await createTestInstance({ env: env() });
    try {
      const result = await vc.verifyCredential({ credential: issued, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(service), documentLoader });
      expect(result.verified, JSON.stringify(result.error)).toBe(true);
    } finally {
      await service.close();
    }
  });

  it('issues badges that can be revoked: one revocation status entry, which `educred revoke` sets and the service publishes', async () => {
    const run = educred(['issue', '--achievement', 'differentiated-support', '--recipient-did', 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH', '--evidence', evidenceFile, '--json'], { env: env() });
    expect(run.status, run.stderr).toBe(0);
    const { id, credential: issued } = JSON.parse(run.stdout) as Json;
    expect(statusEntries(issued).map((e) => e.statusPurpose)).toEqual(['revocation']);
    expect(issued.credentialStatus.statusListCredential).toMatch(/^https:\/\/badges\.example\.edu\/status\//);
    const revoked = educred(['revoke', id, '--reason', 'Issued to the wrong candidate'], { env: env() });
    expect(revoked.status, revoked.stderr).toBe(0);
    const service = await createTestInstance({ env: env() });
    try {
      const report = await service.runtime.verifier.verifyCredential(issued);
      expect(report.checks.find((c) => c.check === 'status')).toMatchObject({ passed: false, code: 'revoked' });
    } finally {
      await service.close();
    }
  });

  it('a badge revoked with `educred revoke` is not handed out through its claim link, and a replay gives no link', async () => {
    const args = ['issue', '--achievement', 'formative-assessment', '--recipient-email', 'cli.revoked@example.edu', '--name', 'Ana Lopez', '--evidence', evidenceFile, '--idempotency-key', 'cli-revoked-1', '--json'];
    const issued = educred(args, { env: env() });
    expect(issued.status, issued.stderr).toBe(0);
    const { id, claimUrl } = JSON.parse(issued.stdout) as Json;
    expect(educred(['revoke', id, '--reason', 'awarded in error'], { env: env() }).status).toBe(0);
    const replay = educred(args, { env: env() });
    expect(JSON.parse(replay.stdout)).toMatchObject({ id, claimUrl: null, claimUnavailable: 'revoked' });
    const service = await createTestInstance({ env: env() });
    try {
      const page = await service.app.request(new URL(claimUrl).pathname);
      expect(await page.text()).toContain('Revoked');
      expect((await service.app.request(`${new URL(claimUrl).pathname}/download`, { method: 'POST' })).status).toBe(409);
    } finally {
      await service.close();
    }
  });

  it('takes the whole POST /awards body with --request and honours --idempotency-key', () => {
    const requestFile = path.join(work, 'award.json');
    writeFileSync(
      requestFile,
      JSON.stringify({ recipient: { id: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' }, achievement: 'aligned-instruction', evidence: masteryEvidence() }),
    );
    const args = ['issue', '--request', requestFile, '--idempotency-key', 'cli-retry-1', '--json'];
    const first = educred(args, { env: env() });
    const second = educred(args, { env: env() });
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(second.stdout).id).toBe(JSON.parse(first.stdout).id);
    // The replay hands out the claim link already sent, not a new one that retires it.
    expect(JSON.parse(second.stdout).claimUrl).toBe(JSON.parse(first.stdout).claimUrl);
  });

  it('prints the claim link for a person, and it opens the claim page of the server on the same data folder', async () => {
    writeFileSync(evidenceFile, JSON.stringify(masteryEvidence()));
    const run = educred(['issue', '--achievement', 'formative-assessment', '--recipient-email', 'cli.claim@example.edu', '--name', 'Ana Lopez', '--evidence', evidenceFile], { env: env() });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Awarded: Formative Assessment \(award [0-9a-f-]{36}\)$/m);
    const claimUrl = /^Claim link .*: (https:\/\/badges\.example\.edu\/claim\/[A-Za-z0-9_-]{43})$/m.exec(run.stdout)?.[1];
    expect(claimUrl, run.stdout).toBeDefined();
    // The claim-link secret was made at first start, owner-only, and never printed.
    const secretFile = path.join(dataDir, 'keys', 'claim-links.key');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(secretFile)).toHaveLength(32);
    const server = await createTestInstance({ env: env() });
    try {
      const page = await server.app.request(new URL(claimUrl!).pathname);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Your badge: Formative Assessment');
    } finally {
      await server.close();
    }
  });

  it('--json FILE writes the results with the claim link into FILE (0600) and the human lines on stdout', () => {
    const out = path.join(work, 'issued.json');
    const run = educred(['issue', '--achievement', 'formative-assessment', '--recipient-email', 'cli.file@example.edu', '--name', 'Ana Lopez', '--evidence', evidenceFile, '--json', out], { env: env() });
    expect(run.status, run.stderr).toBe(0);
    const written = JSON.parse(readFileSync(out, 'utf8')) as Json;
    expect(Object.keys(written)).toEqual(['id', 'credential', 'claimUrl', 'claimExpiresAt']);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(run.stdout).toContain(written.claimUrl);
    expect(run.stdout).toContain(`Results written to ${out}`);
  });

  it('issue --csv prints each awarded row with its claim link; --json FILE has them; a re-run gives the same links', async () => {
    const csv = path.join(work, 'cohort.csv');
    writeFileSync(csv, csvBatch(2, 900) + 'not-an-email,Nobody,formative-assessment,2026-03-01|Dr K|proficient\n');
    const csvEnv = { ...env(), EDUCRED_SIGNING_WORKERS: '1' };
    const run = educred(['issue', '--csv', csv], { env: csvEnv });
    expect(run.status, run.stderr).toBe(2);
    const links = [...run.stdout.matchAll(/^ {2}line (\d+) {2}(\S+) {2}(https:\/\/badges\.example\.edu\/claim\/[A-Za-z0-9_-]{43})/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(links.map(([line, recipient]) => [line, recipient])).toEqual([
      ['2', 'educator900@example.edu'],
      ['3', 'educator901@example.edu'],
    ]);
    expect(run.stdout).toMatch(/^ {2}line 4 {2}invalid {2}.*\/recipient\/email/m);

    const out = path.join(work, 'cohort.json');
    const again = educred(['issue', '--csv', csv, '--json', out], { env: csvEnv });
    expect(again.status, again.stderr).toBe(2);
    const results = JSON.parse(readFileSync(out, 'utf8')) as Json;
    expect(results.counts).toMatchObject({ existing: 2, invalid: 1 });
    expect(results.awarded.map((r: Json) => [r.line, r.claimUrl])).toEqual(links.map(([line, , url]) => [Number(line), url]));
    expect(results.awarded[0].claimExpiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const server = await createTestInstance({ env: env() });
    try {
      for (const [, , url] of links) expect((await server.app.request(new URL(url!).pathname)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('refuses evidence that does not meet the mastery rule, saying what is missing', () => {
    writeFileSync(evidenceFile, JSON.stringify(masteryEvidence(2)));
    const run = educred(['issue', '--achievement', 'formative-assessment', '--recipient-did', 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', '--evidence', evidenceFile], { env: env() });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/mastery rule.*at least 5 observations/);
  });

  it('returns the existing award for the same award issued again (one badge per recipient, achievement and level), and exits 1 naming it for a different request', () => {
    const evidence = path.join(work, 'evidence-once.json');
    writeFileSync(evidence, JSON.stringify(masteryEvidence()));
    const args = ['issue', '--achievement', 'formative-assessment', '--recipient-did', 'did:example:cli-once', '--evidence', evidence, '--json'];
    const first = educred(args, { env: env() });
    expect(first.status, first.stderr).toBe(0);
    const again = educred(args, { env: env() });
    expect(again.status, again.stderr).toBe(0);
    const [issued, replayed] = [JSON.parse(first.stdout) as Json, JSON.parse(again.stdout) as Json];
    expect(replayed.id).toBe(issued.id);
    expect(replayed.replayed).toBe(true);
    expect(issued.replayed).toBeUndefined();
    writeFileSync(evidence, JSON.stringify(masteryEvidence().map((o) => ({ ...o, observer: 'Sam Okafor' }))));
    const other = educred(args, { env: env() });
    expect(other.status).toBe(1);
    expect(other.stdout).toBe('');
    expect(other.stderr).toContain(`award ${issued.id as string}`);
  });

  it('refuses five observations on one day: the mastery rule counts distinct dates', () => {
    const evidence = path.join(work, 'evidence-one-day.json');
    writeFileSync(evidence, JSON.stringify(Array.from({ length: 5 }, () => masteryEvidence(1)[0])));
    const run = educred(['issue', '--achievement', 'formative-assessment', '--recipient-did', 'did:example:cli-one-day', '--evidence', evidence], { env: env() });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('at least 5 observations are required on distinct dates; 1 distinct date given');
  });

  it('awards nothing twice when a CSV is issued again in another file or under another batch id', () => {
    const rows = ['recipient_email,recipient_name,achievement,observations'];
    const observations = masteryEvidence().map((o) => `${o.date}|${o.observer}|${o.level}`).join('; ');
    for (let i = 0; i < 3; i++) rows.push(`cli-csv-${i}@example.edu,Educator ${i},formative-assessment,${observations}`);
    const file = path.join(work, 'term.csv');
    writeFileSync(file, rows.join('\n') + '\n');
    const first = educred(['issue', '--csv', file, '--json'], { env: { ...env(), EDUCRED_SIGNING_WORKERS: '1' } });
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).counts).toMatchObject({ issued: 3 });
    const other = educred(['issue', '--csv', file, '--batch-id', 'term-again', '--json'], { env: { ...env(), EDUCRED_SIGNING_WORKERS: '1' } });
    expect(other.status, other.stderr).toBe(0);
    expect(JSON.parse(other.stdout).counts).toMatchObject({ issued: 0, existing: 3 });
    const longer = path.join(work, 'term-corrected.csv');
    writeFileSync(longer, [...rows, `cli-csv-3@example.edu,Educator 3,formative-assessment,${observations}`].join('\n') + '\n');
    const corrected = educred(['issue', '--csv', longer, '--json'], { env: { ...env(), EDUCRED_SIGNING_WORKERS: '1' } });
    expect(corrected.status, corrected.stderr).toBe(0);
    expect(JSON.parse(corrected.stdout).counts).toMatchObject({ issued: 1, existing: 3 });
  });

  it('validates the request with the same schema as POST /awards', () => {
    const run = educred(['issue', '--achievement', 'formative-assessment', '--recipient-email', 'not-an-email', '--name', 'X', '--evidence', evidenceFile], { env: env() });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/Invalid award request/);
  });
});

describe('educred verify', () => {
  // Vitest puts BASE_URL=/ in the environment; give the CLI a real one.
  const educred = (args: string[], options: { env?: Record<string, string> } = {}): Run => run(args, { env: { BASE_URL: 'http://localhost:3000', ...options.env } });
  const elsewhere = fileURLToPath(new URL('./fixtures/elsewhere/', import.meta.url));
  const vector = `${elsewhere}ob3-spec-eddsa-rdfc-2022.json`;
  const documents = `${elsewhere}documents`;

  it('exits 0 for a verified credential and prints the checklist', () => {
    const run = educred(['verify', vector, '--documents', documents, '--offline']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^VERIFIED: Teamwork from Example Corp/);
    expect(run.stdout).toMatch(/✓ proof: Signature valid/);
    expect(run.stdout).toMatch(/✗ trust: Not trusted/);
  });

  it('exits 1 for a tampered credential, naming the failed check; --json gives the report', () => {
    const tampered = path.join(work, 'tampered.json');
    writeFileSync(tampered, readFileSync(vector, 'utf8').replace('"Teamwork"', '"Teamwerk"'));
    const run = educred(['verify', tampered, '--documents', documents, '--offline', '--json']);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as Json;
    expect(report.kind).toBe('credential');
    expect(report.report.checks.find((c: Json) => c.check === 'proof')).toMatchObject({ passed: false, code: 'signature_invalid' });
  });

  it('exits 1 when a named rule is not met, even though the credential verifies', () => {
    const run = educred(['verify', vector, '--documents', documents, '--offline', '--rule', 'online-teaching']);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/NOT APPROVED: Online teaching approval/);
  });

  it('exits 2 when it cannot run: no such file, an invalid policy, an unknown rule', () => {
    expect(educred(['verify', path.join(work, 'missing.json')]).status).toBe(2);
    const policy = path.join(work, 'bad-policy.json');
    writeFileSync(policy, JSON.stringify({ trustedIssuers: [{ id: 'not a did' }] }));
    const bad = educred(['verify', vector, '--policy', policy]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/trustedIssuers\.0\.id: must be a DID or an https URL/);
    expect(educred(['verify', vector, '--rule', 'no-such-rule', '--offline']).stderr).toMatch(/Unknown approval rule 'no-such-rule'/);
  });
});

describe('educred endorse', () => {
  const educred = (args: string[], options: { env?: Record<string, string> } = {}): Run => run(args, { env: { BASE_URL: 'http://localhost:3000', ...options.env } });
  it('signs an EndorsementCredential about a program DID, which verifies', async () => {
    const env = { EDUCRED_DATA_DIR: path.join(work, 'agency'), EDUCRED_ISSUER_NAME: 'State A Department of Education' };
    const out = path.join(work, 'endorsement.json');
    const run = educred(['endorse', '--issuer', 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', '--issuer-name', 'Program P', '--valid-until', '2030-01-01T00:00:00Z', '--out', out], { env });
    expect(run.status, run.stderr).toBe(0);
    const endorsement = JSON.parse(readFileSync(out, 'utf8')) as Json;
    expect(endorsement.type).toEqual(['VerifiableCredential', 'EndorsementCredential']);
    expect(endorsement.credentialSubject).toMatchObject({ id: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', type: ['EndorsementSubject'] });
    const verified = educred(['verify', out], { env });
    expect(verified.status, verified.stdout).toBe(0);
  });

  it('refuses a malformed DID', () => {
    const run = educred(['endorse', '--issuer', 'program-p'], { env: { EDUCRED_DATA_DIR: path.join(work, 'agency') } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--issuer: must be the DID of the issuer being endorsed/);
  });
});

describe('educred tokens list and revoke', () => {
  // Its own data folder: the tokens of this block are the only ones in it.
  const env = (): Record<string, string> => ({ EDUCRED_DATA_DIR: path.join(work, 'tokens'), BASE_URL: 'http://localhost:3000' });
  const created = (name: string, scopes: string): Json => {
    const result = educred(['tokens', 'create', '--name', name, '--scopes', scopes], { env: env() });
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Json;
  };
  const withStore = async <T>(use: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openStore({ engine: 'sqlite', file: path.join(work, 'tokens', 'educred.sqlite') });
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  };
  const listed = (): Json[] => JSON.parse(educred(['tokens', 'list', '--json'], { env: env() }).stdout) as Json[];

  // Several runs of the bin, each a second or more on a loaded machine.
  it('lists every token with id, name, scopes and times (--json), never a secret or hash', { timeout: 120_000 }, async () => {
    const admin = created('ops admin', 'admin');
    const importer = created('registrar import', 'issue,revoke');
    const result = educred(['tokens', 'list', '--json'], { env: env() });
    expect(result.status, result.stderr).toBe(0);
    const list = JSON.parse(result.stdout) as Json[];
    expect(list).toEqual([
      { id: admin.id, name: 'ops admin', scopes: ['admin'], origin: 'cli', createdAt: expect.stringMatching(/^\d{4}-/), revokedAt: null },
      { id: importer.id, name: 'registrar import', scopes: ['issue', 'revoke'], origin: 'cli', createdAt: expect.stringMatching(/^\d{4}-/), revokedAt: null },
    ]);
    const hashes = await withStore(async (store) => (await sql<{ token_hash: string }>`SELECT token_hash FROM api_tokens`.execute(store.kysely)).rows.map((r) => r.token_hash));
    for (const secret of [admin.token as string, importer.token as string, ...hashes]) expect(result.stdout).not.toContain(secret);

    const text = educred(['tokens', 'list'], { env: env() });
    expect(text.status).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(`${importer.id}  active  issue,revoke  created ${list[1]!.createdAt}  registrar import`);
  });

  it('revokes a token at once, audited as the CLI', { timeout: 120_000 }, async () => {
    const victim = created('old kiosk', 'issue');
    expect((await withStore((store) => store.tokens.find(victim.token as string)))?.id).toBe(victim.id);
    const result = educred(['tokens', 'revoke', victim.id as string], { env: env() });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: victim.id, name: 'old kiosk', revokedAt: expect.stringMatching(/^\d{4}-/), changed: true });
    expect(await withStore((store) => store.tokens.find(victim.token as string))).toBeUndefined();
    const audit = await withStore(async (store) => (await sql`SELECT actor, action FROM audit_events WHERE subject = ${`token:${victim.id}`} ORDER BY id`.execute(store.kysely)).rows);
    expect(audit).toEqual([
      { actor: 'cli', action: 'token.created' },
      { actor: 'cli', action: 'token.revoked' },
    ]);
    expect(listed().find((t) => t.id === victim.id)?.revokedAt).toEqual(expect.stringMatching(/^\d{4}-/));
  });

  it('fails with a clear message for an unknown id and for the last active admin token', { timeout: 120_000 }, async () => {
    const unknown = educred(['tokens', 'revoke', 'no-such-token'], { env: env() });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("No token 'no-such-token'");
    const admins = listed().filter((t) => (t.scopes as string[]).includes('admin') && t.revokedAt === null);
    expect(admins).toHaveLength(1);
    const last = educred(['tokens', 'revoke', admins[0]!.id as string], { env: env() });
    expect(last.status).toBe(1);
    expect(last.stderr).toMatch(/last active admin token/);
    expect(await withStore(async (store) => (await sql<{ revoked_at: string | null }>`SELECT revoked_at FROM api_tokens WHERE id = ${admins[0]!.id as string}`.execute(store.kysely)).rows[0]?.revoked_at)).toBeNull();
  });
});
