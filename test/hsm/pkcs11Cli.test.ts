// `educred keys generate --pkcs11` and the compiled server signing through the token, end to
// end: the CLI makes the key in SoftHSM2 and prints only public facts; the server started with
// EDUCRED_PKCS11_* issues a badge that both independent verifiers accept.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { verifyCredential as walletVerify } from '@digitalcredentials/verifier-core';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from '../../src/credentials/openBadge.js';
import { resolveDidKey } from '../../src/signing/did.js';
import { createDocumentLoader } from '../../src/signing/documentLoader.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { awardBody } from '../helpers/app.js';
import { authorized, buildServer, startChildServer, type ChildServer } from '../helpers/childServer.js';
import { allowLoopbackOnly, type OfflineFetch } from '../helpers/network.js';
import { freePort } from '../helpers/ports.js';
import { createSoftHsm, hasSoftHsm, SOFTHSM_SKIP_REASON, type SoftHsm } from '../helpers/softhsm.js';

type Json = Record<string, any>;

if (!hasSoftHsm) console.warn(SOFTHSM_SKIP_REASON);

describe.skipIf(!hasSoftHsm)('educred keys generate --pkcs11, and the server signing in the token', () => {
  let hsm: SoftHsm;
  let build: Awaited<ReturnType<typeof buildServer>>;
  let cli: string;
  let dataDir: string;
  let server: ChildServer | undefined;
  let offline: OfflineFetch;

  beforeAll(async () => {
    hsm = createSoftHsm();
    build = await buildServer('pkcs11-test');
    cli = path.join(path.dirname(build.entry), 'cli.js');
    dataDir = mkdtempSync(path.join(tmpdir(), 'educred-pkcs11-e2e-'));
    const pinnedSchema = JSON.parse(readFileSync(new URL('../../contexts/schemas/ob_v3p0_achievementcredential_schema.json', import.meta.url), 'utf8'));
    offline = allowLoopbackOnly({ [OB_ACHIEVEMENT_CREDENTIAL_SCHEMA]: pinnedSchema });
  }, 300_000);
  afterAll(async () => {
    offline?.restore();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    build?.remove();
    hsm?.remove();
  });

  const educred = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env } });

  it('refuses --pkcs11 without the token settings, and --label without --pkcs11', () => {
    const bare = educred(['keys', 'generate', '--pkcs11'], {});
    expect(bare.status).toBe(1);
    expect(bare.stderr).toMatch(/--pkcs11 needs EDUCRED_PKCS11_MODULE, EDUCRED_PKCS11_TOKEN and EDUCRED_PKCS11_PIN_FILE/);
    const label = educred(['keys', 'generate', '--label', 'x'], {});
    expect(label.status).toBe(1);
    expect(label.stderr).toMatch(/--label goes with --pkcs11/);
  });

  let generated: Json;
  it('generates the key in the token and prints only its public facts', () => {
    const run = educred(['keys', 'generate', '--pkcs11'], hsm.env());
    expect(run.status, run.stderr).toBe(0);
    generated = JSON.parse(run.stdout) as Json;
    expect(generated).toMatchObject({ key: 'pkcs11:token=educred-test;object=educred-issuer', token: 'educred-test', label: 'educred-issuer', publicKeyMultibase: expect.stringMatching(/^z6Mk/) });
    expect(generated.verificationMethod).toBe(`did:key:${generated.publicKeyMultibase}#${generated.publicKeyMultibase}`);
    expect(run.stdout).not.toMatch(/secret|private|pin/i);
  });

  it('refuses a second key under the same label (exit 1), as it refuses to overwrite a key file', () => {
    const again = educred(['keys', 'generate', '--pkcs11'], hsm.env());
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already holds a key labelled 'educred-issuer'/);
  });

  it('the compiled server signs through the token; both independent verifiers accept the badge', async () => {
    server = await startChildServer({ entry: build.entry, dataDir, port: await freePort(), env: { ...hsm.env(), EDUCRED_SIGNING_WORKERS: '2' } });
    const res = await fetch(`${server.origin}/awards`, { method: 'POST', headers: authorized({ 'Content-Type': 'application/json' }), body: JSON.stringify(awardBody()) });
    expect(res.status).toBe(201);
    const { credential } = (await res.json()) as { credential: Json };
    expect(credential.issuer.id).toBe(`did:key:${generated.publicKeyMultibase}`);
    expect(credential.proof[0].verificationMethod).toBe(generated.verificationMethod);

    const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey });
    const ours = await vc.verifyCredential({ credential, suite: createVerifyingSuites(), documentLoader, checkStatus: async () => ({ verified: true }) });
    expect(ours.verified, JSON.stringify(ours.error)).toBe(true);
    const theirs = (await walletVerify({ credential: credential as any, knownDIDRegistries: [] })) as Json;
    expect(theirs.errors, JSON.stringify(theirs.errors)).toBeUndefined();
    expect((theirs.log as Json[]).find((e) => e.id === 'valid_signature')?.valid).toBe(true);
    expect((theirs.log as Json[]).find((e) => e.id === 'revocation_status')?.valid).toBe(true);
  }, 300_000);

  it('a server configured with a key label the token lacks does not start, and says why', async () => {
    const run = spawnSync(process.execPath, [build.entry], { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', EDUCRED_DATA_DIR: dataDir, PORT: '0', ...hsm.env('not-there') } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/holds no private key labelled 'not-there'.*educred keys generate --pkcs11/);
  });
});
