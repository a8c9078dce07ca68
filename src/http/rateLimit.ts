// Rate limiting of the public routes (verify, claim): a token bucket per client address, kept
// in memory. It protects the signature and JSON-LD work behind those routes from one client
// flooding them; refused requests get 429 problem+json with Retry-After.
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { HttpProblem, problemResponse } from './problem.js';

export interface RateLimitOptions {
  /** Sustained requests per minute per client; the bucket also holds this many for a burst. */
  perMinute: number;
  /** Who a request counts against; defaults to the peer address (forwarding headers are not trusted). */
  clientKey?: ((c: Context) => string) | undefined;
  /** Buckets kept at most; beyond it the oldest are forgotten, so memory stays bounded. */
  maxClients?: number | undefined;
  now?: (() => number) | undefined;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export function peerAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // Not served by @hono/node-server (app.request() in tests): every request is one client.
    return 'local';
  }
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const capacity = options.perMinute;
  const refillPerMs = options.perMinute / 60_000;
  const clientKey = options.clientKey ?? peerAddress;
  const maxClients = options.maxClients ?? 10_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();

  return async (c, next) => {
    if (capacity <= 0) return next();
    const key = clientKey(c);
    const at = now();
    const bucket = buckets.get(key) ?? { tokens: capacity, updatedMs: at };
    bucket.tokens = Math.min(capacity, bucket.tokens + (at - bucket.updatedMs) * refillPerMs);
    bucket.updatedMs = at;
    // Re-insert to keep the Map in least-recently-seen order for eviction.
    buckets.delete(key);
    buckets.set(key, bucket);
    if (buckets.size > maxClients) {
      const oldest = buckets.keys().next().value;
      if (oldest !== undefined) buckets.delete(oldest);
    }
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000));
      return problemResponse(
        c,
        new HttpProblem(429, 'rate-limited', 'Too many requests', `This client sent more than ${capacity} requests a minute to public routes; retry in ${retryAfter} s`),
        { 'Retry-After': String(retryAfter) },
      );
    }
    bucket.tokens -= 1;
    return next();
  };
}
