// Verifying a wallet's presentation: its structure, the holder's proof (authentication, with the
// challenge and domain the verifier gave, against replay), holder binding (each badge issued to
// the holder), then every credential through the same pipeline, then the approval rule asked for.
import { VC_V1_CONTEXT, VC_V2_CONTEXT } from '../credentials/openBadge.js';
import { contextReferences } from '../signing/documentLoader.js';
import { evaluateApprovalRule, refuseApproval } from './approvalRules.js';
import { authenticateHolder, type HolderAuthentication } from './holderProof.js';
import { failed, passed, type Check, type CredentialReport, type PresentationCheckName, type PresentationReport } from './report.js';
import type { ApprovalRule } from './trustPolicy.js';
import { verifyOpenBadge, type CredentialVerificationContext } from './verifyCredential.js';
import { asArray, isObject, type Json } from '../credentials/jsonValues.js';
import { envelopedJwt, verifyJwtPresentation } from '../credentials/jwtCredential.js';
import { overLimit, VERIFICATION_LIMITS } from './limits.js';

type PresentationCheck = Check<PresentationCheckName>;

export interface PresentationVerificationOptions {
  challenge?: string | undefined;
  domain?: string | undefined;
  rule?: ApprovalRule | undefined;
  now?: Date | undefined;
  /** VC-API `options.checks`: narrows `report.requested.verified` for each credential; `verified` and the approval use every check. */
  checks?: string[] | undefined;
}

/** Credentials that must be about the holder: badges, and CLR 2.0 records of badges. */
const OPEN_BADGE_TYPES = ['OpenBadgeCredential', 'AchievementCredential', 'ClrCredential'];

function checkStructure(presentation: unknown, ctx: CredentialVerificationContext): PresentationCheck {
  const fail = (code: string, reason: string) => failed('presentation_structure' as const, code, reason);
  if (!isObject(presentation)) return fail('not_a_presentation', 'The document is not a JSON object.');
  const contexts = asArray(presentation['@context']);
  if (contexts[0] !== VC_V2_CONTEXT && contexts[0] !== VC_V1_CONTEXT) return fail('context_invalid', `The first @context must be ${VC_V2_CONTEXT} (or ${VC_V1_CONTEXT}).`);
  // Every context at any depth (holder, proofs, inline `@import`), not only the top level: a
  // context is never fetched, and an unknown one would reach the key resolver, which fetches.
  const unknown = [...contextReferences(presentation)].filter((c) => !ctx.isKnownContext(c));
  if (unknown.length > 0) return fail('context_unknown', `Unknown JSON-LD context ${unknown.map((u) => `'${u}'`).join(', ')}.`);
  if (!asArray(presentation.type).includes('VerifiablePresentation')) return fail('type_invalid', 'The type must include "VerifiablePresentation".');
  const credentials = asArray(presentation.verifiableCredential);
  const limits = ctx.limits ?? VERIFICATION_LIMITS;
  if (credentials.length > limits.credentialsPerPresentation) {
    return fail('too_many_credentials', `${overLimit('credentialsPerPresentation', limits.credentialsPerPresentation, `A presentation may hold at most ${limits.credentialsPerPresentation} credentials; this one holds ${credentials.length}`)}.`);
  }
  const proofCount = asArray(presentation.proof).length;
  if (proofCount > limits.proofsPerPresentation) {
    return fail('limit_exceeded', `${overLimit('proofsPerPresentation', limits.proofsPerPresentation, `The presentation has ${proofCount} proofs; none was verified`)}.`);
  }
  if (!credentials.every(isObject)) return fail('credential_format_unsupported', 'Each verifiableCredential must be an embedded JSON credential (enveloped and JWT credentials are not supported).');
  return passed('presentation_structure', `Well-formed presentation holding ${credentials.length} credential${credentials.length === 1 ? '' : 's'}.`);
}

/**
 * The holder's proof: each proof of the set on its own, with the challenge and domain the
 * verifier asked for checked on that same proof (src/verify/holderProof.ts). The holder is
 * only a key whose own proof verified.
 */
async function checkProof(presentation: Json, ctx: CredentialVerificationContext, options: PresentationVerificationOptions, warnings: string[]): Promise<{ check: PresentationCheck; authentication: HolderAuthentication }> {
  if (options.challenge === undefined) warnings.push('No challenge was given: this presentation could be a replay of an earlier one.');
  const authentication = await authenticateHolder(presentation, { challenge: options.challenge, domain: options.domain, suites: ctx.suitesFor(presentation), documentLoader: ctx.documentLoader });
  warnings.push(...authentication.warnings);
  if (!authentication.ok) {
    if (authentication.stage === 'proof') return { check: failed('presentation_proof', authentication.code, authentication.reason), authentication };
    const verifiedProofs = authentication.proofs.filter((p) => p.verified);
    return { check: passed('presentation_proof', `${verifiedProofs.length} proof${verifiedProofs.length === 1 ? '' : 's'} verified (${verifiedProofs.map((p) => p.verificationMethod).join(', ')}).`), authentication };
  }
  const own = authentication.proofs.filter((p) => p.signer === authentication.holder);
  const by = own.map((p) => p.verificationMethod ?? p.signer).join(', ');
  return {
    check: passed('presentation_proof', `Signed by ${by}${options.challenge !== undefined ? ' for this challenge' : ''}${options.domain !== undefined ? ` and domain ${options.domain}` : ''}.`),
    authentication,
  };
}

/**
 * The holder is who signed (and only that); each badge must be about the holder, or the
 * presentation shows someone else's badges. Non-badge credentials are bound by the verifier's
 * own policy, so they are only flagged.
 */
function checkHolderBinding(presentation: Json, authentication: HolderAuthentication, warnings: string[]): { check: PresentationCheck; holder: string | undefined } {
  if (!authentication.ok) {
    if (authentication.stage === 'holder') return { check: failed('holder_binding', authentication.code, authentication.reason), holder: undefined };
    return { check: failed('holder_binding', 'holder_unknown', 'No holder is established: the presentation\'s proof did not verify.'), holder: undefined };
  }
  const { holder } = authentication;
  const credentials = asArray(presentation.verifiableCredential).filter(isObject);
  const foreign: string[] = [];
  for (const credential of credentials) {
    const subjects = asArray(credential.credentialSubject).filter(isObject);
    const isBadge = asArray(credential.type).some((t) => typeof t === 'string' && OPEN_BADGE_TYPES.includes(t));
    if (subjects.some((s) => s.id === holder)) continue;
    if (isBadge) foreign.push(`${String(credential.id ?? 'a badge')} (issued to ${String(subjects[0]?.id ?? 'a hashed identifier')})`);
    else warnings.push(`${String(credential.id ?? 'A credential')} is not about the holder; holder binding was not required for it.`);
  }
  if (foreign.length > 0) {
    return { check: failed('holder_binding', 'holder_mismatch', `Presented by ${holder}, but ${foreign.join(', ')} ${foreign.length === 1 ? 'was' : 'were'} not issued to the holder.`), holder };
  }
  return { check: passed('holder_binding', `Every badge was issued to the holder, ${holder}.`), holder };
}

/**
 * A JWT presentation (VC DM 1.1 §6.3.1, as OID4VP `jwt_vc_json` presents): the holder's JWS
 * with the verifier's nonce and audience (src/credentials/jwtCredential.ts), then the same
 * holder binding, credential checks and approval as a Data Integrity presentation.
 */
async function verifyJwtPresentationDocument(jwt: string, ctx: CredentialVerificationContext, options: PresentationVerificationOptions): Promise<PresentationReport> {
  const warnings: string[] = [];
  if (options.challenge === undefined) warnings.push('No challenge was given: this presentation could be a replay of an earlier one.');
  const outcome = await verifyJwtPresentation(jwt, { documentLoader: ctx.documentLoader, audience: options.domain, nonce: options.challenge, now: options.now });
  if (!outcome.ok && (outcome.code === 'presentation_malformed' || outcome.code.startsWith('jwt_'))) {
    const checks = [failed('presentation_structure' as const, outcome.code, outcome.reason)];
    return { verified: false, checks, warnings, credentials: [], approval: options.rule && refuseApproval(options.rule, 'The presentation is malformed.') };
  }
  const structure = passed('presentation_structure' as const, 'Well-formed JWT presentation.');
  if (!outcome.ok) {
    const proof = failed('presentation_proof' as const, outcome.code, outcome.reason);
    const binding = failed('holder_binding' as const, 'holder_unknown', "No holder is established: the presentation's proof did not verify.");
    return { verified: false, checks: [structure, proof, binding], warnings, credentials: [], approval: options.rule && refuseApproval(options.rule, `The presentation itself is refused: ${outcome.reason}`) };
  }
  const credentials = outcome.credentials;
  const limits = ctx.limits ?? VERIFICATION_LIMITS;
  if (credentials.length > limits.credentialsPerPresentation) {
    const checks = [failed('presentation_structure' as const, 'too_many_credentials', `A presentation may hold at most ${limits.credentialsPerPresentation} credentials; this one holds ${credentials.length}.`)];
    return { verified: false, checks, warnings, credentials: [], approval: options.rule && refuseApproval(options.rule, 'The presentation is malformed.') };
  }
  const proof = passed('presentation_proof' as const, `Signed by ${outcome.verificationMethod}${options.challenge !== undefined ? ' for this nonce' : ''}${options.domain !== undefined ? ` and audience ${options.domain}` : ''}.`);
  const reports = await Promise.all(credentials.map((c) => verifyOpenBadge(c, ctx, { now: options.now, checks: options.checks })));
  const foreign = reports.filter((r) => r.summary.type.some((t) => OPEN_BADGE_TYPES.includes(t)) && r.summary.subject !== outcome.holder);
  const binding = foreign.length === 0
    ? passed('holder_binding' as const, `Every badge was issued to the holder, ${outcome.holder}.`)
    : failed('holder_binding' as const, 'holder_mismatch', `Presented by ${outcome.holder}, but ${foreign.map((r) => `${r.summary.id ?? 'a badge'} (issued to ${r.summary.subject ?? 'a hashed identifier'})`).join(', ')} ${foreign.length === 1 ? 'was' : 'were'} not issued to the holder.`);
  return finish([structure, proof, binding], reports, outcome.holder, warnings, options);
}

/** The credentials check, the approval, and the report: the same for both proof formats. */
function finish(checks: PresentationCheck[], credentials: CredentialReport[], holder: string | undefined, warnings: string[], options: PresentationVerificationOptions): PresentationReport {
  const [, proof, binding] = checks as [PresentationCheck, PresentationCheck, PresentationCheck];
  const failedCredentials = credentials.filter((c) => !c.verified);
  checks.push(
    failedCredentials.length === 0
      ? passed('credentials', `All ${credentials.length} credentials verified.`)
      : failed('credentials', 'credential_not_verified', `${failedCredentials.length} of ${credentials.length} credentials do not verify: ${failedCredentials.map((c) => `${c.summary.achievement?.name ?? c.summary.id ?? 'a credential'} (${c.checks.find((k) => !k.passed)?.reason ?? 'failed'})`).join('; ')}.`),
  );
  // A badge that fails does not sink the presentation's approval alone: the rule says what is missing.
  const presentationOk = proof.passed && binding.passed;
  const verified = checks.every((c) => c.passed);
  let approval;
  if (options.rule) {
    approval = presentationOk
      ? evaluateApprovalRule(options.rule, credentials, holder, options.now)
      : refuseApproval(options.rule, `The presentation itself is refused: ${(proof.passed ? binding : proof).reason}`, holder);
  }
  // VC-API `options.checks` narrows the answer for each credential, never the holder's own checks.
  const requested = credentials.find((c) => c.requested !== undefined)?.requested;
  const narrowed = requested && {
    checks: requested.checks,
    verified: checks.every((c) => c.passed || c.check === 'credentials') && credentials.every((c) => c.requested?.verified ?? c.verified),
  };
  return { verified, ...(narrowed ? { requested: narrowed } : {}), holder, checks, warnings, credentials, approval };
}

export async function verifyPresentationDocument(presentation: unknown, ctx: CredentialVerificationContext, options: PresentationVerificationOptions = {}): Promise<PresentationReport> {
  const jwt = envelopedJwt(presentation);
  if (jwt !== undefined) return verifyJwtPresentationDocument(jwt, ctx, options);
  const checks: PresentationCheck[] = [];
  const warnings: string[] = [];
  const structure = checkStructure(presentation, ctx);
  checks.push(structure);
  if (!structure.passed || !isObject(presentation)) {
    return { verified: false, checks, warnings, credentials: [], approval: options.rule && refuseApproval(options.rule, 'The presentation is malformed.') };
  }
  const [proof, credentials] = await Promise.all([
    checkProof(presentation, ctx, options, warnings),
    Promise.all(asArray(presentation.verifiableCredential).map((c): Promise<CredentialReport> => verifyOpenBadge(c, ctx, { now: options.now, checks: options.checks }))),
  ]);
  checks.push(proof.check);
  const binding = checkHolderBinding(presentation, proof.authentication, warnings);
  checks.push(binding.check);
  return finish(checks, credentials, binding.holder, warnings, options);
}
