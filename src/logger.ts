// The service logger (pino, JSON lines). Secrets never belong in a log line: request paths and
// URLs carry claim tokens (/claim/<t>, /exchanges/<t>, a wallet deep link that wraps one),
// query parameters can carry bearer tokens, URLs can carry passwords. `redactSecrets` is the one
// place that knows their shapes; the app applies it to what it logs, and this logger applies it
// again to every path, url, message and error it is given, besides redacting key fields by path.
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

/** What every log line written during a request carries (its id; src/http/requestId.ts). */
export const logContext = new AsyncLocalStorage<{ requestId: string }>();

const CENSOR = '[redacted]';

/** Query parameters whose value is a secret (or, like `challenge`, part of a claim link). */
const SECRET_PARAMS = ['token', 'access_token', 'id_token', 'refresh_token', 'api_key', 'apikey', 'key', 'secret', 'password', 'passwd', 'pwd', 'challenge', 'code', 'signature', 'sig'];

const PATTERNS: Array<[RegExp, string]> = [
  // The token segment after /claim/ or /exchanges/, also URL-encoded (%2F) inside another URL.
  [/((?:\/|%2F)(?:claim|exchanges)(?:\/|%2F))([^/?#&\s"'<>%]+)/gi, '$1[token]'],
  // The educator page's sign-in links and share links (issue 16): /me/sign-in/<t>, /shared/<t>.
  [/((?:\/|%2F)(?:me(?:\/|%2F)sign-in|shared)(?:\/|%2F))([^/?#&\s"'<>%]+)/gi, '$1[token]'],
  [new RegExp(`([?&](?:${SECRET_PARAMS.join('|')})=)[^&#\\s"'<>]*`, 'gi'), `$1${CENSOR}`],
  // userinfo password: scheme://user:password@host. The lookbehind starts a scheme only where
  // one can start, so a long run of letters (a 5,000-character path) is scanned once, not once
  // per position.
  [/(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s/]*@/gi, `$1${CENSOR}@`],
  [/(\bBearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${CENSOR}`],
  // Email addresses (a recipient, a bounced address in an SMTP error). The lookbehind starts a
  // match only where an address can start, so a long run of letters is scanned once.
  [/(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g, '[email]'],
];

/** A path, URL or message with its secrets replaced. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

const redactString = (value: unknown): unknown => (typeof value === 'string' ? redactSecrets(value) : value);

/** pino's error serializer, with the message and stack (which may quote a URL) redacted. */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return redactString(error);
  const serialized = stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack']) serialized[key] = redactString(serialized[key]);
  return serialized;
}

/** Serializers for the fields that can carry a secret-bearing path or URL. */
export const LOG_SERIALIZERS = { err: serializeError, path: redactString, url: redactString };

/** `destination` defaults to stdout; the CLI passes stderr so that stdout carries only results. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: ['*.secretKeyMultibase', '*.authorization', '*.token', 'token', 'secretKeyMultibase', '*.headers.authorization', 'email', '*.email', 'recipientEmail', '*.recipientEmail', 'pin', '*.pin'],
      censor: CENSOR,
    },
    serializers: LOG_SERIALIZERS,
    // The id of the request being answered, on every line written while it runs.
    mixin: () => logContext.getStore() ?? {},
    hooks: {
      // The message strings themselves (and printf arguments).
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map(redactString));
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
