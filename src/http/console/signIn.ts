// Signing in and out of the console. With EDUCRED_OIDC_* the person signs in at the identity
// provider (authorization code with PKCE, src/console/oidc.ts); an API token also signs in (the
// embedded default: the admin token of the machine, so `npm start` gives a working console).
// Every sign-in, refusal and sign-out is audited; a refused token is counted like the API's.
import type { KeyObject } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createOidcSignIn, type OidcSignIn, type OidcTransaction } from '../../console/oidc.js';
import { effectiveRole, roleFromClaim, roleOfScopes, type Role } from '../../console/roles.js';
import { actorOf, openSession, seal, unseal } from '../../console/sessions.js';
import type { ConsolePerson } from '../../store/console.js';
import { sendPage } from '../../pages/layout.js';
import { consolePage } from '../../pages/console/shell.js';
import { signInPage } from '../../pages/console/signIn.js';
import type { AppDeps } from '../deps.js';
import { peerAddress } from '../rateLimit.js';
import { refusalAuditFor } from '../refusalAudit.js';
import { messageBody, readForm, type ConsoleEnv, type ConsoleGuard } from './session.js';

/** Where to go after signing in: a console path only (never another site). */
export const safeNext = (next: unknown): string | undefined =>
  typeof next === 'string' && /^\/console(?:[/?#]|$)/.test(next) && !next.includes('//') && !next.includes('\\') && next.length <= 2000 ? next : undefined;

const TRANSACTION_MS = 10 * 60 * 1000;

export function signInRoutes(deps: AppDeps, guard: ConsoleGuard, secret: KeyObject): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const now = (): Date => deps.now?.() ?? new Date();
  const redirectUri = `${deps.baseUrl}/console/sign-in/callback`;
  const oidc: OidcSignIn | undefined = deps.oidc && createOidcSignIn(deps.oidc, redirectUri);
  const provider = deps.oidc && new URL(deps.oidc.issuer).host;

  const page = (c: Context, state: { error?: string; notice?: string; next?: string | undefined }, status: 200 | 400 | 401 | 403 = 200) =>
    sendPage(c, signInPage({ csrf: guard.signInToken(c), provider, ...state }), status);

  const start = async (c: Context, person: ConsolePerson, role: Role, next: string | undefined, how: string) => {
    const id = await openSession(deps.store, person, role, now());
    await deps.store.audit.record({ actor: actorOf(person), action: 'console.signed_in', subject: `person:${person.id}`, detail: { role, how } });
    guard.setSession(c, id);
    deleteCookie(c, guard.cookies.signIn, guard.cookies.options);
    return c.redirect(next ?? '/console/educators', 303);
  };

  app.get('/console/sign-in', (c) => page(c, { next: safeNext(c.req.query('next')), ...(c.req.query('signed-out') !== undefined ? { notice: 'You are signed out.' } : {}) }));

  app.post('/console/sign-in', async (c) => {
    const form = await readForm(c);
    const next = safeNext(form?.next);
    if (!form || !guard.validSignInToken(c, form.csrf)) return page(c, { error: 'The sign-in form expired or came from another site; try again.', next }, 400);
    const secretText = typeof form.token === 'string' ? form.token.trim() : '';
    const token = secretText ? await deps.store.tokens.find(secretText) : undefined;
    if (!token) {
      await refusalAuditFor(deps.store).record({ client: peerAddress(c), reason: secretText ? 'console sign-in: unknown or revoked token' : 'console sign-in: no token', path: c.req.path, actor: 'anonymous' });
      return page(c, { error: 'That token is not valid (unknown or revoked).', next }, 401);
    }
    const role = roleOfScopes(token.scopes);
    if (!role) return page(c, { error: `The token '${token.name}' has no scope the console uses.`, next }, 403);
    const person = await deps.store.console.signedIn({ subject: `token:${token.id}`, name: token.name, claimedRole: role }, now());
    return start(c, person, role, next, 'api-token');
  });

  app.get('/console/sign-in/oidc', async (c) => {
    if (!oidc) return c.redirect('/console/sign-in', 303);
    let begun;
    try {
      begun = await oidc.begin();
    } catch (error) {
      deps.logger.warn({ err: error }, 'console sign-in: the identity provider cannot be reached');
      return page(c, { error: `The identity provider (${provider}) cannot be reached; try again in a moment.` }, 400);
    }
    const at = now();
    const value = { ...begun.transaction, next: safeNext(c.req.query('next')) };
    setCookie(c, guard.cookies.transaction, seal(secret, 'oidc-transaction', value, new Date(at.getTime() + TRANSACTION_MS)), { ...guard.cookies.options, maxAge: TRANSACTION_MS / 1000 });
    return c.redirect(begun.url, 303);
  });

  app.get('/console/sign-in/callback', async (c) => {
    const transaction = unseal<OidcTransaction & { next?: string }>(secret, 'oidc-transaction', getCookie(c, guard.cookies.transaction), now());
    deleteCookie(c, guard.cookies.transaction, guard.cookies.options);
    if (!oidc || !transaction) return page(c, { error: 'This sign-in took too long or was started elsewhere; sign in again.' }, 400);
    const query = new URL(c.req.url).search;
    let identity;
    try {
      identity = await oidc.finish(new URL(`${redirectUri}${query}`), transaction);
    } catch (error) {
      deps.logger.warn({ err: error }, 'console sign-in refused');
      await refusalAuditFor(deps.store).record({ client: peerAddress(c), reason: 'console sign-in: the identity provider answer did not check out', path: c.req.path, actor: 'anonymous' });
      const denied = c.req.query('error');
      return page(c, { error: denied ? `The identity provider did not sign you in (${denied}).` : 'The sign-in could not be completed; sign in again.' }, 401);
    }
    const claimedRole = roleFromClaim(identity.roleClaim) ?? null;
    const person = await deps.store.console.signedIn({ subject: identity.subject, name: identity.name, email: identity.email, claimedRole }, now());
    const role = effectiveRole(person);
    if (!role) {
      await deps.store.audit.record({ actor: actorOf(person), action: 'console.sign_in_refused', subject: `person:${person.id}`, detail: { reason: 'no role' } });
      return sendPage(c, consolePage(undefined, { title: 'No role yet', screen: 'sign-in', body: messageBody('No role yet', `You are signed in at your institution as ${person.name}, but you have no role in the console yet. Ask an admin to give you one under Access.`) }), 403);
    }
    return start(c, person, role, safeNext(transaction.next), 'oidc');
  });

  app.post('/console/sign-out', guard.require('read'), async (c) => {
    const session = c.get('session');
    await deps.store.console.endSession(session.idHash, now());
    await deps.store.audit.record({ actor: actorOf(session.person), action: 'console.signed_out', subject: `person:${session.person.id}` });
    guard.clearSession(c);
    return c.redirect('/console/sign-in?signed-out', 303);
  });

  return app;
}
