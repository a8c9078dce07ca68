// Cross-origin use of the public documents and the public verify API. A wallet, a portfolio or
// a browser verifier on another origin must be able to read a badge (its JSON and its images),
// the status list it points to, the issuer's DID document, the achievements and the framework,
// and must be able to POST to the VC-API verify routes. Nothing that needs a token, and nothing
// that carries a claim secret, is opened to other origins.
//
// - Fetch standard §3.2 (CORS protocol): `Access-Control-Allow-Origin: *` without
//   `Access-Control-Allow-Credentials`, so a browser never sends cookies or HTTP auth with a
//   cross-origin request here and the answers are the same for every origin (no `Vary: Origin`).
// - Fetch standard §3.2.5: a preflight is granted only for a public read (GET/HEAD, with
//   `If-None-Match` for revalidation) or a public verify POST (with `Content-Type`); any other
//   preflight falls through to the routes and gets no CORS headers, so the browser refuses.
// - Fetch standard §3.7 (Cross-Origin-Resource-Policy): secureHeaders sends `same-origin` on
//   every answer; the public documents are overridden to `cross-origin`, so an <img> of a badge
//   or a no-cors fetch from a portfolio page under COEP is not blocked.
//
// Exchanges (/exchanges/:token) and claim links (/claim/:token/...) stay same-origin: the
// clients are the claim page itself (same origin) and native wallet apps, which CORS does not
// concern; opening them would only let any web page drive a claim with a leaked link.
import type { Context, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { didWebDocumentPath } from '../signing/did.js';

/** Preflight answers may be cached this long (Chromium caps it at 7200 s). */
export const PREFLIGHT_MAX_AGE = 7200;

/** The POST routes any origin may call: the public VC-API verification. */
export const PUBLIC_POSTS: readonly string[] = ['/credentials/verify', '/presentations/verify'];

const TOKEN_CREDENTIAL_ROUTES = new Set(['issue', 'status', 'verify']);

/** Path matchers of the public documents (GET/HEAD), given the issuer's DID. */
export function publicDocumentMatcher(issuerDid: string): (path: string) => boolean {
  const didPath = issuerDid.startsWith('did:web:') ? didWebDocumentPath(issuerDid) : '/.well-known/did.json';
  const fixed = new Set(['/achievements', '/openapi.json', '/.well-known/did.json', didPath]);
  return (path) => {
    if (fixed.has(path)) return true;
    if (/^\/achievements\/[^/]+(\/image\.svg)?$/.test(path)) return true;
    if (/^\/frameworks\/[^/]+$/.test(path)) return true;
    if (/^\/status\/[^/]+$/.test(path)) return true;
    const credential = /^\/credentials\/([^/]+)(\/badge\.svg)?$/.exec(path);
    return credential !== null && !TOKEN_CREDENTIAL_ROUTES.has(credential[1] ?? '');
  };
}

function setResourcePolicy(c: Context, value: string): void {
  try {
    c.res.headers.set('Cross-Origin-Resource-Policy', value);
  } catch {
    // A response with immutable headers (one relayed from fetch): copy it to set the header.
    const copy = new Response(c.res.body, c.res);
    copy.headers.set('Cross-Origin-Resource-Policy', value);
    c.res = copy;
  }
}

/**
 * Mount before secureHeaders: its `Cross-Origin-Resource-Policy: same-origin` is set on the
 * way out, and this middleware, further out, replaces it on public documents.
 */
export function crossOrigin({ issuerDid }: { issuerDid: string | undefined }): MiddlewareHandler {
  // A verifier-only instance publishes no issuer documents.
  const isPublicDocument = issuerDid === undefined ? () => false : publicDocumentMatcher(issuerDid);
  const reads = cors({ origin: '*', allowMethods: ['GET', 'HEAD'], allowHeaders: ['If-None-Match'], exposeHeaders: ['ETag'], maxAge: PREFLIGHT_MAX_AGE });
  const verify = cors({ origin: '*', allowMethods: ['POST'], allowHeaders: ['Content-Type'], maxAge: PREFLIGHT_MAX_AGE });
  return async (c, next) => {
    const { method, path } = c.req;
    const preflightFor = method === 'OPTIONS' ? c.req.header('access-control-request-method')?.toUpperCase() : undefined;
    const wanted = preflightFor ?? method;
    if ((wanted === 'GET' || wanted === 'HEAD') && isPublicDocument(path)) {
      if (preflightFor) return reads(c, next);
      await reads(c, next);
      setResourcePolicy(c, 'cross-origin');
      return;
    }
    if (wanted === 'POST' && PUBLIC_POSTS.includes(path)) {
      const requested = (c.req.header('access-control-request-headers') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
      // A preflight asking for more than Content-Type (a token, say) is not granted.
      if (preflightFor && requested.some((h) => h !== 'content-type')) return next();
      return verify(c, next);
    }
    return next();
  };
}
