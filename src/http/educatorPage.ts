// The educator's own page over HTTP (issue 16): GET /me (the page, or the sign-in form), POST
// /me/sign-in (email me a link), GET and POST /me/sign-in/:token (the emailed link: a button,
// whose POST spends it), POST /claim/:token/me (in from a claim link), POST /me/sign-out,
// GET /me/awards/:id/credential.json (download), POST /me/shares and
// POST /me/shares/:id/withdraw (share links), and the public GET /shared/:token (the page, or
// the set as JSON). Every unsafe request must come from this origin (Hono's csrf middleware:
// Origin / Sec-Fetch-Site) and, once signed in, carry the session's CSRF token.
import { createSecretKey, randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { csrf } from 'hono/csrf';
import { html } from 'hono/html';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import { awardLiveStatus } from '../claims/claimStatus.js';
import { csrfToken, validCsrf } from '../console/sessions.js';
import { linkedInAddToProfileUrl } from '../educatorPage/linkedIn.js';
import { createShareLink, openShareLink, SHARE_DEFAULT_DAYS, sharePresentation, ShareRequestError, shareToken, shareUrl } from '../educatorPage/shareLinks.js';
import {
  claimSignInSubject,
  currentEducatorSession,
  hashSecret,
  openEducatorSession,
  parseEmailAddress,
  requestSignInEmail,
  signInWithLink,
} from '../educatorPage/signIn.js';
import { badgeFacts, humanDate } from '../pages/badgeFacts.js';
import { educatorPage, sharePage, signInConfirmPage, signInRequestPage, type EducatorItem, type ShareItemView } from '../pages/educatorPage.js';
import { messagePage, sendPage } from '../pages/layout.js';
import { displayName } from '../programs/namePrivacy.js';
import { pagePrivacyFor } from '../programs/pagePrivacy.js';
import { recordCurrency } from '../programs/issueRecord.js';
import type { AwardRecord } from '../store/awards.js';
import type { EducatorSessionRow } from '../store/educatorPages.js';
import { prefersHtml } from './badgePage.js';
import type { AppDeps } from './deps.js';
import { HttpProblem, notFound } from './problem.js';
import { rateLimit } from './rateLimit.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** HttpOnly, SameSite=Lax, Secure on https and on localhost, `__Host-` on https (RFC 6265bis §4.1.3.2), as the console's. */
export function educatorCookie(baseUrl: string): { name: string; options: CookieOptions } {
  const url = new URL(baseUrl);
  const https = url.protocol === 'https:';
  return { name: `${https ? '__Host-' : ''}educred-me`, options: { httpOnly: true, secure: https || LOOPBACK.has(url.hostname), sameSite: 'Lax', path: '/' } };
}

type FormFields = Record<string, string | string[]>;

async function readFields(c: Context): Promise<FormFields | undefined> {
  try {
    const body = await c.req.parseBody({ all: true });
    const out: FormFields = {};
    for (const [key, value] of Object.entries(body)) {
      const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
      out[key] = values.length === 1 ? (values[0] as string) : values;
    }
    return out;
  } catch {
    return undefined;
  }
}

const first = (fields: FormFields, name: string): string | undefined => {
  const v = fields[name];
  return typeof v === 'string' ? v : v?.[0];
};
const all = (fields: FormFields, name: string): string[] => {
  const v = fields[name];
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
};

const kindOf = (award: AwardRecord): EducatorItem['kind'] => (award.achievementCode.startsWith('program:') ? 'record' : award.achievementCode.startsWith('license:') ? 'licence' : 'badge');

const safeFileName = (code: string): string => code.replace(/[^a-z0-9-]/gi, '-').replace(/^-+|-+$/g, '') || 'credential';

export function educatorPageRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const cookie = educatorCookie(deps.baseUrl);
  const secret = deps.sessionSecret ?? createSecretKey(randomBytes(32));
  const now = (): Date => deps.now?.() ?? new Date();
  const csrfOf = (sessionId: string): string => csrfToken(secret, `educator\0${sessionId}`);
  const origin = new URL(deps.baseUrl).origin;
  app.use('/me/*', csrf({ origin }));
  app.use('/claim/:token/me', csrf({ origin }));
  // Asking for sign-in emails costs a message each: one bucket per client, besides the per-address limit.
  const emailLimit = rateLimit({ perMinute: 10, clientKey: deps.rateLimitClientKey });

  const sessionOf = async (c: Context): Promise<{ id: string; session: EducatorSessionRow } | undefined> => {
    const id = getCookie(c, cookie.name);
    if (!id || id.length > 100) return undefined;
    const session = await currentEducatorSession(deps.store, id, now());
    if (!session) {
      deleteCookie(c, cookie.name, cookie.options);
      return undefined;
    }
    return { id, session };
  };

  const startSession = (c: Context, id: string): Response => {
    setCookie(c, cookie.name, id, cookie.options);
    c.header('Cache-Control', 'no-store');
    return c.redirect('/me', 303);
  };

  const itemOf = async (award: AwardRecord): Promise<EducatorItem> => {
    const f = badgeFacts(award.credential);
    const kind = kindOf(award);
    const publicUrl = typeof award.credential.id === 'string' ? award.credential.id : `${deps.baseUrl}/credentials/${award.id}`;
    const path = new URL(publicUrl).pathname;
    let status = await awardLiveStatus(deps.store, award, now());
    if (kind === 'record' && status.state === 'valid') {
      const row = await deps.store.programs.findRecord(award.id);
      const stale = row ? await recordCurrency(deps.store, row) : [];
      if (stale.length > 0) status = { state: 'unknown', detail: `Not current: ${stale.join('; ')}.` };
    }
    const name = kind === 'record' && typeof award.credential.name === 'string' ? award.credential.name : f.achievementName;
    return {
      awardId: award.id,
      kind,
      name,
      issuerName: f.issuerName,
      issued: f.awardedDate,
      image: kind === 'badge' ? f.image : undefined,
      status,
      publicUrl,
      jsonHref: `/me/awards/${award.id}/credential.json`,
      svgHref: kind === 'record' ? `${path}/record.svg` : `${path}/badge.svg`,
      pngHref: kind === 'record' ? `${path}/record.png` : `${path}/badge.png`,
      linkedInHref: linkedInAddToProfileUrl({ name, organizationName: f.issuerName, issued: f.awardedDate, expires: f.validUntil, certUrl: publicUrl, certId: award.id }),
    };
  };

  const showPage = async (c: Context, signedIn: { id: string; session: EducatorSessionRow }, notice?: { tone: 'ok' | 'bad'; text: string }, status: 200 | 400 | 403 | 422 = 200) => {
    const { subject } = signedIn.session;
    const awards = await deps.store.awards.listForSubject(subject);
    const items: EducatorItem[] = [];
    for (const award of awards) items.push(await itemOf(award));
    const at = now().toISOString();
    const shares = (await deps.store.educatorPages.sharesOf(subject)).map((s) => ({
      id: s.id,
      url: shareUrl(deps.baseUrl, shareToken(deps.claimSecret, s.id)),
      label: s.label,
      items: s.awardIds.length,
      createdAt: s.createdAt,
      expiresAt: s.expiresAt,
      state: s.withdrawnAt ? ('withdrawn' as const) : s.expiresAt <= at ? ('expired' as const) : ('open' as const),
    }));
    return sendPage(c, educatorPage({ subject, csrf: csrfOf(signedIn.id), items, shares, notice }), status);
  };

  /** The signed-in session of a form post with a valid CSRF token, or the response refusing it. */
  const signedInForm = async (c: Context): Promise<{ signedIn: { id: string; session: EducatorSessionRow }; fields: FormFields } | Response> => {
    const signedIn = await sessionOf(c);
    if (!signedIn) return c.redirect('/me', 303);
    const fields = await readFields(c);
    if (!fields || !validCsrf(secret, `educator\0${signedIn.id}`, first(fields, 'csrf'))) {
      return messagePage(c, 403, 'Form expired', ['This form is out of date or came from another site. Go back, reload the page and send it again.']);
    }
    return { signedIn, fields };
  };

  app.get('/me', async (c) => {
    c.header('Cache-Control', 'no-store');
    const signedIn = await sessionOf(c);
    if (!signedIn) return sendPage(c, signInRequestPage({}));
    const made = c.req.query('made');
    const notice = made === 'share' ? { tone: 'ok' as const, text: 'Share link made: copy it below and send it to whoever should see these.' } : made === 'withdrawn' ? { tone: 'ok' as const, text: 'Share link withdrawn: it no longer opens.' } : undefined;
    return showPage(c, signedIn, notice);
  });

  app.post('/me/sign-in', emailLimit, async (c) => {
    const fields = await readFields(c);
    const given = fields ? first(fields, 'email') : undefined;
    const email = parseEmailAddress(given);
    if (!email) return sendPage(c, signInRequestPage({ email: given?.slice(0, 254), error: 'Enter an email address, like ana.lopez@example.edu.' }), 400);
    if (!deps.signInMail) {
      return messagePage(c, 503, 'Email is not set up here', ['This service cannot send email yet. Open your page from the claim link in your badge email instead.']);
    }
    const outcome = await requestSignInEmail(deps, email);
    deps.logger.info({ event: 'educator.sign_in_requested', outcome }, 'sign-in link requested');
    // The same answer for a known, an unknown and a rate-limited address.
    return sendPage(c, signInRequestPage({ sent: true }));
  });

  const signInGone = (c: Context, reason: 'unknown' | 'used' | 'expired', at?: string) => {
    const askAgain = html`<a href="/me">Ask for a new sign-in link</a>; it comes by email.`;
    if (reason === 'unknown') return messagePage(c, 404, 'This sign-in link is not known', ['Check that you opened the whole link from the email.', askAgain]);
    const line = reason === 'used' ? `This sign-in link was already used${at ? ` on ${humanDate(at)}` : ''}. Each link works once.` : `This sign-in link expired${at ? ` on ${humanDate(at)}` : ''}.`;
    return messagePage(c, 410, 'This sign-in link can no longer be used', [line, askAgain]);
  };

  app.get('/me/sign-in/:token', async (c) => {
    c.header('Cache-Control', 'no-store');
    const token = c.req.param('token');
    const row = token.length <= 100 ? await deps.store.educatorPages.findSignIn(hashSecret(token)) : undefined;
    if (!row) return signInGone(c, 'unknown');
    if (row.usedAt) return signInGone(c, 'used', row.usedAt);
    if (row.expiresAt <= now().toISOString()) return signInGone(c, 'expired', row.expiresAt);
    return sendPage(c, signInConfirmPage(token));
  });

  app.post('/me/sign-in/:token', async (c) => {
    const token = c.req.param('token');
    if (token.length > 100) return signInGone(c, 'unknown');
    const outcome = await signInWithLink(deps.store, token, now());
    if (!outcome.ok) return signInGone(c, outcome.reason, outcome.at);
    await deps.store.audit.record({ actor: `educator:${hashSecret(outcome.subject).slice(0, 16)}`, action: 'educator.signed_in', subject: 'educator-page', detail: { via: 'email' } });
    return startSession(c, outcome.sessionId);
  });

  app.post('/claim/:token/me', async (c) => {
    const at = now();
    const token = c.req.param('token');
    const outcome = token.length <= 100 ? await claimSignInSubject(deps.store, token, at) : { reason: 'unknown' as const };
    if (!('subject' in outcome)) {
      if (outcome.reason === 'unknown') return messagePage(c, 404, 'No badge at this link', ['Check that you opened the whole link from your email.']);
      return messagePage(c, 410, 'This claim link no longer opens your page', [`The link was ${outcome.reason} on ${humanDate(outcome.at)}.`, html`<a href="/me">Ask for a sign-in link</a>; it comes by email.`]);
    }
    const sessionId = await openEducatorSession(deps.store, outcome.subject, at);
    await deps.store.audit.record({ actor: `educator:${hashSecret(outcome.subject).slice(0, 16)}`, action: 'educator.signed_in', subject: 'educator-page', detail: { via: 'claim' } });
    return startSession(c, sessionId);
  });

  app.post('/me/sign-out', async (c) => {
    const form = await signedInForm(c);
    if (form instanceof Response) return form;
    await deps.store.educatorPages.endSession(hashSecret(form.signedIn.id), now());
    deleteCookie(c, cookie.name, cookie.options);
    return c.redirect('/me', 303);
  });

  app.get('/me/awards/:id/credential.json', async (c) => {
    const signedIn = await sessionOf(c);
    if (!signedIn) throw new HttpProblem(401, 'sign-in-required', 'Sign in first', 'Open your page (/me) to download your badges');
    const award = (await deps.store.awards.listForSubject(signedIn.session.subject)).find((a) => a.id === c.req.param('id'));
    if (!award) throw notFound(`No badge or record '${c.req.param('id')}' of yours`);
    return c.body(JSON.stringify(award.credential, null, 2), 200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="${safeFileName(award.achievementCode)}.json"`,
      'Cache-Control': 'no-store',
    });
  });

  app.post('/me/shares', async (c) => {
    const form = await signedInForm(c);
    if (form instanceof Response) return form;
    const daysText = first(form.fields, 'days') ?? String(SHARE_DEFAULT_DAYS);
    const days = /^\d{1,4}$/.test(daysText) ? Number(daysText) : Number.NaN;
    try {
      await createShareLink(deps.store, deps.claimSecret, form.signedIn.session.subject, { awardIds: all(form.fields, 'award').slice(0, 1000), days, label: first(form.fields, 'label') }, now());
    } catch (error) {
      if (!(error instanceof ShareRequestError)) throw error;
      const foreign = error.message.startsWith('Only your own');
      return showPage(c, form.signedIn, { tone: 'bad', text: error.message }, foreign ? 403 : 422);
    }
    return c.redirect('/me?made=share', 303);
  });

  app.post('/me/shares/:id/withdraw', async (c) => {
    const form = await signedInForm(c);
    if (form instanceof Response) return form;
    const id = c.req.param('id');
    if (!(await deps.store.educatorPages.withdrawShare(id, form.signedIn.session.subject, now()))) {
      return messagePage(c, 404, 'No such share link', ['It is not one of yours, or it was already withdrawn.']);
    }
    await deps.store.audit.record({ actor: `educator:${hashSecret(form.signedIn.session.subject).slice(0, 16)}`, action: 'share_link.withdrawn', subject: `share:${id}` });
    return c.redirect('/me?made=withdrawn', 303);
  });

  app.get('/shared/:token', async (c) => {
    c.header('Vary', 'Accept');
    c.header('Cache-Control', 'no-store');
    const token = c.req.param('token');
    const wantsJson = c.req.query('format') === 'json' || !prefersHtml(c.req.header('accept'));
    const opened = await openShareLink(deps.store, token, now());
    if (opened.state === 'unknown') {
      if (wantsJson) throw notFound('No share link with this token');
      return messagePage(c, 404, 'No share link at this address', ['Check the link; share links are long and easy to cut short.']);
    }
    if (opened.state !== 'open') {
      const detail = opened.state === 'withdrawn' ? `The educator withdrew this share link on ${humanDate(opened.at)}.` : `This share link expired on ${humanDate(opened.at)}.`;
      if (wantsJson) throw new HttpProblem(410, `share-${opened.state}`, 'Share link no longer open', detail);
      return messagePage(c, 410, 'This share link is no longer open', [detail, 'Ask the educator for a new link if you still need to see their badges.']);
    }
    const url = shareUrl(deps.baseUrl, token);
    if (wantsJson) return c.json(sharePresentation(url, opened.awards));
    const items: ShareItemView[] = [];
    for (const award of opened.awards) {
      const f = badgeFacts(award.credential);
      const privacy = await pagePrivacyFor(deps.store, award);
      const report = await deps.verifier.verifyCredential(award.credential, { maxStatusAge: 0 });
      const recordName = kindOf(award) === 'record' && typeof award.credential.name === 'string' ? award.credential.name : undefined;
      items.push({
        name: recordName ?? f.achievementName,
        publicUrl: typeof award.credential.id === 'string' ? award.credential.id : url,
        recipient: displayName(f.recipientName ?? award.recipientName ?? undefined, privacy.recipients),
        issuerName: f.issuerName,
        issued: f.awardedDate,
        report,
      });
    }
    return sendPage(c, sharePage({ items, expiresAt: opened.row.expiresAt, jsonHref: `/shared/${token}?format=json`, verifyHref: `/verify?url=${encodeURIComponent(url)}` }));
  });

  return app;
}
