// Configuration: defaults that make `npm start` useful, and clear errors for bad settings.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('has embedded defaults for a fresh machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      baseUrl: 'http://localhost:3000',
      proofSuite: 'eddsa-rdfc-2022',
      dataDir: path.resolve('./data'),
      databaseFile: path.resolve('./data/educred.sqlite'),
      keyFile: path.resolve('./data/keys/issuer.json'),
      adminToken: undefined,
      didWebDomain: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes the documented environment variables', () => {
    const config = loadConfig({
      PORT: '8080',
      BASE_URL: 'https://badges.example.edu/',
      EDUCRED_PROOF_SUITE: 'Ed25519Signature2020',
      EDUCRED_DATA_DIR: '/var/lib/educred',
      EDUCRED_ADMIN_TOKEN: 'a-long-enough-admin-token',
    });
    expect(config).toMatchObject({
      port: 8080,
      baseUrl: 'https://badges.example.edu',
      proofSuite: 'Ed25519Signature2020',
      databaseFile: '/var/lib/educred/educred.sqlite',
      adminToken: 'a-long-enough-admin-token',
    });
  });

  it.each([
    [{ EDUCRED_PROOF_SUITE: 'RsaSignature2018' }, /EDUCRED_PROOF_SUITE/],
    [{ PORT: 'eighty' }, /PORT/],
    [{ BASE_URL: 'ftp://example.edu' }, /BASE_URL/],
    [{ EDUCRED_ADMIN_TOKEN: 'short' }, /at least 16 characters/],
  ])('refuses %o with a message naming the setting', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads outgoing mail from EDUCRED_SMTP_URL and EDUCRED_MAIL_FROM; without the URL there is none', () => {
    expect(loadConfig({}).mail).toBeUndefined();
    const config = loadConfig({ EDUCRED_SMTP_URL: 'smtp://badges:pa55@mail.example.org:587', EDUCRED_MAIL_FROM: 'Badges <badges@example.edu>' });
    expect(config.mail).toEqual({ smtpUrl: 'smtp://badges:pa55@mail.example.org:587', from: 'Badges <badges@example.edu>' });
    expect(loadConfig({ EDUCRED_SMTP_URL: 'smtps://mail.example.org', EDUCRED_MAIL_FROM: 'badges@example.edu' }).mail?.from).toBe('badges@example.edu');
  });

  it.each([
    [{ EDUCRED_SMTP_URL: 'https://user:hunter2pass@mail.example.org' }, /EDUCRED_SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/],
    [{ EDUCRED_SMTP_URL: 'smtp://user:hunter2pass@mail.example.org:587' }, /EDUCRED_MAIL_FROM is required with EDUCRED_SMTP_URL/],
    [{ EDUCRED_SMTP_URL: 'smtp://mail.example.org', EDUCRED_MAIL_FROM: 'not an address' }, /EDUCRED_MAIL_FROM: must be one email address/],
    [{ EDUCRED_SMTP_URL: 'smtp://mail.example.org', EDUCRED_MAIL_FROM: 'a@example.org\r\nBcc: b@example.org' }, /EDUCRED_MAIL_FROM: must be one email address/],
  ])('refuses mail settings %o, naming the setting and never the password', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
    expect(() => loadConfig(env)).not.toThrow(/hunter2pass/);
  });
});
