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
});
