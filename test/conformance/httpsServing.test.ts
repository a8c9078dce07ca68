// The service serves HTTPS when given a certificate (EDUCRED_TLS_CERT_FILE and _KEY_FILE): a
// did:web issuer must be reachable over HTTPS, and the VC Data Model suite's client unwraps
// `{verifiableCredential}` only there. Run as the compiled server, as an operator would.
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, startChildServer, type ChildServer } from '../helpers/childServer.js';
import { freePort } from '../helpers/ports.js';
import { TEST_TLS, TEST_TLS_CERT_FILE, TEST_TLS_KEY_FILE } from '../helpers/tls.js';

let build: Awaited<ReturnType<typeof buildServer>>;
let server: ChildServer;
let dataDir: string;

const getJson = (url: string): Promise<{ status: number; body: unknown }> =>
  new Promise((resolve, reject) => {
    https
      .get(url, { ca: TEST_TLS.cert }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      })
      .on('error', reject);
  });

beforeAll(async () => {
  build = await buildServer('https');
  dataDir = mkdtempSync(path.join(tmpdir(), 'educred-https-'));
  const port = await freePort();
  server = await startChildServer({
    entry: build.entry,
    dataDir,
    port,
    tls: { certFile: TEST_TLS_CERT_FILE, keyFile: TEST_TLS_KEY_FILE, ca: TEST_TLS.cert },
    env: { EDUCRED_DID_WEB_DOMAIN: `127.0.0.1%3A${port}`, LOG_LEVEL: 'info' },
  });
}, 120_000);

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  build?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('HTTPS serving', () => {
  it('answers over TLS with the configured certificate, and serves its did:web document there', async () => {
    expect(server.origin).toMatch(/^https:/);
    expect(await getJson(`${server.origin}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
    const did = await getJson(`${server.origin}/.well-known/did.json`);
    expect(did.status).toBe(200);
    expect((did.body as { id: string }).id).toMatch(/^did:web:127\.0\.0\.1%3A\d+$/);
  });

  it('logs the https URL it listens on', () => {
    const listening = server
      .output()
      .split('\n')
      .filter((line) => line.includes('educred listening'))
      .map((line) => JSON.parse(line) as { url: string; https: boolean });
    expect(listening).toEqual([expect.objectContaining({ url: server.origin, https: true })]);
  });

  it('refuses a certificate without its key at start, naming both variables', async () => {
    const { loadConfig, ConfigError } = await import('../../src/config.js');
    expect(() => loadConfig({ EDUCRED_TLS_CERT_FILE: TEST_TLS_CERT_FILE })).toThrow(ConfigError);
    expect(() => loadConfig({ EDUCRED_TLS_CERT_FILE: TEST_TLS_CERT_FILE })).toThrow(/EDUCRED_TLS_CERT_FILE and EDUCRED_TLS_KEY_FILE go together/);
  });
});
