// Signing in to the educator's own page without a password (issue 16). Two ways in:
// - from a claim link: the link was emailed to the educator, so it proves the address as a
//   magic link does; it opens the page while the link is not replaced or expired (a link spent
//   by collecting the badge still opens the page for a day, so "collect, then see all my badges"
//   works, but an old spent link found in a history does not);
// - by email: the page's form sends a fresh sign-in link to an address that has badges here.
//   The answer is the same whether or not the address is known, and at most
//   SIGN_IN_EMAILS_PER_HOUR links go to one address in an hour.
// A sign-in link is 32 random bytes (base64url), single use, expires after SIGN_IN_LINK_TTL_MS;
// only its SHA-256 is stored. Opening it shows a button; the POST of that button spends it, so a
// mail scanner that fetches links does not burn it. A session is 32 random bytes in an HttpOnly
// cookie, its SHA-256 in the database, with an idle and an absolute expiry.
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { hashClaimToken } from '../store/claimLinks.js';
import { normalizeEmail } from '../credentials/recipient.js';
import type { MailTransport } from '../mail/transport.js';
import { describeSendError } from '../mail/transport.js';
import type { EducatorSessionRow, RedeemOutcome } from '../store/educatorPages.js';
import type { Repositories, Store } from '../store/store.js';
import { signInMessage } from './signInMessage.js';

export const SIGN_IN_LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const SIGN_IN_EMAILS_PER_HOUR = 3;
/** A claim link that was spent still signs in for this long after (collect, then open the page). */
export const CLAIM_SIGN_IN_AFTER_SPENT_MS = 24 * 60 * 60 * 1000;
export const EDUCATOR_SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
export const EDUCATOR_SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
const TOUCH_EVERY_MS = 60 * 1000;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');
const newSecret = (): string => randomBytes(32).toString('base64url');

export const signInUrl = (baseUrl: string, token: string): string => `${baseUrl}/me/sign-in/${token}`;

/** Mail for sign-in links: the SMTP transport itself (not the claim outbox) and the sender address. */
export interface SignInMail {
  transport: MailTransport;
  from: string;
}

export interface SignInDeps {
  store: Store;
  baseUrl: string;
  logger: Logger;
  signInMail?: SignInMail | undefined;
  now?: (() => Date) | undefined;
}

/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets; one @, no spaces or control characters. */
export function parseEmailAddress(value: string | undefined): string | undefined {
  const email = value?.trim();
  if (!email || email.length > 254 || !/^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u.test(email)) return undefined;
  return normalizeEmail(email);
}

/**
 * Sends a sign-in link to `email` when badges were issued to it and the address has not had too
 * many links this hour; does nothing otherwise. The caller answers the same either way. The
 * send is not awaited (its time would tell a known address from an unknown one); a failure is
 * logged without the link.
 */
export async function requestSignInEmail(deps: SignInDeps, email: string): Promise<'sent' | 'unknown' | 'limited' | 'no-mail'> {
  const now = deps.now?.() ?? new Date();
  const subject = normalizeEmail(email);
  if (!deps.signInMail) return 'no-mail';
  const awards = await deps.store.awards.listForSubject(subject);
  if (awards.length === 0) return 'unknown';
  if ((await deps.store.educatorPages.countSignInsSince(subject, 'email', new Date(now.getTime() - 60 * 60 * 1000))) >= SIGN_IN_EMAILS_PER_HOUR) return 'limited';
  const token = newSecret();
  const expiresAt = new Date(now.getTime() + SIGN_IN_LINK_TTL_MS).toISOString();
  await deps.store.educatorPages.insertSignIn({ tokenHash: hashSecret(token), subject, source: 'email', createdAt: now.toISOString(), expiresAt });
  const url = signInUrl(deps.baseUrl, token);
  const message = await signInMessage({ to: subject, from: deps.signInMail.from, url, expiresAt, name: awards.find((a) => a.recipientName)?.recipientName ?? null });
  void deps.signInMail.transport.send(message).then(
    () => deps.logger.info({ event: 'educator.sign_in_link_sent' }, 'sign-in link sent'),
    (error: unknown) => deps.logger.warn({ event: 'educator.sign_in_link_failed', reason: describeSendError(error, [url, token]) }, 'sign-in link could not be sent'),
  );
  return 'sent';
}

/** Spends an emailed sign-in link and opens a session; the refusal says why (unknown, used, expired). */
export async function signInWithLink(store: Store, token: string, now: Date): Promise<{ ok: true; sessionId: string; subject: string } | Extract<RedeemOutcome, { ok: false }>> {
  return store.transaction(async (tx) => {
    const outcome = await tx.educatorPages.redeemSignIn(hashSecret(token), now);
    if (!outcome.ok) return outcome;
    return { ok: true as const, sessionId: await openEducatorSession(tx, outcome.subject, now), subject: outcome.subject };
  });
}

/** Why a claim link does not open the page. */
export type ClaimSignInRefusal = { reason: 'unknown' } | { reason: 'expired' | 'replaced' | 'spent'; at: string };

/**
 * Whose page a claim link opens: the email of the educator the award belongs to (a mastery
 * record or a program record), else the award's recipient email, else its DID.
 */
export async function claimSignInSubject(store: Repositories, claimToken: string, now: Date): Promise<{ subject: string } | ClaimSignInRefusal> {
  const link = await store.claimLinks.findByHash(hashClaimToken(claimToken));
  if (!link) return { reason: 'unknown' };
  if (link.replacedAt) return { reason: 'replaced', at: link.replacedAt };
  if (link.expiresAt <= now.toISOString()) return { reason: 'expired', at: link.expiresAt };
  if (link.spentAt && Date.parse(link.spentAt) + CLAIM_SIGN_IN_AFTER_SPENT_MS <= now.getTime()) return { reason: 'spent', at: link.spentAt };
  const award = await store.awards.find(link.awardId);
  if (!award) return { reason: 'unknown' };
  const educatorEmail = await store.educatorPages.educatorEmailOfAward(award.id);
  const subject = educatorEmail ?? (award.recipientEmail ? normalizeEmail(award.recipientEmail) : (award.recipientKey ?? award.recipientDid));
  return subject ? { subject } : { reason: 'unknown' };
}

/** Opens a session for a subject; returns the id for the cookie (only its hash is stored). */
export async function openEducatorSession(store: Repositories, subject: string, now: Date): Promise<string> {
  const id = newSecret();
  await store.educatorPages.openSession({ idHash: hashSecret(id), subject, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + EDUCATOR_SESSION_ABSOLUTE_MS).toISOString() });
  return id;
}

/** The open session of a cookie's id, or undefined (unknown, signed out, idle too long or past its absolute expiry: then it is ended). */
export async function currentEducatorSession(store: Repositories, id: string, now: Date): Promise<EducatorSessionRow | undefined> {
  const idHash = hashSecret(id);
  const session = await store.educatorPages.findSession(idHash);
  if (!session) return undefined;
  const idleFor = now.getTime() - Date.parse(session.lastSeenAt);
  if (idleFor > EDUCATOR_SESSION_IDLE_MS || now.toISOString() >= session.expiresAt) {
    await store.educatorPages.endSession(idHash, now);
    return undefined;
  }
  if (idleFor > TOUCH_EVERY_MS) await store.educatorPages.touchSession(idHash, now);
  return session;
}
