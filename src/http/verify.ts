// Public verification routes in the W3C VC-API shape: POST /credentials/verify and
// POST /presentations/verify answer `verified`, `checks`, `warnings`, `errors` (problem details)
// and our full report. 200 when verified, 400 when not (VC-API; as problem+json carrying the
// same fields), plain problem+json for a request that is not a verification request at all.
// Trust and approval are reported, not folded into 200/400.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Check, RequestedChecks } from '../verify/report.js';
import { UnknownRuleError } from '../verify/verifier.js';
import { MAX_JWT_LENGTH } from '../credentials/jwtCredential.js';
import { readValidated } from './body.js';
import type { VerifierDeps } from './deps.js';
import { badRequest, PROBLEM_CONTENT_TYPE } from './problem.js';
import { problemInstance } from './requestId.js';

const RecipientSchema = z.strictObject({
  did: z.string().min(1).max(2000).optional(),
  email: z.email().max(320).optional(),
});

const VerifyOptionsSchema = z.looseObject({
  challenge: z.string().max(1000).optional(),
  domain: z.string().max(1000).optional(),
  /** An approval rule of this verifier's trust policy (GET /verify lists them on the page). */
  rule: z.string().max(100).optional(),
  recipient: RecipientSchema.optional(),
  /**
   * VC-API: the checks that decide this answer's `verified` (default: all). Every check still
   * runs and is reported; `report.verified`, trust and approvals always use every check.
   */
  checks: z.array(z.string().max(50)).max(20).optional(),
  /** Seconds a cached status list may be old (0: fetch every status list now), instead of the list's ttl. */
  maxStatusAge: z.number().int().min(0).max(31_536_000).optional(),
});

const embedded = (what: string) =>
  z.record(z.string(), z.unknown(), { error: `must be an embedded JSON ${what} (an object); enveloped and JWT forms are not supported` });

/** A credential: embedded JSON, an EnvelopedVerifiableCredential (an object), or a compact JWT (src/credentials/jwtCredential.ts). */
const credentialInput = z.union([z.record(z.string(), z.unknown()), z.string().max(MAX_JWT_LENGTH).regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)], {
  error: 'must be a JSON credential (an object), an EnvelopedVerifiableCredential, or a compact JWT',
});

export const CredentialVerifyRequestSchema = z.looseObject({
  verifiableCredential: credentialInput,
  options: VerifyOptionsSchema.optional(),
});

export const PresentationVerifyRequestSchema = z.looseObject({
  verifiablePresentation: embedded('presentation'),
  options: VerifyOptionsSchema.optional(),
});

/** VC Data Model 2.0 §7.1 error types, where a check maps onto one. */
const VC_ERROR_TYPES: Record<string, string> = {
  structure: 'https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR',
  presentation_structure: 'https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR',
  schema: 'https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR',
  proof: 'https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR',
  issuer: 'https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR',
  presentation_proof: 'https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR',
  dates: 'https://www.w3.org/TR/vc-data-model#RANGE_ERROR',
};

interface ProblemDetail {
  type: string;
  title: string;
  detail: string;
  code?: string | undefined;
}

const problemOf = (check: Check): ProblemDetail => ({
  type: VC_ERROR_TYPES[check.check] ?? `urn:educred:problem:${(check.code ?? check.check).replace(/_/g, '-')}`,
  title: `${check.check} check failed`,
  detail: check.reason,
  code: check.code,
});

const warningOf = (detail: string, slug = 'warning'): ProblemDetail => ({ type: `urn:educred:problem:${slug}`, title: 'Warning', detail });

/**
 * VC-API `options.checks` narrows only this answer's `verified`; the report's `verified`, trust
 * and any approval always use every check. When narrowed, the answer says so in a warning.
 */
function narrowing(report: { verified: boolean; requested?: RequestedChecks | undefined }, firstFailure: string | undefined, noun: 'credential' | 'presentation'): { verified: boolean; warnings: ProblemDetail[] } {
  if (!report.requested) return { verified: report.verified, warnings: [] };
  const scope = `verified answers only the checks asked for (${report.requested.checks.join(', ')})`;
  const detail = report.verified ? `${scope}; every other check passed too.` : `${scope}; with every check this ${noun} does not verify: ${firstFailure ?? 'see the report'}`;
  return { verified: report.requested.verified, warnings: [warningOf(detail, 'checks-narrowed')] };
}

/** The VC-API VerificationResult of a report: names of passed checks, problems for the rest. */
function vcApiResult(report: { verified: boolean; requested?: RequestedChecks | undefined; checks: Check[]; warnings: string[]; trust?: { trusted: boolean; reason: string } }) {
  const failedChecks = report.checks.filter((c) => !c.passed).map(problemOf);
  const narrowed = narrowing(report, report.checks.find((c) => !c.passed && c.check !== 'endorsements')?.reason, 'credential');
  const warnings = [...narrowed.warnings, ...report.warnings.map((w) => warningOf(w))];
  if (report.trust && report.verified && !report.trust.trusted) warnings.push(warningOf(report.trust.reason, 'issuer-not-trusted'));
  return {
    verified: narrowed.verified,
    checks: report.checks.filter((c) => c.passed).map((c) => c.check),
    // A check that failed without deciding (endorsements, or one outside options.checks) warns.
    warnings: narrowed.verified ? [...warnings, ...failedChecks] : warnings,
    errors: narrowed.verified ? [] : failedChecks,
  };
}

/**
 * The answer of a verification: 200 when verified; otherwise 400 as problem+json whose
 * extension members are the same VC-API fields, so a VC-API client and a problem-aware client
 * both read it.
 */
function verificationAnswer(c: Context, body: { verified: boolean; errors: ProblemDetail[] } & Record<string, unknown>): Response {
  if (body.verified) return c.json(body, 200);
  const problem = {
    type: 'urn:educred:problem:not-verified',
    title: 'Not verified',
    status: 400,
    detail: body.errors[0]?.detail ?? 'The document did not verify.',
    ...problemInstance(c),
    ...body,
  };
  return c.body(JSON.stringify(problem), 400, { 'Content-Type': PROBLEM_CONTENT_TYPE });
}

const ruleProblem = (error: unknown): never => {
  if (error instanceof UnknownRuleError) throw badRequest(error.message, [{ pointer: '/options/rule', detail: error.message }]);
  throw error;
};

export function verifyRoutes(deps: VerifierDeps): Hono {
  const app = new Hono();

  app.post('/credentials/verify', async (c) => {
    const body = await readValidated(c, CredentialVerifyRequestSchema);
    const options = body.options ?? {};
    const result = await deps.verifier
      .verifyDocument(body.verifiableCredential, { rule: options.rule, recipient: options.recipient, checks: options.checks, maxStatusAge: options.maxStatusAge })
      .catch(ruleProblem);
    if (result.kind !== 'credential') throw badRequest('verifiableCredential is a presentation: send it to POST /presentations/verify', [{ pointer: '/verifiableCredential/type', detail: 'is VerifiablePresentation' }]);
    const { report } = result;
    return verificationAnswer(c, { ...vcApiResult(report), report, ...(result.approval ? { approval: result.approval } : {}) });
  });

  app.post('/presentations/verify', async (c) => {
    const body = await readValidated(c, PresentationVerifyRequestSchema);
    const options = body.options ?? {};
    const report = await deps.verifier
      .verifyPresentation(body.verifiablePresentation, { challenge: options.challenge, domain: options.domain, rule: options.rule, checks: options.checks, maxStatusAge: options.maxStatusAge })
      .catch(ruleProblem);
    const warnings = [...report.warnings, ...report.credentials.flatMap((r) => (r.verified && !r.trust.trusted ? [`${r.summary.achievement?.name ?? r.summary.id}: ${r.trust.reason}`] : []))];
    const problems = [...report.checks.filter((k) => !k.passed).map(problemOf), ...report.credentials.flatMap((r) => r.checks.filter((k) => !k.passed && k.check !== 'endorsements').map(problemOf))];
    const narrowed = narrowing(report, problems[0]?.detail, 'presentation');
    return verificationAnswer(c, {
      verified: narrowed.verified,
      checks: report.checks.filter((k) => k.passed).map((k) => k.check),
      warnings: [...narrowed.warnings, ...warnings.map((w) => warningOf(w)), ...(narrowed.verified ? problems : [])],
      errors: narrowed.verified ? [] : problems,
      report,
      ...(report.approval ? { approval: report.approval } : {}),
    });
  });

  return app;
}
