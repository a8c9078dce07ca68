// The one way verification reaches the network (did:web documents, status lists). A credential
// names these URLs, so whoever wrote the credential chooses what we fetch: every request is
// bounded in time and size, follows few redirects, speaks only http(s), and by default never
// connects to loopback, private, link-local or other special-purpose addresses. The address is
// checked at connect time (in the DNS lookup, and for IP literals before connecting), so a name
// that resolves differently on a second lookup cannot slip past the check (DNS rebinding).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { JsonTextError, parseJson } from '../http/body.js';
import { specialPurposeRange } from './addressPolicy.js';

export interface GuardedFetchOptions {
  /** Whole request, connect to last byte, redirects included (default 5000 ms). */
  timeoutMs?: number | undefined;
  /** Response body limit, by Content-Length and while reading (default 2 MiB). */
  maxBytes?: number | undefined;
  /** Redirects followed, each hop re-checked (default 3). */
  maxRedirects?: number | undefined;
  /** Allow loopback and private addresses: development and tests only (default false). */
  allowPrivateNetworks?: boolean | undefined;
  /** Extra trusted CA certificates (PEM) for HTTPS, in addition to the usual public roots. */
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
  override readonly name = 'FetchRefusedError';

  constructor(
    readonly code: FetchRefusalCode,
    /** The URL the caller asked for (a redirect target, if any, is in the message). */
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface GuardedFetchInit {
  accept?: string | undefined;
  /** A smaller body limit for this fetch (a request's remaining budget); never above maxBytes. */
  maxBytes?: number | undefined;
  /** Told the size of the body read (before it is parsed), for the caller's budget. */
  onBytes?: ((bytes: number) => void) | undefined;
}

export interface GuardedFetcher {
  /** Fetches and parses a JSON document; throws FetchRefusedError only. */
  fetchJson(url: string, init?: GuardedFetchInit): Promise<unknown>;
  /**
   * Fetches a text document whose media type is one of `types` (e.g. a signed JWT,
   * `application/entity-statement+jwt`), as UTF-8; the same limits; throws FetchRefusedError only.
   */
  fetchText(url: string, init: GuardedFetchInit & { types: readonly string[] }): Promise<string>;
}

// DID documents first, then credentials (status lists), then any JSON.
const DEFAULT_ACCEPT = 'application/did+json, application/vc+ld+json, application/vc, application/ld+json;q=0.9, application/json;q=0.8';
// application/json and every +json type (did+json, ld+json, vc+ld+json), and VC 2.0's application/vc.
const JSON_TYPE = /^application\/(?:[a-z0-9!#$&.^_-]+\+)*json$|^application\/vc$/;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Raised by the guarded DNS lookup; turned into fetch_address_refused. */
class AddressRefused extends Error {}

/** dns.lookup that fails when any address of the name is not public, before anything connects. */
const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
  dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    // Every address, not just the first: with several answers the socket may try any of them.
    for (const { address } of addresses) {
      const range = specialPurposeRange(address);
      // The range, never the address: a refusal must not tell a stranger our internal DNS.
      if (range) return callback(new AddressRefused(`${hostname} resolves to a ${range} address`), '', 0);
    }
    if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
    callback(null, first.address, first.family);
  });
};

type Answer = { kind: 'redirect'; status: number; location: string } | { kind: 'body'; response: IncomingMessage; body: Buffer };

export function createGuardedFetcher(options: GuardedFetchOptions = {}): GuardedFetcher {
  const timeoutMs = positive('timeoutMs', options.timeoutMs ?? 5000);
  const maxBytes = positive('maxBytes', options.maxBytes ?? 2 * 1024 * 1024);
  const maxRedirects = options.maxRedirects ?? 3;
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0) throw new RangeError(`maxRedirects must be a whole number ≥ 0, not ${maxRedirects}`);
  const allowPrivate = options.allowPrivateNetworks ?? false;
  const userAgent = options.userAgent ?? 'educred-verifier';
  // Node's `ca` replaces the public roots rather than adding to them; "extra" means both.
  const ca = options.ca === undefined ? undefined : [...rootCertificates, ...[options.ca].flat()];

  /** One GET, no redirects followed; `deadline` is shared by all hops of one fetch. */
  const requestOnce = (target: URL, accept: string, deadline: number, asked: string, bodyLimit: number): Promise<Answer> =>
    new Promise((resolve, reject) => {
      let settled = false;
      const settle = (done: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        done();
      };
      // The first reason wins: destroying the request afterwards raises errors nobody needs.
      const refuse = (code: FetchRefusalCode, message: string, cause?: unknown): void => {
        settle(() => reject(new FetchRefusedError(code, asked, message, { cause })));
        request?.destroy();
      };

      // IP literals skip the DNS lookup, so they are checked here.
      const host = target.hostname.replace(/^\[|\]$/g, '');
      const literalRange = !allowPrivate && isIP(host) !== 0 ? specialPurposeRange(host) : undefined;
      let request: http.ClientRequest | undefined;
      const timer = setTimeout(() => refuse('fetch_timeout', `Fetching ${asked} took longer than ${timeoutMs} ms`), Math.max(0, deadline - Date.now()));
      if (literalRange) return refuse('fetch_address_refused', `Refusing to fetch ${target.href}: ${host} is a ${literalRange} address, not a public one`);

      request = (target.protocol === 'https:' ? https : http).request(target, {
        method: 'GET',
        // Only these: no cookies, no Authorization, nothing the caller's environment could add.
        headers: { Accept: accept, 'Accept-Encoding': 'identity', 'User-Agent': userAgent },
        ...(allowPrivate ? {} : { lookup: guardedLookup }),
        ...(target.protocol === 'https:' && ca ? { ca } : {}),
        // A fresh socket per request: a pooled one would skip the lookup, and with it the check.
        agent: false,
      });
      request.on('error', (error: Error & { code?: string }) => {
        if (error instanceof AddressRefused) return refuse('fetch_address_refused', `Refusing to fetch ${target.href}: ${error.message}, not a public one`, error);
        refuse('fetch_failed', `Fetching ${target.href} failed: ${describeNetworkError(error)}`, error);
      });
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (REDIRECT_STATUSES.has(status) && location) {
          settle(() => resolve({ kind: 'redirect', status, location }));
          request?.destroy(); // its body is not wanted, and must not keep the socket busy
          return;
        }
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > bodyLimit) {
          return refuse('fetch_too_large', `${target.href} is ${declared} bytes (Content-Length), more than the ${bodyLimit} allowed`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > bodyLimit) return refuse('fetch_too_large', `${target.href} sent more than the ${bodyLimit} bytes allowed`);
          chunks.push(chunk);
        });
        response.on('error', (error) => refuse('fetch_failed', `Reading ${target.href} failed: ${error.message}`, error));
        response.on('aborted', () => refuse('fetch_failed', `Reading ${target.href} failed: the server closed the connection early`));
        response.on('end', () => settle(() => resolve({ kind: 'body', response, body: Buffer.concat(chunks) })));
      });
      request.end();
    });

  const fetchFollowingRedirects = async <T>(asked: string, accept: string, bodyLimit: number, onBytes: ((bytes: number) => void) | undefined, parse: (target: URL, response: IncomingMessage, body: Buffer, asked: string) => T): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    const visited = new Set<string>();
    let target = parseUrl(asked, asked);
    for (let redirects = 0; ; redirects++) {
      checkUrl(target, asked);
      visited.add(target.href);
      const answer = await requestOnce(target, accept, deadline, asked, bodyLimit);
      if (answer.kind === 'body') {
        onBytes?.(answer.body.length);
        return parse(target, answer.response, answer.body, asked);
      }

      const next = parseUrl(answer.location, asked, target);
      if (visited.has(next.href)) throw new FetchRefusedError('fetch_too_many_redirects', asked, `${asked} redirects in a loop (back to ${next.href})`);
      if (redirects + 1 > maxRedirects) throw new FetchRefusedError('fetch_too_many_redirects', asked, `${asked} redirects more than ${maxRedirects} times`);
      // A redirect may not give up the TLS the URL asked for: the next hop could be read or changed on the way.
      if (target.protocol === 'https:' && next.protocol === 'http:') {
        throw new FetchRefusedError('fetch_scheme_refused', asked, `Refusing to follow ${target.href} to ${next.href}: a redirect from https to http`);
      }
      target = next;
    }
  };

  return {
    // A closure, not a method: callers hand `fetcher.fetchJson` around on its own.
    async fetchJson(url, init = {}) {
      try {
        const limit = init.maxBytes === undefined ? maxBytes : Math.min(maxBytes, positive('maxBytes', init.maxBytes));
        return await fetchFollowingRedirects(url, init.accept ?? DEFAULT_ACCEPT, limit, init.onBytes, parseJsonAnswer);
      } catch (error) {
        if (error instanceof FetchRefusedError) throw error;
        // E.g. a header value http.request rejects; the contract is FetchRefusedError only.
        throw new FetchRefusedError('fetch_failed', url, `Fetching ${url} failed: ${(error as Error).message}`, { cause: error });
      }
    },
    async fetchText(url, init) {
      try {
        const limit = init.maxBytes === undefined ? maxBytes : Math.min(maxBytes, positive('maxBytes', init.maxBytes));
        const types = new Set(init.types.map((t) => t.toLowerCase()));
        return await fetchFollowingRedirects(url, init.accept ?? init.types.join(', '), limit, init.onBytes, (target, response, body, asked) => parseTextAnswer(target, response, body, asked, types));
      } catch (error) {
        if (error instanceof FetchRefusedError) throw error;
        throw new FetchRefusedError('fetch_failed', url, `Fetching ${url} failed: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, not ${value}`);
  return value;
}

function parseUrl(text: string, asked: string, base?: URL): URL {
  try {
    return new URL(text, base);
  } catch (cause) {
    const where = base ? `${base.href} redirects to '${text}', which` : `'${text}'`;
    throw new FetchRefusedError('fetch_scheme_refused', asked, `Refusing to fetch ${where} is not a URL`, { cause });
  }
}

/** Each hop: http(s) only, and no user:password@ (we send no credentials anywhere). */
function checkUrl(target: URL, asked: string): void {
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw new FetchRefusedError('fetch_scheme_refused', asked, `Refusing to fetch ${target.href}: only http and https URLs are fetched, not ${target.protocol}`);
  }
  if (target.username || target.password) {
    throw new FetchRefusedError('fetch_scheme_refused', asked, `Refusing to fetch ${target.protocol}//${target.host}${target.pathname}: URLs with credentials (user:password@) are not fetched`);
  }
}

/** A 2xx answer without a Content-Encoding; its media type (lowercase, no parameters; '' when none). */
function answeredType(target: URL, response: IncomingMessage, asked: string): string {
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) throw new FetchRefusedError('fetch_http_status', asked, `${target.href} answered HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`);
  const encoding = response.headers['content-encoding'];
  if (encoding && encoding.toLowerCase() !== 'identity') {
    // We ask for identity; decoding would need the size limit applied again after inflating.
    throw new FetchRefusedError('fetch_not_json', asked, `${target.href} answered with Content-Encoding ${encoding}, which is not read`);
  }
  return (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A text answer of one of the asked media types (a missing Content-Type is refused: a JWT has no shape to sniff). */
function parseTextAnswer(target: URL, response: IncomingMessage, body: Buffer, asked: string, types: ReadonlySet<string>): string {
  const type = answeredType(target, response, asked);
  if (!types.has(type)) throw new FetchRefusedError('fetch_not_json', asked, `${target.href} answered ${type || 'no Content-Type'}, not ${[...types].join(' or ')}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch (cause) {
    throw new FetchRefusedError('fetch_not_json', asked, `${target.href} did not answer UTF-8 text`, { cause });
  }
}

function parseJsonAnswer(target: URL, response: IncomingMessage, body: Buffer, asked: string): unknown {
  const type = answeredType(target, response, asked);
  // No Content-Type at all is accepted when the body parses; a different one is not.
  if (type !== '' && !JSON_TYPE.test(type)) throw new FetchRefusedError('fetch_not_json', asked, `${target.href} answered ${type}, not JSON`);
  try {
    // fatal: bytes that are not UTF-8 are refused rather than read as U+FFFD; a BOM is dropped.
    // The one JSON guard (src/http/body.ts): a document nested thousands deep is refused here,
    // before JSON-LD or schema code recurses into it.
    return parseJson(new TextDecoder('utf-8', { fatal: true }).decode(body), { what: 'the answer' });
  } catch (cause) {
    const reason = cause instanceof JsonTextError && cause.reason === 'not-json' ? (cause.cause as Error).message : (cause as Error).message;
    throw new FetchRefusedError('fetch_not_json', asked, `${target.href} did not answer valid JSON: ${reason}`, { cause });
  }
}

/** Node's message, with a word on what to do when it is a certificate the fetcher did not trust. */
function describeNetworkError(error: Error & { code?: string }): string {
  const code = error.code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
    return `the server's TLS certificate is not trusted (${error.message}); a test or private CA must be given as ca (EDUCRED_FETCH_CA_FILE)`;
  }
  return error.message;
}
