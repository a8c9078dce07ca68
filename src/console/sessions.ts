// Console sessions: a random id in an HttpOnly cookie, its SHA-256 hash in the database, an idle
// and an absolute expiry, and CSRF tokens derived from the session id with the session secret
// (a form carries the token; a request from another site cannot know it). The OpenID Connect
// sign-in's transaction (state, nonce, PKCE verifier) rides in a short-lived cookie sealed with
// the same secret.
import { createHash, createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadOrCreateSecretFile } from '../claims/claimSecret.js';
import type { ConsolePerson, ConsoleSession } from '../store/console.js';
import type { Repositories } from '../store/store.js';
import type { Role } from './roles.js';

/** A session ends after this long without a request (an observer's lesson fits in it). */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** ...and this long after sign-in, whatever happens (a working day). */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** The last-seen time is written at most this often (not on every request). */
const TOUCH_EVERY_MS = 60 * 1000;

export const sessionSecretFile = (dataDir: string): string => path.join(dataDir, 'keys', 'console-session.key');

/** EDUCRED_SESSION_SECRET, or the secret generated into the data folder at first start. */
export function loadSessionSecret(configured: string | undefined, dataDir: string, logger?: Pick<Logger, 'warn' | 'info'>): KeyObject {
  if (configured) return createSecretKey(createHash('sha256').update(configured, 'utf8').digest());
  return loadOrCreateSecretFile(sessionSecretFile(dataDir), 'console session secret', 'everyone signed in to the console signs in again', logger);
}

export const hashSessionId = (id: string): string => createHash('sha256').update(id, 'utf8').digest('hex');

const mac = (secret: KeyObject, purpose: string, value: string): string => createHmac('sha256', secret).update(`${purpose}\0${value}`, 'utf8').digest('base64url');

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The name the audit log gives a person acting in the console. */
export const actorOf = (person: Pick<ConsolePerson, 'name' | 'email'>): string => `person:${person.name}${person.email ? ` <${person.email}>` : ''}`;

/** Opens a session for a person; returns the id for the cookie (only its hash is stored). */
export async function openSession(store: Repositories, person: ConsolePerson, role: Role, now = new Date()): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  await store.console.openSession({ idHash: hashSessionId(id), personId: person.id, role, expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS) }, now);
  return id;
}

/** The open session of a cookie's id, or undefined (unknown, signed out, idle too long, or past its absolute expiry: then it is ended). */
export async function currentSession(store: Repositories, id: string, now = new Date()): Promise<ConsoleSession | undefined> {
  const idHash = hashSessionId(id);
  const session = await store.console.findSession(idHash);
  if (!session) return undefined;
  const idleFor = now.getTime() - Date.parse(session.lastSeenAt);
  if (idleFor > SESSION_IDLE_MS || now.toISOString() >= session.expiresAt) {
    await store.console.endSession(idHash, now);
    return undefined;
  }
  if (idleFor > TOUCH_EVERY_MS) await store.console.touchSession(idHash, now);
  return session;
}

/** The CSRF token of a session (or of a sign-in form's nonce): every form of the session carries it. */
export const csrfToken = (secret: KeyObject, sessionId: string): string => mac(secret, 'csrf', sessionId);

export const validCsrf = (secret: KeyObject, sessionId: string, presented: unknown): boolean =>
  typeof presented === 'string' && presented.length > 0 && sameText(presented, csrfToken(secret, sessionId));

/** Seals a small JSON value (integrity-protected, with an expiry) for a cookie. */
export function seal(secret: KeyObject, purpose: string, value: unknown, expiresAt: Date): string {
  const body = Buffer.from(JSON.stringify({ v: value, exp: expiresAt.getTime() }), 'utf8').toString('base64url');
  return `${body}.${mac(secret, purpose, body)}`;
}

/** The value `seal` sealed, or undefined when it was altered, sealed for another purpose, or expired. */
export function unseal<T>(secret: KeyObject, purpose: string, sealed: string | undefined, now = new Date()): T | undefined {
  if (!sealed) return undefined;
  const [body, tag, extra] = sealed.split('.');
  if (!body || !tag || extra !== undefined || !sameText(tag, mac(secret, purpose, body))) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { v: T; exp: number };
    return typeof parsed.exp === 'number' && parsed.exp > now.getTime() ? parsed.v : undefined;
  } catch {
    return undefined;
  }
}
