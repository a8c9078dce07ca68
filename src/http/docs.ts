// The API description: GET /openapi.json (OpenAPI 3.1, generated from the routes' own zod
// schemas), the reference page /docs, and the home page that points people to it.
import { Hono } from 'hono';
import { frameworkAchievements } from '../credentials/achievement.js';
import { buildOpenApiDocument } from '../openapi/document.js';
import { docsPage } from '../pages/docsPage.js';
import { homePage } from '../pages/homePage.js';
import { sendPage } from '../pages/layout.js';
import { didWebDocumentPath } from '../signing/did.js';
import type { AppDeps } from './deps.js';

export function docsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const { did } = deps.issuer.identity;
  const document = buildOpenApiDocument(deps.baseUrl, undefined, did.startsWith('did:web:') ? { didDocumentPath: didWebDocumentPath(did) } : {});
  const achievements = frameworkAchievements(deps.baseUrl, deps.framework).map((a) => ({
    code: a.humanCode,
    name: a.name,
    image: (a.image as { id: string }).id,
  }));

  app.get('/openapi.json', (c) => c.json(document));
  app.get('/docs', (c) => sendPage(c, docsPage(document)));
  app.get('/', (c) => sendPage(c, homePage({ issuerName: deps.issuer.profile.name, issuerDid: deps.issuer.identity.did, achievements })));
  return app;
}
