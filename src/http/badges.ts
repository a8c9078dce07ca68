// Badge images: the generated SVG of each achievement (its OB 3.0 `image`), and a credential
// baked into that SVG (GET /credentials/:id/badge.svg) or PNG (badge.png) so the picture carries its own proof.
import { Hono } from 'hono';
import { achievementBadgeSvg } from '../badges/badgeImage.js';
import { bakeSvg } from '../badges/baking.js';
import { bakePng, svgToPng } from '../badges/pngBaking.js';
import { credentialUrl } from '../awards/issueAward.js';
import type { AppDeps } from './deps.js';
import { catalogOf } from './educators.js';
import { notFound } from './problem.js';

// An SVG may carry script; these headers keep a badge opened directly from running any.
const SVG_HEADERS = { 'Content-Type': 'image/svg+xml; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'" };

export function badgeRoutes(deps: AppDeps): Hono {
  const { store, baseUrl } = deps;
  // Every loaded framework's achievements (src/competencies/frameworkCatalog.ts).
  const catalog = catalogOf(deps);
  const app = new Hono();

  app.get('/achievements/:code/image.svg', (c) => {
    const entry = catalog.achievement(c.req.param('code'));
    if (!entry) throw notFound(`No achievement '${c.req.param('code')}'`);
    const { competency, framework } = entry;
    const svg = achievementBadgeSvg({ name: competency.name, number: competency.number, frameworkName: framework.name });
    return c.body(svg, 200, { ...SVG_HEADERS, 'Cache-Control': 'public, max-age=86400' });
  });

  app.get('/credentials/:id/badge.svg', async (c) => {
    const award = await store.awards.findByCredentialId(credentialUrl(baseUrl, c.req.param('id')));
    const entry = award && catalog.achievement(award.achievementCode);
    if (!award || !entry) throw notFound(`No credential '${c.req.param('id')}'`);
    const { competency, framework } = entry;
    const svg = achievementBadgeSvg({ name: competency.name, number: competency.number, frameworkName: framework.name });
    return c.body(bakeSvg(svg, award.credential), 200, {
      ...SVG_HEADERS,
      'Content-Disposition': `inline; filename="${award.achievementCode}-badge.svg"`,
      'Cache-Control': 'no-store',
    });
  });

  // The same baked badge as a PNG (OB 3.0 §5.3.1: an uncompressed iTXt chunk `openbadgecredential`).
  app.get('/credentials/:id/badge.png', async (c) => {
    const award = await store.awards.findByCredentialId(credentialUrl(baseUrl, c.req.param('id')));
    const entry = award && catalog.achievement(award.achievementCode);
    if (!award || !entry) throw notFound(`No credential '${c.req.param('id')}'`);
    const { competency, framework } = entry;
    const png = svgToPng(achievementBadgeSvg({ name: competency.name, number: competency.number, frameworkName: framework.name }));
    return c.body(new Uint8Array(bakePng(png, award.credential)), 200, {
      'Content-Type': 'image/png',
      'Content-Disposition': `inline; filename="${award.achievementCode}-badge.png"`,
      'Cache-Control': 'no-store',
    });
  });

  return app;
}
