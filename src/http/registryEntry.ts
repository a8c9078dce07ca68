// This issuer's own entry for issuer registries others keep: GET /.well-known/dcc-issuer-registry-entry.json
// answers a Digital Credentials Consortium issuer-registry snippet (`{"registry": {"<DID>":
// {"name", "url"}}}`) that a verifier or a registry maintainer copies into theirs. Public.
import { Hono } from 'hono';
import type { AppDeps } from './deps.js';

export const REGISTRY_ENTRY_PATH = '/.well-known/dcc-issuer-registry-entry.json';

export function registryEntryRoutes(deps: Pick<AppDeps, 'issuer' | 'baseUrl'>): Hono {
  const app = new Hono();
  app.get(REGISTRY_ENTRY_PATH, (c) => {
    const { did } = deps.issuer.identity;
    return c.json({ meta: { created: new Date().toISOString() }, registry: { [did]: { name: deps.issuer.profile.name, url: deps.issuer.profile.url ?? deps.baseUrl } } }, 200, { 'Cache-Control': 'public, max-age=3600' });
  });
  return app;
}
