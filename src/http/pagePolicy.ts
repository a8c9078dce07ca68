// A safety net for HTML: every text/html answer carries a Content-Security-Policy. Pages built
// with sendPage (src/pages/layout.ts) set their own, exact policy; an HTML answer that does not
// (a future page, an error page from a library) gets this strict one instead of none.
import type { MiddlewareHandler } from 'hono';

export const DEFAULT_PAGE_POLICY = [
  `default-src 'none'`,
  `style-src 'self'`,
  `img-src 'self' data:`,
  `form-action 'self'`,
  `base-uri 'none'`,
  `frame-ancestors 'none'`,
].join('; ');

export function pagePolicy(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const type = c.res.headers.get('content-type') ?? '';
    if (/^text\/html\b/i.test(type) && !c.res.headers.has('content-security-policy')) {
      try {
        c.res.headers.set('Content-Security-Policy', DEFAULT_PAGE_POLICY);
      } catch {
        // A response with immutable headers (one relayed from fetch): copy it to set the header.
        const copy = new Response(c.res.body, c.res);
        copy.headers.set('Content-Security-Policy', DEFAULT_PAGE_POLICY);
        c.res = copy;
      }
    }
  };
}
