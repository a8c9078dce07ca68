// `notify`: asking for the claim link to be emailed to the educator (POST /awards, batches,
// `educred issue --notify`). The rules every entry point applies before anything is issued.
import { z } from 'zod';
import { AwardRequestSchema, type AwardRequest } from '../awards/awardRequest.js';

/** The POST /awards body: an award request, and `notify` to email the claim link to the recipient. */
export const AwardPostSchema = AwardRequestSchema.extend({ notify: z.boolean({ message: 'notify must be true or false' }).optional() });

/** Why a claim email cannot be asked for; `field` is the request member at fault. */
export class NotifyError extends Error {
  readonly code: 'mail_not_configured' | 'notify_needs_email';
  constructor(
    readonly reason: 'not-configured' | 'no-email',
    readonly field: 'notify' | 'recipient.email',
    message: string,
  ) {
    super(message);
    this.code = reason === 'not-configured' ? 'mail_not_configured' : 'notify_needs_email';
  }
}

export const NOT_CONFIGURED_MESSAGE = 'notify: true needs outgoing mail, and EDUCRED_SMTP_URL is not configured on this service (set EDUCRED_SMTP_URL and EDUCRED_MAIL_FROM)';
export const NEEDS_EMAIL_MESSAGE = 'notify: true needs recipient.email: a recipient given only by DID has no address to send the claim link to';

/** Refuses `notify` when this service sends no mail. */
export function assertMailConfigured(mail: unknown): void {
  if (!mail) throw new NotifyError('not-configured', 'notify', NOT_CONFIGURED_MESSAGE);
}

/** Refuses `notify` for a recipient without an email address (a DID-only recipient). */
export function assertNotifiable(request: AwardRequest): void {
  if (!('email' in request.recipient)) throw new NotifyError('no-email', 'recipient.email', NEEDS_EMAIL_MESSAGE);
}
