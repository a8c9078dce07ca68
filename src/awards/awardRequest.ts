// The shape of an award request (HTTP body, CLI input and bulk rows alike), validated once
// here so every entry point gives the same answer for the same mistake.
import { z } from 'zod';
import { RUBRIC_LEVELS } from '../competencies/framework.js';

// did:method:method-specific-id (W3C DID Core §3.1), with no fragment or query: a subject is a DID.
const DID = /^did:[a-z0-9]+:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*(?::(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})$/;

const isoDate = z.iso.date({ message: 'must be a calendar date, YYYY-MM-DD' });
const name = z.string().trim().min(1, 'must not be empty').max(200);

export const ObservationSchema = z.strictObject({
  kind: z.literal('observation'),
  date: isoDate,
  observer: name,
  level: z.enum(RUBRIC_LEVELS, { message: `must be one of ${RUBRIC_LEVELS.join(', ')}` }),
  narrative: z.string().max(5000).optional(),
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000).optional(),
});

export const RecipientSchema = z.union(
  [
    z.strictObject({
      id: z.string().max(2000).regex(DID, 'must be a DID (did:method:identifier) without fragment'),
      name: name.optional(),
    }),
    z.strictObject({
      email: z.email({ message: 'must be an email address' }).max(320),
      name,
    }),
  ],
  { message: 'recipient must be {"id": "did:..."} or {"email": "...", "name": "..."}' },
);

export const AwardRequestSchema = z.strictObject({
  recipient: RecipientSchema,
  achievement: z.string().min(1).max(200),
  evidence: z.array(ObservationSchema).min(1, 'at least one observation is required').max(200),
  validUntil: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
});

export type AwardRequest = z.infer<typeof AwardRequestSchema>;
