// Every request gets an id of its own (a UUID made here; one a client sends is not trusted, as
// it would reach the logs). It is answered in `X-Request-Id`, carried by every log line written
// while the request runs (src/logger.ts, logContext), and named in problem+json answers as
// `instance` (RFC 9457 §3.1.5: a URI reference identifying this occurrence of the problem).
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { logContext } from '../logger.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';

type WithRequestId = Context<{ Variables: { requestId?: string } }>;

/** The id of the request `c` answers, when the middleware ran (kept on the context: middleware such as the body limit replace `c.req.raw`). */
export const requestIdOf = (c: Context): string | undefined => (c as unknown as WithRequestId).get('requestId');

/** `instance` of a problem about this request. */
export const problemInstance = (c: Context): { instance?: string } => {
  const id = requestIdOf(c);
  return id === undefined ? {} : { instance: `urn:uuid:${id}` };
};

export function requestId(): MiddlewareHandler {
  return async (c, next) => {
    const id = randomUUID();
    (c as unknown as WithRequestId).set('requestId', id);
    await logContext.run({ requestId: id }, next);
    c.header(REQUEST_ID_HEADER, id);
  };
}
