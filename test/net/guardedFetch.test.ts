// The guarded fetcher refuses each thing a hostile credential could make a verifier fetch:
// a private address, an oversized body, a server that never finishes, a redirect loop, a
// scheme other than http(s). Servers run on 127.0.0.1; "private" is refused unless allowed.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import https, { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isSpecialPurposeAddress, specialPurposeRange } from '../../src/net/addressPolicy.js';
import { createGuardedFetcher, FetchRefusedError } from '../../src/net/guardedFetch.js';
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
  '/to-http': (_req, res) => res.writeHead(302, { Location: origin + '/doc.json' }).end(),
  '/to-nowhere': (_req, res) => res.writeHead(302, { Location: 'http://[' }).end(),
  '/headers': (req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(req.headers)),
  '/untyped': (_req, res) => res.writeHead(200).end('{"id":"untyped"}'),
  '/vc': (_req, res) => res.writeHead(200, { 'Content-Type': 'application/vc; charset=utf-8' }).end('\ufeff{"id":"vc"}'),
  '/gzip': (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }).end(Buffer.from([0x1f, 0x8b])),
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

const local = createGuardedFetcher({ allowPrivateNetworks: true, timeoutMs: 3000, maxBytes: 1024 * 1024 });
const impatient = createGuardedFetcher({ allowPrivateNetworks: true, timeoutMs: 300 });

async function refusal(promise: Promise<unknown>): Promise<FetchRefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchRefusedError);
  return error as FetchRefusedError;
}

describe('the guarded fetcher', () => {
  it('fetches a JSON document (control, private networks allowed)', async () => {
    expect(await local.fetchJson(`${origin}/doc.json`)).toEqual({ id: 'did:web:example' });
  });

  describe('never connects to a private or special-purpose address unless allowed', () => {
    const strict = createGuardedFetcher();
    it.each([
      ['a loopback IP literal', () => `${origin}/doc.json`, /127\.0\.0\.1 is a loopback address/],
      ['a name resolving to loopback (checked in the DNS lookup)', () => `${origin.replace('127.0.0.1', 'localhost')}/doc.json`, /localhost resolves to a loopback address, not a public one/],
      ['an IPv4-mapped IPv6 literal of loopback', () => `${origin.replace('127.0.0.1', '[::ffff:127.0.0.1]')}/doc.json`, /loopback address/],
      ['a private network literal', () => 'http://10.1.2.3/did.json', /10\.1\.2\.3 is a private address/],
      ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data', /linkLocal address/],
      ['loopback written as a bare number', () => `http://2130706433:${new URL(origin).port}/doc.json`, /127\.0\.0\.1 is a loopback address/],
    ])('%s', async (_name, url, message) => {
      const error = await refusal(strict.fetchJson(url()));
      expect(error.code).toBe('fetch_address_refused');
      expect(error.message).toMatch(message);
    });

    it('says a name resolved to a refused range, never the address it resolved to', async () => {
      const error = await refusal(strict.fetchJson(`${origin.replace('127.0.0.1', 'localhost')}/doc.json`));
      expect(error.code).toBe('fetch_address_refused');
      expect(error.message).toMatch(/localhost resolves to a loopback address/);
      expect(error.message).not.toMatch(/127\.0\.0\.1|::1\b/);
    });

    it('classifies addresses with the special-purpose registries (ipaddr.js)', () => {
      const special = [
        '127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '169.254.1.1', '0.0.0.0', '255.255.255.255', '224.0.0.1', '192.0.2.1',
        '::1', '::', 'fe80::1', 'fd00::1', 'ff02::1', '2001:db8::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:0:7f00:1',
        '64:ff9b::a00:1', '64:ff9b:1::1', '::7f00:1', 'not an address',
      ];
      for (const a of special) expect(isSpecialPurposeAddress(a), a).toBe(true);
      for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808']) expect(isSpecialPurposeAddress(a), a).toBe(false);
      expect(specialPurposeRange('::ffff:192.168.0.1')).toBe('private');
    });
  });

  it('refuses a body whose Content-Length is over the limit, without reading it', async () => {
    const error = await refusal(local.fetchJson(`${origin}/declared-huge`));
    expect(error.code).toBe('fetch_too_large');
    expect(error.message).toMatch(/10000000 bytes \(Content-Length\)/);
  });

  it('stops reading a body without Content-Length once it passes the limit', async () => {
    const error = await refusal(local.fetchJson(`${origin}/streamed-huge`));
    expect(error.code).toBe('fetch_too_large');
    expect(error.message).toMatch(/more than the 1048576 bytes allowed/);
  });

  it.each([
    ['that never sends headers', '/silent'],
    ['that drips its body', '/dripping'],
  ])('gives up on a server %s at the time limit', async (_name, route) => {
    const started = Date.now();
    const error = await refusal(impatient.fetchJson(`${origin}${route}`));
    expect(error.code).toBe('fetch_timeout');
    expect(error.message).toMatch(/longer than 300 ms/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stops a redirect loop', async () => {
    const error = await refusal(local.fetchJson(`${origin}/loop-a`));
    expect(error.code).toBe('fetch_too_many_redirects');
    expect(error.message).toMatch(/loop/);
  });

  it('follows no more redirects than allowed', async () => {
    const error = await refusal(local.fetchJson(`${origin}/chain-1`));
    expect(error.code).toBe('fetch_too_many_redirects');
    expect(error.message).toMatch(/more than 3 times/);
    expect(await createGuardedFetcher({ allowPrivateNetworks: true, maxRedirects: 4 }).fetchJson(`${origin}/chain-1`)).toEqual({ id: 'did:web:example' });
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/did.json', 'data:application/json,{}', 'not a url'])('fetches only http and https URLs (%s)', async (url) => {
    expect((await refusal(local.fetchJson(url))).code).toBe('fetch_scheme_refused');
  });

  it('follows a redirect only to an http or https URL', async () => {
    const error = await refusal(local.fetchJson(`${origin}/to-file`));
    expect(error.code).toBe('fetch_scheme_refused');
    expect(error.message).toMatch(/file:\/\/\/etc\/passwd/);
    expect((await refusal(local.fetchJson(`${origin}/to-nowhere`))).code).toBe('fetch_scheme_refused');
  });

  it('does not follow a redirect from https down to http', async () => {
    const trusting = createGuardedFetcher({ allowPrivateNetworks: true, ca: TEST_TLS.cert });
    const error = await refusal(trusting.fetchJson(`${tlsOrigin}/to-http`));
    expect(error.code).toBe('fetch_scheme_refused');
    expect(error.message).toMatch(/from https to http/);
  });

  it('refuses URLs with credentials in them, without repeating the password', async () => {
    const error = await refusal(local.fetchJson(`http://user:secret@127.0.0.1:1/doc.json`));
    expect(error.code).toBe('fetch_scheme_refused');
    expect(error.message).not.toMatch(/secret/);
  });

  it('sends a DID document and credential Accept header, or the caller’s, and no cookies or credentials', async () => {
    const sent = (await local.fetchJson(`${origin}/headers`)) as Record<string, string>;
    expect(sent['accept']).toMatch(/^application\/did\+json, application\/vc\+ld\+json/);
    expect(sent).not.toHaveProperty('cookie');
    expect(sent).not.toHaveProperty('authorization');
    expect(sent['accept-encoding']).toBe('identity');
    const asked = (await local.fetchJson(`${origin}/headers`, { accept: 'application/vc' })) as Record<string, string>;
    expect(asked['accept']).toBe('application/vc');
  });

  it('reads JSON media types, and a body without Content-Type that parses', async () => {
    expect(await local.fetchJson(`${origin}/vc`)).toEqual({ id: 'vc' });
    expect(await local.fetchJson(`${origin}/untyped`)).toEqual({ id: 'untyped' });
  });

  it('refuses a body that is not JSON (other media type, broken JSON, encoded)', async () => {
    const html = await refusal(local.fetchJson(`${origin}/html`));
    expect(html.code).toBe('fetch_not_json');
    expect(html.message).toMatch(/text\/html, not JSON/);
    expect((await refusal(local.fetchJson(`${origin}/broken-json`))).code).toBe('fetch_not_json');
    expect((await refusal(local.fetchJson(`${origin}/gzip`))).code).toBe('fetch_not_json');
  });

  it('refuses an answer that is not 2xx, naming its status', async () => {
    const missing = await refusal(local.fetchJson(`${origin}/nothing-here`));
    expect(missing.code).toBe('fetch_http_status');
    expect(missing.message).toMatch(/HTTP 404/);
  });

  it('trusts a self-signed HTTPS server only when its certificate is given as ca', async () => {
    const error = await refusal(local.fetchJson(`${tlsOrigin}/doc.json`));
    expect(error.code).toBe('fetch_failed');
    expect(error.message).toMatch(/TLS certificate is not trusted \(self-signed certificate\)/);
    const trusting = createGuardedFetcher({ allowPrivateNetworks: true, ca: TEST_TLS.cert });
    expect(await trusting.fetchJson(`${tlsOrigin}/doc.json`)).toEqual({ id: 'did:web:example' });
  });

  it('keeps trusting the public roots when an extra ca is given', async () => {
    const request = vi.spyOn(https, 'request');
    try {
      await createGuardedFetcher({ allowPrivateNetworks: true, ca: [TEST_TLS.cert] }).fetchJson(`${tlsOrigin}/doc.json`);
      const { ca } = request.mock.calls[0]?.[1] as { ca: string[] };
      expect(ca).toEqual([...rootCertificates, TEST_TLS.cert]);
    } finally {
      request.mockRestore();
    }
  });

  it('throws only FetchRefusedError, even for a header value Node will not send', async () => {
    expect((await refusal(local.fetchJson(`${origin}/doc.json`, { accept: 'a\r\nCookie: x' }))).code).toBe('fetch_failed');
  });
});
