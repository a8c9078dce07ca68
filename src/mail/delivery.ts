// The delivery loop: sends the claim emails the outbox holds, after the award's transaction has
// committed, and retries a failed send with exponential backoff. A mail server outage therefore
// loses nothing (the rows wait in SQLite) and never fails or slows an award. After the last
// attempt a row is marked failed and logged; its state is shown by GET /awards/:id.
import type { Logger } from 'pino';
import type { AwardRecord } from '../store/awards.js';
import type { OutboxRecord } from '../store/mailOutbox.js';
import type { Store } from '../store/store.js';
import { composeBundleMessage, composeClaimMessage } from './claimMessage.js';
import { describeSendError, type MailTransport } from './transport.js';

/** An award's claim link as the message shows it. */
export interface MailClaimLink {
  url: string;
  expiresAt: string;
  /** What the link covers: one award, or every unclaimed credential of the educator (issue 16). */
  awards: AwardRecord[];
}

export interface MailDeliveryDeps {
  store: Store;
  transport: MailTransport;
  from: string;
  logger: Logger;
  /**
   * The award's live claim link, composed at send time, or why there is none to send (the badge
   * was collected, revoked, ...): then the message is cancelled.
   */
  claimLinkFor(awardId: string, recipientKey: string | null): Promise<MailClaimLink | { unavailable: string }>;
  /** Strings never to log or store (the SMTP password). */
  secrets?: readonly string[] | undefined;
  now?: (() => Date) | undefined;
  /** Attempts before a message is given up (default 10: about six hours of retries). */
  maxAttempts?: number | undefined;
  /** Wait after the first failure (default 1 minute); it doubles with each further failure. */
  retryBaseMs?: number | undefined;
  /** The longest wait between two attempts (default 2 hours). */
  retryMaxMs?: number | undefined;
  /** How long a send may take before another process may try the row again (default 5 minutes). */
  leaseMs?: number | undefined;
  /** How often the loop looks for due rows when nothing woke it (default 30 s). */
  pollMs?: number | undefined;
}

export interface DeliveryReport {
  sent: number;
  retrying: number;
  failed: number;
  cancelled: number;
}

export interface MailDelivery {
  /** Starts the background loop (the server): due rows now, then whenever one falls due. */
  start(): void;
  /** A row was queued: look at once instead of at the next poll. */
  wake(): void;
  /** Sends every row due now, once each; resolves with what happened. Calls run one after another. */
  deliverDue(): Promise<DeliveryReport>;
  /** Stops the loop, waits for a send under way, and closes the SMTP connections. */
  close(): Promise<void>;
}

const LEASE_GROUP = 16;

/**
 * Errors that say the server could not be reached or spoken to at all (nodemailer's codes), as
 * opposed to a reply about one message: the rest of the pass would fail the same way.
 */
const SERVER_UNREACHABLE = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EAUTH', 'ECONNREFUSED', 'EPROTOCOL']);
const unreachable = (error: unknown): boolean => {
  const e = error as { code?: unknown; responseCode?: unknown };
  return typeof e.code === 'string' && SERVER_UNREACHABLE.has(e.code) && typeof e.responseCode !== 'number';
};

type Outcome = keyof DeliveryReport;

export function createMailDelivery(deps: MailDeliveryDeps): MailDelivery {
  const { store, transport, logger } = deps;
  const clock = deps.now ?? (() => new Date());
  const maxAttempts = Math.max(1, deps.maxAttempts ?? 10);
  const retryBaseMs = Math.max(1, deps.retryBaseMs ?? 60_000);
  const retryMaxMs = Math.max(retryBaseMs, deps.retryMaxMs ?? 2 * 60 * 60 * 1000);
  const leaseMs = deps.leaseMs ?? 5 * 60 * 1000;
  const pollMs = deps.pollMs ?? 30_000;
  const secrets = deps.secrets ?? [];
  let chain: Promise<unknown> = Promise.resolve();
  let started = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  /** After the server could not be reached, no pass runs before this moment (ms). */
  let pausedUntil = 0;
  let closing: Promise<void> | undefined;

  const backoff = (attempts: number): number => Math.min(retryMaxMs, retryBaseMs * 2 ** Math.max(0, attempts - 1));

  /** A failed attempt: retried after the backoff, or given up after the last attempt. */
  async function failedAttempt(row: OutboxRecord, reason: string): Promise<Outcome> {
    const now = clock();
    if (row.attempts >= maxAttempts) {
      await store.mail.markGivenUp(row.id, 'failed', reason, now);
      logger.error({ outboxId: row.id, awardId: row.awardId, attempts: row.attempts, reason }, 'claim email failed for good; the award stands, send its claim link another way');
      return 'failed';
    }
    const next = new Date(now.getTime() + backoff(row.attempts));
    await store.mail.markRetry(row.id, reason, next, now);
    logger.warn({ outboxId: row.id, awardId: row.awardId, attempt: row.attempts, nextAttemptAt: next.toISOString(), reason }, 'claim email not sent; will retry');
    return 'retrying';
  }

  /** Sends one leased row; `reason` is set when the server could not be reached at all. */
  async function deliverOne(row: OutboxRecord): Promise<{ outcome: Outcome; unreachable?: string }> {
    const award = await store.awards.find(row.awardId);
    if (!award?.recipientEmail) {
      const reason = 'the award has no recipient email address';
      await store.mail.markGivenUp(row.id, 'failed', reason, clock());
      logger.error({ outboxId: row.id, awardId: row.awardId }, `claim email given up: ${reason}`);
      return { outcome: 'failed' };
    }
    const link = await deps.claimLinkFor(award.id, row.recipientKey);
    if ('unavailable' in link) {
      await store.mail.markGivenUp(row.id, 'cancelled', `no claim link to send: ${link.unavailable}`, clock());
      logger.info({ outboxId: row.id, awardId: award.id, reason: link.unavailable }, 'claim email not sent: the award has no claim link to hand out');
      return { outcome: 'cancelled' };
    }
    const [only] = link.awards;
    const message =
      link.awards.length === 1 && only
        ? await composeClaimMessage({ to: award.recipientEmail, from: deps.from, credential: only.credential, recipientName: only.recipientName, claimUrl: link.url, claimExpiresAt: link.expiresAt })
        : await composeBundleMessage({ to: award.recipientEmail, from: deps.from, credentials: link.awards.map((a) => a.credential), recipientName: award.recipientName, claimUrl: link.url, claimExpiresAt: link.expiresAt });
    try {
      const { messageId } = await transport.send(message);
      await store.mail.markSent(row.id, messageId, clock());
      logger.info({ outboxId: row.id, awardId: award.id, attempt: row.attempts }, 'claim email sent');
      return { outcome: 'sent' };
    } catch (error) {
      // The claim URL and the SMTP password are cut out of anything logged or stored.
      const reason = describeSendError(error, [...secrets, link.url, new URL(link.url).pathname.split('/').pop() ?? '']);
      return { outcome: await failedAttempt(row, reason), ...(unreachable(error) ? { unreachable: reason } : {}) };
    }
  }

  async function pass(): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, retrying: 0, failed: 0, cancelled: 0 };
    // Rows due at the start of the pass: a retry is always due later, so a pass ends.
    const start = clock();
    if (start.getTime() < pausedUntil) return report;
    for (;;) {
      const rows = await store.mail.leaseDue(start, new Date(clock().getTime() + leaseMs), LEASE_GROUP);
      if (rows.length === 0) return report;
      for (const [i, row] of rows.entries()) {
        if (closed) {
          // Stopping: the rows not tried are due again at once, for the next start.
          for (const rest of rows.slice(i)) await store.mail.releaseLease(rest.id, clock());
          return report;
        }
        let result;
        try {
          result = await deliverOne(row);
        } catch (error) {
          // A database or composing error: the lease runs out and the row is tried again.
          logger.error({ err: error, outboxId: row.id, awardId: row.awardId }, 'claim email delivery failed unexpectedly');
          continue;
        }
        report[result.outcome]++;
        if (result.unreachable !== undefined) {
          // The server is down: the other leased rows would wait for the same timeout each.
          // They share this attempt's fate (counted, retried after the backoff) and the pass ends.
          for (const rest of rows.slice(i + 1)) report[await failedAttempt(rest, `not tried: ${result.unreachable}`)]++;
          // The rows not leased yet wait too, instead of one timeout each in the next passes.
          pausedUntil = clock().getTime() + retryBaseMs;
          return report;
        }
      }
    }
  }

  function deliverDue(): Promise<DeliveryReport> {
    const run = chain.then(pass);
    chain = run.catch(() => undefined);
    return run;
  }

  function schedule(delayMs: number): void {
    if (!started || closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick(), Math.max(0, Math.min(delayMs, pollMs)));
  }

  async function tick(): Promise<void> {
    timer = undefined;
    try {
      await deliverDue();
    } catch (error) {
      logger.error({ err: error }, 'claim email delivery pass failed');
    }
    if (closed) return;
    const next = await store.mail.nextDueAt();
    schedule(next === undefined ? pollMs : Math.max(Date.parse(next), pausedUntil) - clock().getTime());
  }

  return {
    start() {
      if (started || closed) return;
      started = true;
      schedule(0);
    },
    wake() {
      schedule(0);
    },
    deliverDue,
    close() {
      if (closing) return closing;
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      closing = chain.then(() => transport.close());
      return closing;
    },
  };
}
