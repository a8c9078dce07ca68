// The console's session guard: the session cookie, the role's permission, the CSRF token of
// every unsafe request (and, for every unsafe request, an Origin of this service: Hono's csrf
// middleware in src/http/console/index.ts). Without a session a browser is sent to sign in.
import { randomBytes, type KeyObject } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { CookieOptions } from 'hono/utils/cookie';
import { may, type Permission } from '../../console/roles.js';
import { csrfToken, currentSession, SESSION_ABSOLUTE_MS, validCsrf } from '../../console/sessions.js';
import type { ConsoleSession } from '../../store/console.js';
import { sendPage } from '../../pages/layout.js';
import { consolePage, type Viewer } from '../../pages/console/shell.js';
import type { AppDeps } from '../deps.js';

export type ConsoleVariables = { session: ConsoleSession; viewer: Viewer; form: Record<string, string | File> };
export type ConsoleEnv = { Variables: ConsoleVariables };

export interface ConsoleCookies {
  /** The session id's cookie. */
  session: string;
  /** The short-lived nonce a sign-in form's CSRF token is made from. */
  signIn: string;
  /** The sealed OpenID Connect transaction. */
  transaction: string;
  options: CookieOptions;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * HttpOnly, SameSite=Lax (the identity provider's redirect back is a top-level GET; every
 * change is a POST with a CSRF token), Secure on https and on localhost (browsers treat it as a
 * secure context), `__Host-` names (RFC 6265bis §4.1.3.2: Secure, Path=/, no Domain) when served over https.
 */
export function consoleCookies(baseUrl: string): ConsoleCookies {
  const url = new URL(baseUrl);
  const https = url.protocol === 'https:';
  const secure = https || LOOPBACK.has(url.hostname);
  const prefix = https ? '__Host-' : '';
  return {
    session: `${prefix}educred-console`,
    signIn: `${prefix}educred-console-sign-in`,
    transaction: `${prefix}educred-console-oidc`,
    options: { httpOnly: true, secure, sameSite: 'Lax', path: '/' },
  };
}

export interface ConsoleGuard {
  secret: KeyObject;
  cookies: ConsoleCookies;
  /** The signed-in person's session, with `permission`; a CSRF-checked form for unsafe methods. */
  require(permission: Permission): MiddlewareHandler<ConsoleEnv>;
  setSession(c: Context, id: string): void;
  clearSession(c: Context): void;
  /** A sign-in form's nonce (set as a cookie) and the CSRF token made from it. */
  signInToken(c: Context): string;
  validSignInToken(c: Context, presented: unknown): boolean;
}

const nextParam = (c: Context): string => {
  const path = c.req.path + (new URL(c.req.url).search || '');
  return c.req.method === 'GET' ? `?next=${encodeURIComponent(path)}` : '';
};

/** The form fields as text (files kept as File), read once for the CSRF check and the handler. */
export async function readForm(c: Context): Promise<Record<string, string | File> | undefined> {
  try {
    const body = await c.req.parseBody();
    const form: Record<string, string | File> = {};
    for (const [key, value] of Object.entries(body)) {
      const first = Array.isArray(value) ? value[0] : value;
      if (typeof first === 'string' || first instanceof File) form[key] = first;
    }
    return form;
  } catch {
    return undefined;
  }
}

export function consoleGuard(deps: AppDeps, secret: KeyObject): ConsoleGuard {
  const cookies = consoleCookies(deps.baseUrl);
  const now = (): Date => deps.now?.() ?? new Date();

  const refuse = (c: Context, viewer: Viewer | undefined, title: string, text: string) =>
    sendPage(c, consolePage(viewer, { title, screen: 'educators', body: messageBody(title, text) }), 403);

  return {
    secret,
    cookies,
    require(permission) {
      return async (c, next) => {
        const id = getCookie(c, cookies.session);
        let session = id ? await currentSession(deps.store, id, now()) : undefined;
        // A session opened with an API token ends when the token is revoked.
        if (session?.person.subject.startsWith('token:')) {
          const token = await deps.store.tokens.findRecord(session.person.subject.slice('token:'.length));
          if (!token || token.revokedAt !== null) {
            await deps.store.console.endSession(session.idHash, now());
            session = undefined;
          }
        }
        if (!session || !id) {
          if (id) deleteCookie(c, cookies.session, cookies.options);
          return c.redirect(`/console/sign-in${nextParam(c)}`, 303);
        }
        const viewer: Viewer = { name: session.person.name, role: session.role, csrf: csrfToken(secret, id) };
        if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
          const form = await readForm(c);
          if (!form || !validCsrf(secret, id, form.csrf)) return refuse(c, viewer, 'Form expired', 'This form is out of date or came from another site. Go back, reload the page and send it again.');
          c.set('form', form);
        }
        if (!may(session.role, permission)) return refuse(c, viewer, 'Not allowed', `Your role (${session.role}) does not allow this. An admin can change roles under Access.`);
        c.set('session', session);
        c.set('viewer', viewer);
        // Console pages hold claim links and personal data: never cached.
        c.header('Cache-Control', 'no-store');
        await next();
      };
    },
    setSession(c, id) {
      setCookie(c, cookies.session, id, { ...cookies.options, maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000) });
    },
    clearSession(c) {
      deleteCookie(c, cookies.session, cookies.options);
    },
    signInToken(c) {
      let nonce = getCookie(c, cookies.signIn);
      if (!nonce || nonce.length !== 43) {
        nonce = randomBytes(32).toString('base64url');
        setCookie(c, cookies.signIn, nonce, { ...cookies.options, maxAge: 60 * 60 });
      }
      return csrfToken(secret, `sign-in:${nonce}`);
    },
    validSignInToken(c, presented) {
      const nonce = getCookie(c, cookies.signIn);
      return nonce !== undefined && validCsrf(secret, `sign-in:${nonce}`, presented);
    },
  };
}

/** The body of a page that says one thing. */
export const messageBody = (title: string, text: string) =>
  html`<h1>${title}</h1><div class="card"><p>${text}</p><p><a href="/console">Back to the console</a></p></div>`;
