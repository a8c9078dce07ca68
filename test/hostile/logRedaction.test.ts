// Secrets never reach the logs: claim tokens in /claim/<t> and /exchanges/<t> paths (plain or
// URL-encoded inside a deep link), bearer tokens, `?token=`-style query parameters and passwords
// in URLs are redacted in every logged path, URL, message and error (src/logger.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, redactSecrets } from '../../src/logger.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;

describe('redactSecrets', () => {
  it.each([
    ['/exchanges/Zx8_secret-token', '/exchanges/[token]'],
    ['/claim/Zx8_secret-token/qr.svg', '/claim/[token]/qr.svg'],
    ['https://badges.example.edu/claim/Zx8_secret-token?x=1', 'https://badges.example.edu/claim/[token]?x=1'],
    ['lcw://request?vc_request_url=https%3A%2F%2Fb.example%2Fexchanges%2FZx8_secret-token&challenge=c1', 'lcw://request?vc_request_url=https%3A%2F%2Fb.example%2Fexchanges%2F[token]&challenge=[redacted]'],
    ['/status?token=Zx8_secret-token&page=2', '/status?token=[redacted]&page=2'],
    ['/x?access_token=Zx8_secret-token', '/x?access_token=[redacted]'],
    ['https://admin:Zx8_secret-token@db.example/x', 'https://admin:[redacted]@db.example/x'],
    ['Authorization: Bearer Zx8_secret-token', 'Authorization: Bearer [redacted]'],
  ])('redacts %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('redacts a 100,000-character path in one pass (no backtracking per position; a refused request logs it twice)', () => {
    const long = `/awards/${'x'.repeat(100_000)}`;
    expect(redactSecrets(long)).toBe(long);
    expect(redactSecrets(`${long}?token=Zx8_secret`)).toBe(`${long}?token=[redacted]`);
  });

  it('leaves paths without secrets alone', () => {
    for (const path of ['/awards', '/claims', '/credentials/abc/badge.svg', '/status/1', 'https://example.org/a?page=2']) expect(redactSecrets(path)).toBe(path);
  });
});

describe('the service logger', () => {
  it('redacts secrets in paths, URLs, messages and errors it is given', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const error = new Error('fetching https://u:Zx8_pw@h.example/claim/Zx8_claim failed');
    logger.error({ err: error, path: '/exchanges/Zx8_path', url: 'https://h.example/?token=Zx8_query' }, 'while handling Bearer Zx8_bearer');
    expect(lines).toHaveLength(1);
    const text = lines[0]!;
    expect(text).not.toContain('Zx8_');
    const entry = JSON.parse(text) as Json;
    expect(entry.path).toBe('/exchanges/[token]');
    expect(entry.url).toBe('https://h.example/?token=[redacted]');
    expect(entry.err.message).toBe('fetching https://u:[redacted]@h.example/claim/[token] failed');
    expect(entry.msg).toBe('while handling Bearer [redacted]');
  });
});

describe('a failing exchange request', () => {
  const lines: string[] = [];
  let t: TestInstance;
  beforeAll(async () => {
    t = await createTestInstance({ logLines: lines });
  });
  afterAll(async () => t.close());

  it('logs the request and the unhandled error without the claim token', async () => {
    const awarded = (await (await postJson(t.app, '/awards', awardBody({ recipient: { email: 'ana.lopez@example.edu', name: 'Ana Lopez' } }))).json()) as Json;
    const token = new URL(awarded.claimUrl as string).pathname.split('/')[2]!;
    expect(token.length).toBeGreaterThan(20);
    // The database going away mid-flight: the exchange fails with a 500 that is logged.
    await t.runtime.store.close();
    const res = await t.app.request(`/exchanges/${token}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(500);
    const entries = lines.map((l) => JSON.parse(l) as Json);
    const failure = entries.find((e) => e.msg === 'unhandled error');
    expect(failure?.path).toBe('/exchanges/[token]');
    expect(entries.find((e) => e.msg === 'request' && e.status === 500)?.path).toBe('/exchanges/[token]');
    for (const line of lines) expect(line).not.toContain(token);
  });
});
