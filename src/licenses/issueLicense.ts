// Issuing a licence (POST /licenses, `educred license`): the agency verifies the application's
// basis (a presentation, or one credential such as a program record) under one of its approval
// rules; when the rule approves, it signs the licence (src/licenses/licenseCredential.ts) with a
// revocation and a suspension status entry and stores it as an award (status, claim link, audit
// row in one transaction), with the rule and decision it was issued on. One active licence per
// applicant and class: the award path's unique index decides.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { StatusAllocator } from '../awards/issueAward.js';
import { addClaimLink, type ClaimLinkDeps } from '../claims/claimLink.js';
import { assertOpenBadgeSchemaValid } from '../credentials/openBadgeSchemaGate.js';
import type { CredentialRecipient } from '../credentials/openBadge.js';
import { newSalt, normalizeEmail } from '../credentials/recipient.js';
import type { Issuer } from '../signing/issuer.js';
import { createStatusAllocator } from '../status/allocator.js';
import type { AwardRecord } from '../store/awards.js';
import { isUniqueConflict } from '../store/errors.js';
import type { Store } from '../store/store.js';
import type { ApprovalDecision, CredentialReport } from '../verify/report.js';
import type { Verifier } from '../verify/types.js';
import type { Openid4vpAuthorizationRequest } from '@openid4vc/openid4vp';
import { presentationsOfResponse } from '../presentations/openid4vp.js';
import { buildLicenseCredential } from './licenseCredential.js';

const DID = /^did:[a-z0-9]+:\S+$/;

export const LicenseRequestSchema = z.strictObject({
  applicant: z
    .strictObject({
      name: z.string().trim().min(1).max(200),
      email: z.email().max(320).optional(),
      did: z.string().max(2000).regex(DID, 'must be a DID').optional(),
    }),
  license: z.strictObject({
    code: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes (at most 63)'),
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().min(1).max(2000).optional(),
  }),
  rule: z.string().min(1).max(100),
  basis: z.union([
    z.strictObject({ verifiablePresentation: z.record(z.string(), z.unknown()) }),
    z.strictObject({ verifiableCredential: z.record(z.string(), z.unknown()) }),
  ], { error: 'must be {"verifiablePresentation": {...}} or {"verifiableCredential": {...}}' }),
  options: z.strictObject({ challenge: z.string().min(1).max(1000).optional(), domain: z.string().min(1).max(1000).optional() }).optional(),
});

export type LicenseRequest = z.infer<typeof LicenseRequestSchema>;

export const LICENSE_LEVEL = 'issued';
export const licenseAchievementCode = (code: string): string => `license:${code}`;
export const licenseUrl = (baseUrl: string, id: string): string => `${baseUrl}/credentials/${id}`;

export interface LicenseDeps extends ClaimLinkDeps {
  store: Store;
  issuer: Issuer;
  baseUrl: string;
  verifier: Verifier;
  now?: () => Date;
}

export class UnknownLicenseRuleError extends Error {
  constructor(
    readonly rule: string,
    readonly known: string[],
  ) {
    super(`Unknown approval rule '${rule}'; this agency's rules are: ${known.join(', ') || 'none'}`);
  }
}

/** The rule refused the application: the decision says which requirements failed and why. */
export class NotApprovedError extends Error {
  constructor(readonly decision: ApprovalDecision) {
    super(`The application does not meet rule '${decision.rule}': ${decision.missing.map((m) => `${m.requirement}: ${m.reason}`).join('; ')}`);
  }
}

export class LicenseExistsError extends Error {
  constructor(readonly existingId: string) {
    super(`The applicant already holds an active licence of this class: ${existingId}`);
  }
}

/** Licences always carry a revocation and a suspension entry (a licence under investigation is suspended), whatever badges carry. */
const licenseAllocators = new WeakMap<Store, StatusAllocator>();
function licenseStatus(deps: LicenseDeps): StatusAllocator {
  let allocator = licenseAllocators.get(deps.store);
  if (!allocator) {
    allocator = createStatusAllocator({ store: deps.store, baseUrl: deps.baseUrl, issuerId: deps.issuer.identity.did, purposes: ['revocation', 'suspension'], leaseSize: 1 });
    licenseAllocators.set(deps.store, allocator);
  }
  return allocator;
}

const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The decision on the basis, and the reports it was made from. */
async function decide(deps: LicenseDeps, request: LicenseRequest, now: Date): Promise<{ decision: ApprovalDecision; verified: CredentialReport[] }> {
  const known = deps.verifier.rules().map((r) => r.id);
  if (!known.includes(request.rule)) throw new UnknownLicenseRuleError(request.rule, known);
  const options = { rule: request.rule, now, challenge: request.options?.challenge, domain: request.options?.domain };
  if ('verifiablePresentation' in request.basis) {
    const report = await deps.verifier.verifyPresentation(request.basis.verifiablePresentation, options);
    if (!report.approval) throw new Error('The verifier answered without the decision of the rule it was asked for');
    return { decision: report.approval, verified: report.credentials };
  }
  const result = await deps.verifier.verifyDocument(request.basis.verifiableCredential, { ...options, recipient: request.applicant.did ? { did: request.applicant.did } : undefined });
  if (result.kind !== 'credential' || !result.approval) throw new Error('The verifier answered without the decision of the rule it was asked for');
  return { decision: result.approval, verified: [result.report] };
}

/** Who the licence is for: the applicant's DID, else the presenter that proved it holds the basis, else the applicant's email. */
function recipientOf(request: Pick<LicenseRequest, 'applicant'>, decision: ApprovalDecision): CredentialRecipient {
  const { applicant } = request;
  if (applicant.did) return { kind: 'did', did: applicant.did, name: applicant.name };
  if (applicant.email) return { kind: 'email', email: normalizeEmail(applicant.email), salt: newSalt(), name: applicant.name };
  if (decision.recipient) return { kind: 'did', did: decision.recipient, name: applicant.name };
  throw new NotApprovedError({ ...decision, approved: false, missing: [{ requirement: 'an applicant', satisfied: false, reason: 'The application names no DID or email, and the basis names no holder.' }] });
}

export interface LicenseOutcome {
  license: AwardRecord;
  decision: ApprovalDecision;
}

export async function issueLicense(deps: LicenseDeps, request: LicenseRequest, actor: string): Promise<LicenseOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const { decision, verified } = await decide(deps, request, now);
  return licenseOn(deps, { applicant: request.applicant, license: request.license, rule: request.rule }, { decision, verified }, actor, now);
}

export const LicenseOnDecisionSchema = z.strictObject({
  license: LicenseRequestSchema.shape.license,
  /** Where the claim email goes, when the licence should name an email instead of the holder's DID. */
  applicant: z.strictObject({ email: z.email().max(320) }).optional(),
});
export type LicenseOnDecision = z.infer<typeof LicenseOnDecisionSchema>;

export class DecisionNotFoundError extends Error {
  constructor(readonly decisionId: string) {
    super(`No decision '${decisionId}'`);
  }
}

/**
 * A licence on a recorded decision (issue 17: "turn an approval straight into a licence";
 * POST /decisions/:id/license and the console's Decisions screen). The decision's own
 * presentation is verified again now, for the challenge and domain of its request and with
 * status lists fetched afresh (maxStatusAge 0): a badge revoked since the decision, or a rule
 * that no longer approves, refuses the licence with today's reasons. The applicant is the
 * presentation's holder, named as the decision names them.
 */
export async function issueLicenseOnDecision(deps: LicenseDeps, decisionId: string, request: LicenseOnDecision, actor: string): Promise<LicenseOutcome & { decisionId: string }> {
  const now = (deps.now ?? (() => new Date()))();
  const record = await deps.store.decisions.find(decisionId);
  const asked = await (record && deps.store.presentationRequests.find(record.requestId));
  if (!record || !asked) throw new DecisionNotFoundError(decisionId);
  const known = deps.verifier.rules().map((r) => r.id);
  if (!known.includes(record.rule)) throw new UnknownLicenseRuleError(record.rule, known);
  const recorded = (record.report as { approval?: ApprovalDecision }).approval;
  if (!record.approved || !recorded) throw new NotApprovedError(recorded ?? { rule: record.rule, approved: false, requirements: [], missing: [{ requirement: record.rule, satisfied: false, reason: 'The decision did not approve.' }] });
  const openid4vp = record.protocol === 'openid4vp';
  const presentation = openid4vp ? presentationsOfResponse(record.presented as Record<string, unknown>, record.asked as Openid4vpAuthorizationRequest)[0] : record.presented;
  const domain = openid4vp ? String((record.asked as { client_id?: unknown }).client_id) : asked.domain;
  const report = await deps.verifier.verifyPresentation(presentation, { challenge: asked.challenge, domain, rule: record.rule, now, maxStatusAge: 0 });
  if (!report.approval) throw new Error('The verifier answered without the decision of the rule it was asked for');
  if (!report.approval.approved) throw new NotApprovedError(report.approval);
  const holder = report.holder ?? record.holder;
  if (!holder) throw new NotApprovedError({ ...report.approval, approved: false, missing: [{ requirement: 'the applicant', satisfied: false, reason: 'The presentation names no holder.' }] });
  const applicant = { name: record.name ?? holder, ...(request.applicant?.email ? { email: request.applicant.email } : { did: holder }) };
  const outcome = await licenseOn(deps, { applicant, license: request.license, rule: record.rule, decisionId }, { decision: report.approval, verified: report.credentials }, actor, now);
  return { ...outcome, decisionId };
}

interface LicenseTerms {
  applicant: LicenseRequest['applicant'];
  license: LicenseRequest['license'];
  rule: string;
  /** The recorded decision it was issued on, if any (audit). */
  decisionId?: string;
}

async function licenseOn(deps: LicenseDeps, request: LicenseTerms, { decision, verified }: { decision: ApprovalDecision; verified: CredentialReport[] }, actor: string, now: Date): Promise<LicenseOutcome> {
  if (!decision.approved) throw new NotApprovedError(decision);
  // The applicant is whom the basis is about: a presentation of someone else's credentials approves nobody here.
  if (request.applicant.did && decision.recipient && decision.recipient !== request.applicant.did) {
    throw new NotApprovedError({ ...decision, approved: false, missing: [{ requirement: 'the applicant', satisfied: false, reason: `The basis is about ${decision.recipient}, not the applicant ${request.applicant.did}.` }] });
  }
  const recipient = recipientOf(request, decision);
  const id = randomUUID();
  const issuedAt = isoSeconds(now);
  const reservation = await licenseStatus(deps).reserve();
  let credential;
  try {
    const unsigned = buildLicenseCredential({
      credentialId: licenseUrl(deps.baseUrl, id),
      issuer: deps.issuer.profile,
      baseUrl: deps.baseUrl,
      license: request.license,
      recipient,
      decision,
      verified,
      verifiedAt: now.toISOString(),
      validFrom: issuedAt,
      credentialStatus: reservation.entries,
    });
    // Our own builder must produce schema-valid licences: a failure here is a bug, not bad input.
    assertOpenBadgeSchemaValid(unsigned, 'The built licence');
    credential = await deps.issuer.sign(unsigned);
  } catch (error) {
    reservation.release();
    throw error;
  }
  const license: AwardRecord = {
    id,
    credentialId: credential.id as string,
    achievementCode: licenseAchievementCode(request.license.code),
    recipientDid: recipient.kind === 'did' ? recipient.did : null,
    recipientEmail: recipient.kind === 'email' ? recipient.email : null,
    recipientName: request.applicant.name,
    emailSalt: recipient.kind === 'email' ? recipient.salt : null,
    credential,
    idempotencyKey: null,
    requestHash: null,
    createdAt: issuedAt,
    recipientKey: recipient.kind === 'did' ? recipient.did : recipient.email,
    achievedLevel: LICENSE_LEVEL,
  };
  try {
    await deps.store.transaction(async (tx) => {
      await tx.awards.insert(license);
      await reservation.commit(id, tx);
      await tx.programs.insertLicense({ id, licenseCode: request.license.code, ruleId: request.rule, applicant: request.applicant, decision: decision as unknown as Record<string, unknown>, createdAt: issuedAt });
      await tx.audit.record({ actor, action: 'license.issued', subject: id, detail: { license: request.license.code, rule: request.rule, credentialId: license.credentialId, basis: verified.map((r) => r.summary.id ?? null), ...(request.decisionId ? { decision: request.decisionId } : {}) } });
      await addClaimLink(deps, id, tx);
    });
  } catch (error) {
    reservation.release();
    if (isUniqueConflict(error, 'award-one-active-badge')) {
      const [held] = await deps.store.awards.findActive(license.recipientKey ?? '', license.achievementCode);
      if (held) throw new LicenseExistsError(held.id);
    }
    throw error;
  }
  return { license, decision };
}
