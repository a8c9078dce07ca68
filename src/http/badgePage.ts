// GET /credentials/:id for people: browsers asking for text/html get the badge page; every
// other client falls through to the JSON route (src/http/credentials.ts), which stays the default.
import { Hono } from 'hono';
import { credentialUrl } from '../awards/issueAward.js';
import { badgePage } from '../pages/badgePage.js';
import { messagePage, sendPage } from '../pages/layout.js';
import { pagePrivacyFor } from '../programs/pagePrivacy.js';
import { createStatusBitReader, liveStatus, type StatusListLoader } from '../pages/liveStatus.js';
import type { AppDeps } from './deps.js';

/** q-value of the best Accept entry matching one of `types` (0 when none is listed). */
function quality(accept: string, types: readonly string[]): number {
  let best = 0;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    if (!type || !types.includes(type.trim())) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
    best = Math.max(best, q === undefined ? 1 : Number(q));
  }
  return best;
}

const JSON_TYPES = ['application/json', 'application/ld+json', 'application/vc+ld+json', 'application/vc'];

/** HTML only when asked for by name, and not less than JSON: `*\/*` and API clients get JSON. */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const htmlQ = quality(accept, ['text/html']);
  return htmlQ > 0 && htmlQ >= quality(accept, JSON_TYPES);
}

/**
 * `local` answers a request from this same app (for the status lists the badge points to), so
 * the page reads the published list without a network round trip.
 */
export function badgePageRoutes(deps: AppDeps, local: (path: string) => Promise<Response>): Hono {
  const app = new Hono();
  // Decoded lists are kept per published version: an anonymous page view decodes nothing new.
  const bits = createStatusBitReader();
  const loadList: StatusListLoader = async (url) => {
    if (!url.startsWith(`${deps.baseUrl}/`)) return undefined;
    const res = await local(url.slice(deps.baseUrl.length));
    return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
  };

  app.get('/credentials/:id', async (c, next) => {
    c.header('Vary', 'Accept');
    if (!prefersHtml(c.req.header('accept'))) return next();
    const award = await deps.store.awards.findByCredentialId(credentialUrl(deps.baseUrl, c.req.param('id')));
    if (!award) return messagePage(c, 404, 'No badge at this address', ['Check the link; badge addresses are long and easy to cut short.']);
    return sendPage(c, badgePage(award.credential, await liveStatus(award.credential, loadList, new Date(), bits), await pagePrivacyFor(deps.store, award)));
  });
  return app;
}
