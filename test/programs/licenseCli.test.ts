// `educred license` issues what POST /licenses issues, on the same database and key: approved,
// the licence and its decision; not approved, exit code 2 naming each requirement not met.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { licenseFromCli } from '../../src/cli/license.js';
import { CliError } from '../../src/cli/io.js';
import { awardBody, createTestInstance, type TestInstance } from '../helpers/app.js';
import { createTestWallet, type TestWallet } from '../helpers/wallet.js';
import { post, type Json } from './helpers.js';

const ONLINE_TEACHING = ['personalized-blended-online', 'differentiated-support', 'formative-assessment', 'data-informed-instruction'];
let t: TestInstance;
let wallet: TestWallet;
const badges: Json[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'educred-license-cli-'));

beforeAll(async () => {
  t = await createTestInstance();
  wallet = await createTestWallet();
  for (const achievement of ONLINE_TEACHING) badges.push((await post(t, '/awards', awardBody({ recipient: { id: wallet.did, name: 'Ana Lopez' }, achievement }))).body.credential);
});
afterAll(async () => t?.close());

const cliEnv = () => ({ EDUCRED_DATA_DIR: t.dataDir, BASE_URL: t.config.baseUrl, LOG_LEVEL: 'silent', EDUCRED_SIGNING_WORKERS: '0' });
const basisFile = async (credentials: Json[], name: string): Promise<string> => {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(await wallet.present({ credentials, challenge: 'cli-1', domain: 'licensure.example' })));
  return file;
};
const options = (basis: string) => ({ applicantName: 'Ana Lopez', applicantDid: wallet.did, licenseCode: 'online-teaching', licenseName: 'Online Teaching Licence', rule: 'online-teaching', basis, challenge: 'cli-1', domain: 'licensure.example' });

describe('educred license', () => {
  it('not approved: exit code 2, each missing requirement named', async () => {
    const error = await licenseFromCli(options(await basisFile(badges.slice(1), 'three')), cliEnv()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).message).toMatch(/not approved under rule 'online-teaching':\n {2}7\. Personalized, Blended and Online Learning: No badge/);
  });

  it('approved: the licence (achievementType License), its claim link and the decision; it is served like a badge', async () => {
    const answer = (await licenseFromCli(options(await basisFile(badges, 'four')), cliEnv())) as Json;
    expect(answer.decision).toMatchObject({ approved: true, recipient: wallet.did });
    expect(answer.credential.credentialSubject.achievement).toMatchObject({ achievementType: 'License', humanCode: 'online-teaching' });
    expect(answer.claimUrl).toMatch(/\/claim\//);
    const served = await t.app.request(`/credentials/${answer.id}`);
    expect(await served.json()).toEqual(answer.credential);
    // A second licence of the class for the same applicant is refused.
    await expect(licenseFromCli(options(await basisFile(badges, 'again')), cliEnv())).rejects.toThrow(/already holds an active licence/);
  });
});
