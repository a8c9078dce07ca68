// The program console under /console (issue 18): server-rendered pages over the same domain
// functions as the API, for the people who run a program (registrars, directors, observers).
// Every unsafe request must come from this service's own origin (Hono's csrf middleware reads
// Origin / Sec-Fetch-Site) and carry the session's CSRF token (src/http/console/session.ts).
import { randomBytes, createSecretKey } from 'node:crypto';
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { currentSession } from '../../console/sessions.js';
import type { AppDeps } from '../deps.js';
import { consoleAccessRoutes } from './access.js';
import { consoleBatchRoutes } from './batches.js';
import { consoleDecisionRoutes } from './decisions.js';
import { consoleEducatorRoutes } from './educators.js';
import { consoleFrameworkRoutes } from './frameworks.js';
import { consoleImportRoutes } from './imports.js';
import { consoleObserveRoutes } from './observe.js';
import { consoleGuard, type ConsoleEnv } from './session.js';
import { signInRoutes } from './signIn.js';

export function consoleRoutes(deps: AppDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  // An app built without a runtime (a test's own deps) gets a secret of its own.
  const secret = deps.sessionSecret ?? createSecretKey(randomBytes(32));
  const guard = consoleGuard(deps, secret);
  app.use('/console/*', csrf({ origin: new URL(deps.baseUrl).origin }));

  app.get('/console', async (c) => {
    const id = getCookie(c, guard.cookies.session);
    const session = id ? await currentSession(deps.store, id, deps.now?.()) : undefined;
    return c.redirect(session ? '/console/educators' : '/console/sign-in', 303);
  });
  app.route('/', signInRoutes(deps, guard, secret));
  app.route('/', consoleEducatorRoutes(deps, guard));
  app.route('/', consoleObserveRoutes(deps, guard));
  app.route('/', consoleBatchRoutes(deps, guard));
  app.route('/', consoleImportRoutes(deps, guard));
  app.route('/', consoleFrameworkRoutes(deps, guard));
  app.route('/', consoleDecisionRoutes(deps, guard));
  app.route('/', consoleAccessRoutes(deps, guard));
  return app;
}
