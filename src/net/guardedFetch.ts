// The one way verification reaches the network (did:web documents, status lists). A credential
// names these URLs, so whoever wrote the credential chooses what we fetch: every request is
// bounded in time and size, follows few redirects, speaks only http(s), and by default never
// connects to loopback, private, link-local or other special-purpose addresses. The address is
// checked at connect time (in the DNS lookup), so a name that resolves differently on a second
// lookup cannot slip past the check.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface GuardedFetchOptions {
  /** Whole request, connect to last byte (default 5000 ms). */
  timeoutMs?: number | undefined;
  /** Response body limit, decoded (default 2 MiB). */
  maxBytes?: number | undefined;
  /** Redirects followed, each re-checked (default 3). */
  maxRedirects?: number | undefined;
  /** Allow loopback and private addresses: development and tests only (default false). */
  allowPrivateNetworks?: boolean | undefined;
  /** Extra trusted CA certificates (PEM) for HTTPS. */
  ca?: string | string[] | undefined;
  userAgent?: string | undefined;
}

export type FetchRefusalCode =
  | 'fetch_scheme_refused'
  | 'fetch_address_refused'
  | 'fetch_timeout'
  | 'fetch_too_large'
  | 'fetch_too_many_redirects'
  | 'fetch_http_status'
  | 'fetch_not_json'
  | 'fetch_failed';

export class FetchRefusedError extends Error {
  constructor(
    readonly code: FetchRefusalCode,
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface GuardedFetcher {
  /** Fetches and parses a JSON document; throws FetchRefusedError only. */
  fetchJson(url: string, init?: { accept?: string | undefined }): Promise<unknown>;
}

const DEFAULT_ACCEPT = 'application/did+json, application/vc+ld+json, application/ld+json;q=0.9, application/json;q=0.8';

/** IANA special-purpose ranges (RFC 6890 and successors): nothing a public document lives on. */
const SPECIAL_PURPOSE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) SPECIAL_PURPOSE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) SPECIAL_PURPOSE.addSubnet(network, prefix, 'ipv6');

/** True for an address a public document cannot live on (IPv4-mapped IPv6 judged as IPv4). */
export function isSpecialPurposeAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return SPECIAL_PURPOSE.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  // ::ffff:0:0/96 written in hex (::ffff:7f00:1) is IPv4 too.
  if (family === 6 && /^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(address)) return true;
  return SPECIAL_PURPOSE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json$|^application\/vc$/i;

export function createGuardedFetcher(options: GuardedFetchOptions = {}): GuardedFetcher {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 3;
  const allowPrivate = options.allowPrivateNetworks ?? false;
  const userAgent = options.userAgent ?? 'educred-verifier';

  /** DNS lookup that refuses special-purpose addresses before the socket connects. */
  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = allowPrivate ? undefined : addresses.find((a) => isSpecialPurposeAddress(a.address));
      if (refused) {
        const denial = Object.assign(new Error(`${hostname} resolves to ${refused.address}, a private or special-purpose address`), { code: 'EADDRREFUSED' });
        return callback(denial, '', 0);
      }
      if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };

  const requestOnce = (url: URL, accept: string, deadline: number, original: string): Promise<{ response: IncomingMessage; body?: Buffer }> =>
    new Promise((resolve, reject) => {
      const refuse = (code: FetchRefusalCode, message: string, cause?: unknown) => reject(new FetchRefusedError(code, original, message, { cause }));
      // Literal IP hosts skip DNS, so they are checked here.
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (!allowPrivate && isIP(host) !== 0 && isSpecialPurposeAddress(host)) {
        return refuse('fetch_address_refused', `Refusing to fetch ${original}: ${host} is a private or special-purpose address`);
      }
      const client = url.protocol === 'https:' ? https : http;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return refuse('fetch_timeout', `Fetching ${original} took longer than ${timeoutMs} ms`);
      const request = client.request(url, {
        method: 'GET',
        headers: { Accept: accept, 'User-Agent': userAgent },
        lookup: guardedLookup,
        ...(url.protocol === 'https:' && options.ca ? { ca: options.ca } : {}),
        agent: false,
      });
      const timer = setTimeout(() => {
        request.destroy(new FetchRefusedError('fetch_timeout', original, `Fetching ${original} took longer than ${timeoutMs} ms`));
      }, remaining);
      const fail = (error: Error & { code?: string }) => {
        clearTimeout(timer);
        if (error instanceof FetchRefusedError) return reject(error);
        if (error.code === 'EADDRREFUSED') return refuse('fetch_address_refused', `Refusing to fetch ${original}: ${error.message}`, error);
        refuse('fetch_failed', `Fetching ${original} failed: ${error.message}`, error);
      };
      request.on('error', fail);
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400 && response.headers.location) {
          clearTimeout(timer);
          response.resume();
          return resolve({ response });
        }
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          request.destroy();
          clearTimeout(timer);
          return refuse('fetch_too_large', `${original} is ${declared} bytes, more than the ${maxBytes} allowed`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            request.destroy(new FetchRefusedError('fetch_too_large', original, `${original} sent more than the ${maxBytes} bytes allowed`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', fail);
        response.on('aborted', () => fail(new Error('the response was cut off')));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ response, body: Buffer.concat(chunks) });
        });
      });
      request.end();
    });

  return {
    async fetchJson(url, init = {}) {
      const deadline = Date.now() + timeoutMs;
      const seen = new Set<string>();
      let current: URL;
      try {
        current = new URL(url);
      } catch (cause) {
        throw new FetchRefusedError('fetch_scheme_refused', url, `'${url}' is not a URL`, { cause });
      }
      for (let hop = 0; ; hop++) {
        if (current.protocol !== 'https:' && current.protocol !== 'http:') {
          throw new FetchRefusedError('fetch_scheme_refused', url, `Refusing to fetch ${current.href}: only http and https URLs are fetched`);
        }
        if (current.username || current.password) {
          throw new FetchRefusedError('fetch_scheme_refused', url, `Refusing to fetch ${url}: URLs with credentials are not fetched`);
        }
        seen.add(current.href);
        const { response, body } = await requestOnce(current, init.accept ?? DEFAULT_ACCEPT, deadline, url);
        const status = response.statusCode ?? 0;
        if (body === undefined) {
          const next = new URL(response.headers.location ?? '', current);
          if (seen.has(next.href)) throw new FetchRefusedError('fetch_too_many_redirects', url, `${url} redirects in a loop (back to ${next.href})`);
          if (hop + 1 > maxRedirects) throw new FetchRefusedError('fetch_too_many_redirects', url, `${url} redirects more than ${maxRedirects} times`);
          current = next;
          continue;
        }
        if (status < 200 || status >= 300) throw new FetchRefusedError('fetch_http_status', url, `${url} answered HTTP ${status}`);
        const type = (response.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
        if (type !== '' && !JSON_TYPE.test(type)) throw new FetchRefusedError('fetch_not_json', url, `${url} answered ${type}, not JSON`);
        try {
          return JSON.parse(body.toString('utf8')) as unknown;
        } catch (cause) {
          throw new FetchRefusedError('fetch_not_json', url, `${url} did not answer valid JSON: ${(cause as Error).message}`, { cause });
        }
      }
    },
  };
}
