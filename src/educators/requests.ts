// The bodies of the educator routes of issue 14's contract (POST /educators, observations,
// assessments, withdraw), validated once here so the HTTP routes, the CLI and the CSV import
// give the same answer for the same mistake. Which achievements and levels exist is checked
// against the loaded frameworks afterwards (FrameworkCatalog.assertValidRatings).
import { z } from 'zod';
import { SETTINGS } from '../competencies/framework.js';

// did:method:method-specific-id (W3C DID Core §3.1), as in src/awards/awardRequest.ts.
const DID = /^did:[a-z0-9]+:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*(?::(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})$/;

const isoDate = z.iso.date({ message: 'must be a calendar date, YYYY-MM-DD' });
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const code = z.string().min(1).max(100);
const educatorId = z.string().min(1).max(100);

export const EducatorRequestSchema = z
  .strictObject({
    name: text(200),
    email: z.email({ message: 'must be an email address' }).max(320).optional(),
    did: z.string().max(2000).regex(DID, 'must be a DID (did:method:identifier) without fragment').optional(),
    externalId: text(100).optional(),
    cohort: text(100).optional(),
  })
  .refine((e) => e.email !== undefined || e.did !== undefined, { message: 'an educator needs an "email" or a "did"', path: ['email'] });

export type EducatorRequest = z.infer<typeof EducatorRequestSchema>;

export const RatingSchema = z.strictObject({
  achievement: code,
  level: code,
  narrative: z.string().max(5000).optional(),
});

const sharedWith = z
  .array(educatorId)
  .max(50)
  .refine((ids) => new Set(ids).size === ids.length, { message: 'names an educator twice' })
  .optional();

export const ObservationRequestSchema = z.strictObject({
  date: isoDate,
  observer: text(200),
  setting: z.enum(SETTINGS, { message: `must be one of ${SETTINGS.join(', ')}` }).optional(),
  narrative: z.string().max(5000).optional(),
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000).optional(),
  sharedWith,
  ratings: z.array(RatingSchema).min(1, 'an observation rates at least one competency').max(100),
});

export type ObservationRequest = z.infer<typeof ObservationRequestSchema>;

export const AssessmentRequestSchema = z
  .strictObject({
    date: isoDate,
    name: text(200),
    achievements: z.array(code).min(1, 'an assessment covers at least one competency').max(100),
    score: z.number().min(0),
    maxScore: z.number().positive('must be more than 0'),
    sharedWith,
  })
  .refine((a) => a.score <= a.maxScore, { message: 'must not exceed maxScore', path: ['score'] });

export type AssessmentRequest = z.infer<typeof AssessmentRequestSchema>;

export const WithdrawRequestSchema = z.strictObject({ reason: text(2000) });

/**
 * A record may not be shared with its own educator, and is dated no later than the day after
 * today in UTC (as inline evidence: an observer's calendar date may be a day ahead of UTC).
 */
export function recordProblems(educator: string, record: { date: string; sharedWith?: readonly string[] | undefined }, now: Date): { field: string; detail: string }[] {
  const problems: { field: string; detail: string }[] = [];
  if (record.sharedWith?.includes(educator)) problems.push({ field: 'sharedWith', detail: 'sharedWith names the educator the record is for' });
  const latest = new Date(now.getTime() + 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
  if (record.date > latest) problems.push({ field: 'date', detail: `date (${record.date}) is in the future (today is ${now.toISOString().slice(0, 10)} UTC)` });
  return problems;
}
