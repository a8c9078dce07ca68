// The claim-email delivery loop built from the configuration (EDUCRED_SMTP_URL,
// EDUCRED_MAIL_FROM), as the runtime gives it to the server and the CLI.
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { recipientClaimLink } from '../claims/claimBundle.js';
import { currentClaimLink, ensureClaimLink } from '../claims/claimLink.js';
import type { MailConfig } from '../config.js';
import type { Store } from '../store/store.js';
import { createMailDelivery, type MailDelivery, type MailDeliveryDeps } from './delivery.js';
import { createMailTransport, describeSmtpUrl, smtpSecrets, type MailTransportOptions } from './transport.js';

export interface MailRuntimeDeps {
  store: Store;
  baseUrl: string;
  /** The claim-link secret (src/claims/claimSecret.ts): a live link's URL is rebuilt from it. */
  claimSecret: KeyObject;
  claimTtlDays: number;
  logger: Logger;
}

/**
 * The claim link a message carries, composed when it is sent, and what it covers: one link per
 * educator (issue 16). For one credential, the award's live link (the one the POST /awards
 * answer showed, rebuilt from its link id), or a new one when it has expired; for several, the
 * recipient's one claim for everything they hold (src/claims/claimBundle.ts). None when
 * everything was collected, revoked or suspended meanwhile (the message is cancelled).
 */
export function claimLinkForMail(deps: Omit<MailRuntimeDeps, 'logger'>, now?: () => Date): MailDeliveryDeps['claimLinkFor'] {
  const claims = { store: deps.store, baseUrl: deps.baseUrl, claimSecret: deps.claimSecret, claimTtlDays: deps.claimTtlDays, ...(now ? { now } : {}) };
  return async (awardId, recipientKey) => {
    if (!recipientKey) {
      const claim = await ensureClaimLink(claims, awardId);
      const award = await deps.store.awards.find(awardId);
      return claim.link && award ? { url: claim.link.url, expiresAt: claim.link.expiresAt, awards: [award] } : { unavailable: claim.unavailable ?? 'no award' };
    }
    const claim = await recipientClaimLink(claims, recipientKey);
    if ('link' in claim) return { url: claim.link.url, expiresAt: claim.link.expiresAt, awards: claim.awards };
    // Nothing left: say why of the award that queued the message (collected, revoked, ...).
    const own = await currentClaimLink(claims, awardId);
    return { unavailable: own.unavailable && own.unavailable !== 'no-live-link' ? own.unavailable : claim.unavailable };
  };
}

/** The delivery loop of a configured service, not started (the server starts it; the CLI runs one pass). */
export function mailDeliveryFromConfig(
  mail: MailConfig | undefined,
  deps: MailRuntimeDeps,
  options: { transport?: MailTransportOptions } & Partial<Pick<MailDeliveryDeps, 'now' | 'maxAttempts' | 'retryBaseMs' | 'retryMaxMs' | 'pollMs'>> = {},
): MailDelivery | undefined {
  if (!mail) return undefined;
  const { transport, ...tuning } = options;
  deps.logger.info({ smtp: describeSmtpUrl(mail.smtpUrl) }, 'claim emails go through this SMTP server');
  return createMailDelivery({
    ...tuning,
    store: deps.store,
    transport: createMailTransport(mail.smtpUrl, transport),
    from: mail.from,
    logger: deps.logger,
    secrets: smtpSecrets(mail.smtpUrl),
    claimLinkFor: claimLinkForMail(deps, tuning.now),
  });
}
