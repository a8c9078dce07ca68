// The guarded fetcher refuses each thing a hostile credential could make a verifier fetch:
// a private address, an oversized body, a server that never finishes, a redirect loop, a
// scheme other than http(s). Servers run on 127.0.0.1; "private" is refused unless allowed.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetcher, FetchRefusedError, isSpecialPurposeAddress } from '../../src/net/guardedFetch.js';
import { TEST_TLS } from '../helpers/tls.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const routes: Record<string, Handler> = {
  '/doc.json': (_req, res) => res.writeHead(200, { 'Content-Type': 'application/did+json' }).end(JSON.stringify({ id: 'did:web:example' })),
  '/declared-huge': (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(10_000_000) }).end(),
  '/streamed-huge': (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < 100 && res.write(chunk)) sent++;
      if (sent < 100) res.once('drain', pump);
      else res.end();
    };
    pump();
  },
  '/silent': () => {
    /* never answers */
  },
  '/dripping': (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const timer = setInterval(() => res.write(' '), 50);
    res.on('close', () => clearInterval(timer));
  },
  '/loop-a': (_req, res) => res.writeHead(302, { Location: '/loop-b' }).end(),
  '/loop-b': (_req, res) => res.writeHead(302, { Location: '/loop-a' }).end(),
  '/chain-1': (_req, res) => res.writeHead(301, { Location: '/chain-2' }).end(),
  '/chain-2': (_req, res) => res.writeHead(301, { Location: '/chain-3' }).end(),
  '/chain-3': (_req, res) => res.writeHead(301, { Location: '/chain-4' }).end(),
  '/chain-4': (_req, res) => res.writeHead(301, { Location: '/doc.json' }).end(),
  '/to-file': (_req, res) => res.writeHead(302, { Location: 'file:///etc/passwd' }).end(),
  '/html': (_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html></html>'),
  '/broken-json': (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"id":'),
};

const handler: Handler = (req, res) => {
  const route = routes[req.url ?? ''];
  if (route) route(req, res);
  else res.writeHead(404).end();
};

let origin: string;
let tlsOrigin: string;
const servers = [createHttpServer(handler), createHttpsServer(TEST_TLS, handler)];

const listen = (server: (typeof servers)[number]): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

beforeAll(async () => {
  origin = `http://127.0.0.1:${await listen(servers[0]!)}`;
  tlsOrigin = `https://localhost:${await listen(servers[1]!)}`;
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});

const local = createGuardedFetcher({ allowPrivateNetworks: true, timeoutMs: 500, maxBytes: 1024 * 1024 });

async function refusal(promise: Promise<unknown>): Promise<FetchRefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchRefusedError);
  return error as FetchRefusedError;
}

describe('the guarded fetcher', () => {
  it('fetches a JSON document (control)', async () => {
    expect(await local.fetchJson(`${origin}/doc.json`)).toEqual({ id: 'did:web:example' });
  });

  describe('refuses private and special-purpose addresses unless allowed', () => {
    const strict = createGuardedFetcher();
    it.each([
      ['a loopback IP literal', () => `${origin}/doc.json`],
      ['a name resolving to loopback', () => `${origin.replace('127.0.0.1', 'localhost')}/doc.json`],
      ['an IPv4-mapped IPv6 literal', () => `${origin.replace('127.0.0.1', '[::ffff:127.0.0.1]')}/doc.json`],
      ['a private network literal', () => 'http://10.1.2.3/did.json'],
      ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data'],
    ])('%s', async (_name, url) => {
      const error = await refusal(strict.fetchJson(url()));
      expect(error.code).toBe('fetch_address_refused');
      expect(error.message).toMatch(/private or special-purpose address/);
    });

    it('classifies addresses by the IANA special-purpose registry', () => {
      for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '169.254.1.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', 'ff02::1']) {
        expect(isSpecialPurposeAddress(a), a).toBe(true);
      }
      for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) expect(isSpecialPurposeAddress(a), a).toBe(false);
    });
  });

  it('refuses a body its Content-Length declares too large, without reading it', async () => {
    const error = await refusal(local.fetchJson(`${origin}/declared-huge`));
    expect(error.code).toBe('fetch_too_large');
  });

  it('refuses a streamed body once it passes the limit', async () => {
    const error = await refusal(local.fetchJson(`${origin}/streamed-huge`));
    expect(error.code).toBe('fetch_too_large');
    expect(error.message).toMatch(/more than the 1048576 bytes allowed/);
  });

  it.each(['/silent', '/dripping'])('gives up on a slow server (%s) at the time limit', async (route) => {
    const started = Date.now();
    const error = await refusal(local.fetchJson(`${origin}${route}`));
    expect(error.code).toBe('fetch_timeout');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('stops a redirect loop', async () => {
    const error = await refusal(local.fetchJson(`${origin}/loop-a`));
    expect(error.code).toBe('fetch_too_many_redirects');
    expect(error.message).toMatch(/loop/);
  });

  it('stops a redirect chain longer than allowed', async () => {
    const error = await refusal(local.fetchJson(`${origin}/chain-1`));
    expect(error.code).toBe('fetch_too_many_redirects');
    expect(await createGuardedFetcher({ allowPrivateNetworks: true, maxRedirects: 4 }).fetchJson(`${origin}/chain-1`)).toEqual({ id: 'did:web:example' });
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/did.json', 'data:application/json,{}'])('refuses the scheme of %s', async (url) => {
    expect((await refusal(local.fetchJson(url))).code).toBe('fetch_scheme_refused');
  });

  it('refuses a redirect to a non-http scheme', async () => {
    expect((await refusal(local.fetchJson(`${origin}/to-file`))).code).toBe('fetch_scheme_refused');
  });

  it('refuses URLs with credentials in them', async () => {
    expect((await refusal(local.fetchJson(`http://user:pw@127.0.0.1:1/doc.json`))).code).toBe('fetch_scheme_refused');
  });

  it('refuses what is not JSON, and error statuses', async () => {
    expect((await refusal(local.fetchJson(`${origin}/html`))).code).toBe('fetch_not_json');
    expect((await refusal(local.fetchJson(`${origin}/broken-json`))).code).toBe('fetch_not_json');
    const missing = await refusal(local.fetchJson(`${origin}/nothing-here`));
    expect(missing.code).toBe('fetch_http_status');
    expect(missing.message).toMatch(/HTTP 404/);
  });

  it('trusts a self-signed HTTPS server only when its certificate is given', async () => {
    const error = await refusal(local.fetchJson(`${tlsOrigin}/doc.json`));
    expect(error.code).toBe('fetch_failed');
    expect(error.message).toMatch(/self-signed certificate/);
    const trusting = createGuardedFetcher({ allowPrivateNetworks: true, ca: TEST_TLS.cert });
    expect(await trusting.fetchJson(`${tlsOrigin}/doc.json`)).toEqual({ id: 'did:web:example' });
  });
});
