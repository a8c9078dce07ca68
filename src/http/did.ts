// Serves the issuer's DID document when the issuer is a did:web: at /.well-known/did.json for
// a bare domain, and at /<path>/did.json for a path-form DID (did:web spec, "Read").
import { Hono } from 'hono';
import { didWebDocumentPath } from '../signing/did.js';
import type { AppDeps } from './deps.js';
import { notFound } from './problem.js';

export function didRoutes({ issuer }: AppDeps): Hono {
  const app = new Hono();
  const { did } = issuer.identity;
  if (!did.startsWith('did:web:')) {
    app.get('/.well-known/did.json', () => {
      throw notFound(`This issuer is ${did}, which needs no DID document endpoint (set EDUCRED_DID_WEB_DOMAIN for did:web)`);
    });
    return app;
  }
  const path = didWebDocumentPath(did);
  // From the store at each request: every node on one database serves the same document, and a
  // rotation or retirement made on any of them shows at once.
  app.get(path, async (c) => c.json(await issuer.currentDidDocument(), 200, { 'Content-Type': 'application/did+json' }));
  return app;
}
