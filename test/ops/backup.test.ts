// `educred backup FILE` and a restore: a backup taken while the service is open, restored into
// a new data folder with the issuer key and the claim-link secret, serves every badge and status
// list, and each verifies (a revoked badge as revoked). The backup is 0600, never overwrites a
// file, and a PostgreSQL service is told to use pg_dump.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vc from '@digitalbazaar/vc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupFromCli } from '../../src/cli/backup.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;

let source: TestInstance;
let scratch: string;
const awarded: Array<{ id: string; credential: Json }> = [];
let registrarToken: string;
beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'educred-backup-'));
  source = await createTestInstance({ env: { EDUCRED_STATUS_PURPOSES: 'revocation,suspension' } });
  for (const [i, achievement] of ['formative-assessment', 'aligned-instruction', 'data-informed-instruction'].entries()) {
    const res = await postJson(source.app, '/awards', awardBody({ achievement, recipient: { email: `backup${i}@example.edu`, name: `Backup ${i}` } }));
    expect(res.status).toBe(201);
    awarded.push((await res.json()) as { id: string; credential: Json });
  }
  registrarToken = ((await (await postJson(source.app, '/tokens', { name: 'registrar', scopes: ['issue'] })).json()) as Json).token;
  expect((await postJson(source.app, `/awards/${awarded[1]!.id}/revoke`, { reason: 'backup test' })).status).toBe(200);
  expect((await postJson(source.app, `/awards/${awarded[2]!.id}/suspend`, { reason: 'backup test' })).status).toBe(200);
});
afterAll(async () => {
  await source.close();
  rmSync(scratch, { recursive: true, force: true });
});

const envOf = (t: TestInstance): NodeJS.ProcessEnv => ({ EDUCRED_DATA_DIR: t.dataDir });

describe('educred backup', () => {
  it('refuses to overwrite a file', async () => {
    const existing = path.join(scratch, 'existing.sqlite');
    writeFileSync(existing, 'keep me');
    await expect(backupFromCli(existing, envOf(source))).rejects.toThrow(/already exists; refusing to overwrite/);
  });

  it('sends a PostgreSQL service to pg_dump', async () => {
    await expect(backupFromCli(path.join(scratch, 'pg.sqlite'), { ...envOf(source), DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' })).rejects.toThrow(/pg_dump/);
  });

  it('restores on a new data folder that serves and verifies every badge and status list', async () => {
    const file = path.join(scratch, 'educred-backup.sqlite');
    const report = await backupFromCli(file, envOf(source));
    expect(report.file).toBe(file);
    expect(report.bytes).toBeGreaterThan(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // Restore: the database, and (kept apart, as secrets) the issuer key and the claim-link secret.
    const restoredDir = path.join(scratch, 'restored');
    mkdirSync(path.join(restoredDir, 'keys'), { recursive: true, mode: 0o700 });
    copyFileSync(file, path.join(restoredDir, 'educred.sqlite'));
    for (const key of ['issuer.json', 'claim-links.key']) copyFileSync(path.join(source.dataDir, 'keys', key), path.join(restoredDir, 'keys', key));
    const restored = await createTestInstance({ env: { EDUCRED_DATA_DIR: restoredDir, EDUCRED_STATUS_PURPOSES: 'revocation,suspension' } });
    try {
      expect(restored.runtime.issuer.identity.did).toBe(source.runtime.issuer.identity.did);
      const expected = ['verified', 'revoked', 'suspended'];
      const lists = new Set<string>();
      for (const [i, { id, credential }] of awarded.entries()) {
        const served = (await (await restored.app.request(`/credentials/${id}`)).json()) as Json;
        expect(served).toEqual(credential);
        const verify = (await (await postJson(restored.app, '/credentials/verify', { verifiableCredential: served })).json()) as Json;
        expect(verify.verified ? 'verified' : verify.errors[0].code, JSON.stringify(verify.errors)).toBe(expected[i]);
        for (const entry of [served.credentialStatus].flat() as Json[]) lists.add(String(entry.statusListCredential));
      }
      expect(lists.size).toBeGreaterThan(0);
      for (const url of lists) {
        const res = await restored.app.request(new URL(url).pathname);
        expect(res.status).toBe(200);
        const list = (await res.json()) as Json;
        const result = await vc.verifyCredential({ credential: list, suite: createVerifyingSuites(), documentLoader: restored.runtime.issuer.documentLoader, checkStatus: async () => ({ verified: true }) });
        expect(result.verified, `${url}: ${JSON.stringify(result.error)}`).toBe(true);
      }
      // The restored service still knows the tokens made before the backup (stored hashed).
      expect((await restored.app.request('/awards', { headers: { Authorization: `Bearer ${registrarToken}` } })).status).toBe(200);
      expect((await restored.app.request('/awards', { headers: { Authorization: 'Bearer edc_never-issued-token-value' } })).status).toBe(401);
    } finally {
      await restored.close();
    }
  });
});
