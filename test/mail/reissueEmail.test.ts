// `educred keys reissue` with mail configured: each educator whose badge was signed by the
// retired key gets a new claim link by email (the mail outbox); the old link is replaced, the new
// one opens the re-signed badge. A badge already collected gets no email (its holder has it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reissueFromCli, retireKeyFromCli, rotateKeyFromCli } from '../../src/cli/keys.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

type Json = Record<string, any>;
const DOMAIN = 'badges.reissue-mail.example';
const claimUrlIn = (text: string): string | undefined => /http:\/\/localhost:3000\/claim\/[A-Za-z0-9_-]{43}/.exec(text)?.[0];

describe('keys reissue with mail configured', () => {
  let server: TestSmtpServer;
  let t: TestInstance;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    server = await startSmtpServer();
    const mail = { EDUCRED_SMTP_URL: server.url, EDUCRED_MAIL_FROM: 'Badges <badges@reissue.example>' };
    t = await createTestInstance({ env: { ...mail, EDUCRED_DID_WEB_DOMAIN: DOMAIN } });
    env = { ...mail, EDUCRED_DATA_DIR: t.dataDir, EDUCRED_DID_WEB_DOMAIN: DOMAIN, BASE_URL: t.config.baseUrl, LOG_LEVEL: 'silent' };
  });
  afterAll(async () => {
    await t?.deps.mail?.close();
    await t?.close();
    await server?.close();
  });

  it('sends each educator a new claim link to the re-signed badge; the old link no longer works', async () => {
    const first = (await (await postJson(t.app, '/awards', awardBody({ recipient: { email: 'ana.lopez@example.edu', name: 'Ana Lopez' }, notify: true }))).json()) as Json;
    const collected = (await (await postJson(t.app, '/awards', awardBody({ achievement: 'aligned-instruction', recipient: { email: 'ben.ito@example.edu', name: 'Ben Ito' } }))).json()) as Json;
    expect((await t.app.request(`${new URL(collected.claimUrl).pathname}/download`, { method: 'POST' })).status).toBe(200);
    expect((await t.deps.mail!.deliverDue()).sent).toBe(1);
    const oldLink = claimUrlIn(server.received[0]!.text);
    expect(oldLink).toBe(first.claimUrl);

    const oldKey = t.runtime.issuer.identity.verificationMethod;
    await rotateKeyFromCli({}, env);
    await retireKeyFromCli(oldKey, '2026-12-01T00:00:00Z', env);
    const report = await reissueFromCli(oldKey, env);
    expect(report).toMatchObject({ reissued: 2, claimEmails: 1 });

    expect(server.received).toHaveLength(2);
    const mail = server.received[1]!;
    expect(mail.envelopeTo).toEqual(['ana.lopez@example.edu']);
    const newLink = claimUrlIn(mail.text);
    expect(newLink).toBeDefined();
    expect(newLink).not.toBe(oldLink);
    expect((await t.app.request(new URL(oldLink!).pathname)).status).toBe(410);
    const download = await t.app.request(`${new URL(newLink!).pathname}/download`, { method: 'POST' });
    expect(download.status).toBe(200);
    const badge = JSON.parse(await download.text()) as Json;
    expect(badge.id).toBe(first.credential.id);
    expect([badge.proof].flat()[0].verificationMethod).toBe(report.signedWith);
    const verify = (await (await postJson(t.app, '/credentials/verify', { verifiableCredential: badge })).json()) as Json;
    expect(verify.verified, JSON.stringify(verify.errors)).toBe(true);
  });
});
