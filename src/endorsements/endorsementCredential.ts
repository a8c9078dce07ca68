// Builds an Open Badges 3.0 `EndorsementCredential`: a state agency's signed statement that it
// approves a preparation program's issuer profile. Programs embed the endorsements they hold in
// every badge (`issuer.endorsement`), so a verifier can check the chain offline.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { OB_EXTENSIONS_CONTEXT, OB_V3_CONTEXT, OB_SCHEMA_VALIDATOR_TYPE, VC_V2_CONTEXT } from '../credentials/openBadge.js';
import { OB_ENDORSEMENT_CREDENTIAL_SCHEMA } from '../credentials/schema.js';

export const DID_PATTERN = /^did:[a-z0-9]+:[A-Za-z0-9._%:-]*[A-Za-z0-9._%-]$/;

export const EndorsementRequestSchema = z.strictObject({
  /** The DID of the program (issuer profile) being endorsed. */
  issuer: z.string().max(2000).regex(DID_PATTERN, 'must be the DID of the issuer being endorsed'),
  issuerName: z.string().trim().min(1).max(200).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  comment: z.string().trim().min(1).max(5000).optional(),
  validFrom: z.iso.datetime({ offset: true }).optional(),
  validUntil: z.iso.datetime({ offset: true }).optional(),
});

export type EndorsementRequest = z.infer<typeof EndorsementRequestSchema>;

export interface EndorsementInput extends EndorsementRequest {
  endorser: { id: string; name: string };
  baseUrl: string;
  now: Date;
}

const seconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function buildEndorsementCredential(input: EndorsementInput): Record<string, unknown> {
  const validFrom = input.validFrom ?? seconds(input.now);
  const subjectName = input.issuerName ?? input.issuer;
  return {
    '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT, OB_EXTENSIONS_CONTEXT],
    id: `${input.baseUrl}/endorsements/${randomUUID()}`,
    type: ['VerifiableCredential', 'EndorsementCredential'],
    name: input.name ?? `${input.endorser.name} endorses ${subjectName}`,
    issuer: { id: input.endorser.id, type: ['Profile'], name: input.endorser.name },
    validFrom,
    ...(input.validUntil ? { validUntil: input.validUntil } : {}),
    awardedDate: validFrom,
    credentialSubject: {
      id: input.issuer,
      type: ['EndorsementSubject'],
      endorsementComment:
        input.comment ??
        `${input.endorser.name} approves ${subjectName} as an educator preparation program whose competency badges it accepts.`,
    },
    credentialSchema: [{ id: OB_ENDORSEMENT_CREDENTIAL_SCHEMA, type: OB_SCHEMA_VALIDATOR_TYPE }],
  };
}

export function isEndorsementCredential(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return Array.isArray(type) && type.includes('EndorsementCredential');
}
