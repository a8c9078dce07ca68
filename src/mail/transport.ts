// Sending mail over SMTP with nodemailer. `smtp://` upgrades with STARTTLS whenever the server
// offers it (RFC 3207) and then verifies the certificate like any TLS client; `smtps://` is TLS
// from the first byte (RFC 8314). Trust comes from Node's roots (add an internal CA with
// NODE_EXTRA_CA_CERTS). The URL carries the password: only `describeSmtpUrl` output is logged.
import nodemailer from 'nodemailer';
import type { ConnectionOptions } from 'node:tls';
import type { ClaimMessage } from './claimMessage.js';

export interface MailTransport {
  /** Sends one message; rejects with the server's or the network's error. */
  send(message: ClaimMessage): Promise<{ messageId: string | null }>;
  close(): void;
}

export interface MailTransportOptions {
  /** Extra TLS settings, e.g. `{ ca }` for a test server's certificate. */
  tls?: ConnectionOptions | undefined;
  /** Connection, greeting and socket timeouts (ms): an unreachable server must not hold a send for minutes. */
  timeoutMs?: number | undefined;
}

export function createMailTransport(smtpUrl: string, options: MailTransportOptions = {}): MailTransport {
  const timeout = options.timeoutMs ?? 15_000;
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    // One connection reused for a run of messages (a batch's emails), closed when idle.
    pool: true,
    maxConnections: 2,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
    logger: false,
    debug: false,
    ...(options.tls ? { tls: options.tls } : {}),
  });
  return {
    async send(message) {
      const info = await transporter.sendMail({ from: message.from, to: message.to, subject: message.subject, text: message.text, html: message.html });
      return { messageId: typeof info.messageId === 'string' ? info.messageId : null };
    },
    close() {
      transporter.close();
    },
  };
}

/** The SMTP URL without its credentials, for logs: `smtp://user:***@host:587`. */
export function describeSmtpUrl(smtpUrl: string): string {
  try {
    const url = new URL(smtpUrl);
    if (url.password) url.password = '***';
    url.search = '';
    return url.toString();
  } catch {
    return 'an unparsable SMTP URL';
  }
}

/**
 * One line about a failed send that is safe to log and to store: the error's code, the SMTP
 * reply code, and its message with every `secret` (the SMTP password, the claim URL) removed.
 */
export function describeSendError(error: unknown, secrets: readonly string[]): string {
  const e = error as { code?: unknown; responseCode?: unknown; message?: unknown };
  let message = typeof e.message === 'string' ? e.message : String(error);
  for (const secret of secrets) if (secret.length >= 4) message = message.split(secret).join('***');
  const parts = [typeof e.code === 'string' ? e.code : undefined, typeof e.responseCode === 'number' ? `SMTP ${e.responseCode}` : undefined, message.slice(0, 500)];
  return parts.filter((p): p is string => p !== undefined && p !== '').join(': ');
}

/** The password in an SMTP URL (percent-decoded, as nodemailer sends it), to keep it out of messages. */
export function smtpSecrets(smtpUrl: string): string[] {
  try {
    const url = new URL(smtpUrl);
    return url.password ? [url.password, decodeURIComponent(url.password)] : [];
  } catch {
    return [];
  }
}
