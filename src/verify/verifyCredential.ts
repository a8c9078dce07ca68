// The verification pipeline for one credential, in the order of the Open Badges 3.0
// verification section: structure, JSON Schema, proof (and that the issuer signed), validity
// dates, status, recipient, embedded endorsements; then the trust decision of the verifier's
// policy. Each step reports passed or failed with a reason; nothing here throws for a bad
// credential.
import * as vc from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';
import { OB_SCHEMA_VALIDATOR_TYPE, VC_V1_CONTEXT, VC_V2_CONTEXT } from '../credentials/openBadge.js';
import { dataModelProblems } from '../credentials/dataModelRules.js';
import { emailMatchesIdentity, type IdentityObject } from '../credentials/recipient.js';
import { isPinnedSchema, validateAgainstSchema } from '../credentials/schema.js';
import { contextReferences, type DocumentLoader } from '../signing/documentLoader.js';
import type { StatusChecker } from '../status/checkStatus.js';
import { isStatusEntrySetProblem } from '../status/obSchemaStatus.js';
import { describeProofError } from './proofErrors.js';
import { hasProofChain, verifyProofChain } from './proofChain.js';
import { revokedKeyReason, revokedProofKeys } from './revokedKeys.js';
import {
  DECISIVE_CHECKS,
  failed,
  passed,
  type Check,
  type CredentialCheckName,
  type CredentialReport,
  type CredentialSummary,
} from './report.js';
import { decideTrust } from './trustDecision.js';
import { verifyRecordContents } from './verifyRecord.js';
import { isClrCredential } from '../programs/clrCredential.js';
import type { FederationListing } from './federation.js';
import type { RegistryListing } from './trustRegistries.js';
import type { TrustPolicy } from './trustPolicy.js';
import type { ExpectedRecipient } from './types.js';
import { overLimit, VERIFICATION_LIMITS, type VerificationLimits } from './limits.js';
import { asArray, idOf, isObject, type Json } from '../credentials/jsonValues.js';
import { credentialOfJwt, decodeJwt, envelopedJwt, jwtClaimProblems, JwtFormatError, verifyJwtByKid, type DecodedJwt } from '../credentials/jwtCredential.js';

type CredentialCheck = Check<CredentialCheckName>;

export interface CredentialVerificationContext {
  documentLoader: DocumentLoader;
  /** The proof suites for a document (Data Integrity v1 documents get the legacy context). */
  suitesFor: (document: Record<string, unknown>) => unknown[];
  checkStatus: StatusChecker;
  /** True for the context URLs this verifier holds (pinned or configured extra contexts). */
  isKnownContext: (url: string) => boolean;
  policy: TrustPolicy;
  /** The issuer registries the policy accepts, as loaded (src/verify/trustRegistries.ts). */
  registry?: ((issuer: string) => RegistryListing | undefined) | undefined;
  /** The OpenID Federation sources the policy accepts: a trust chain for the issuer, or why none (src/verify/federation.ts). */
  federation?: ((issuer: string) => Promise<{ listing?: FederationListing; reason?: string }>) | undefined;
  /** Per-request caps (default VERIFICATION_LIMITS). */
  limits?: VerificationLimits | undefined;
}

export interface CredentialVerificationOptions {
  recipient?: ExpectedRecipient | undefined;
  now?: Date | undefined;
  /** VC-API `options.checks`: only these decide `report.requested.verified` (`verified` is always every check). */
  checks?: string[] | undefined;
  /** Verifying a credential inside a record: a record in it is not opened again. */
  withinRecord?: boolean | undefined;
}

/** VC-API check names (and ours) → the pipeline checks they stand for. */
const REQUESTED_CHECKS = new Map<string, CredentialCheckName[]>([
  // A proof secures a credential only when it is its issuer's (VC Data Model 2.0 §4.7 Issuer and
  // §7.1 Verification): a valid signature by another key proves nothing about the credential.
  ['proof', ['structure', 'proof', 'issuer']],
  ['issuer', ['structure', 'proof', 'issuer']],
  ['schema', ['structure', 'schema']],
  ['credentialSchema', ['structure', 'schema']],
  ['dates', ['structure', 'dates']],
  ['expiration', ['structure', 'dates']],
  ['validity', ['structure', 'dates']],
  ['status', ['structure', 'status']],
  ['credentialStatus', ['structure', 'status']],
  ['recipient', ['structure', 'recipient']],
  ['structure', ['structure']],
]);

/** The checks that decide `verified`: all of them, or those the caller asked for (never none). */
export function decisiveChecks(requested: string[] | undefined): { decisive: readonly CredentialCheckName[]; unknown: string[] } {
  if (!requested || requested.length === 0) return { decisive: DECISIVE_CHECKS, unknown: [] };
  const unknown = requested.filter((name) => !REQUESTED_CHECKS.has(name));
  const decisive = [...new Set(requested.flatMap((name) => REQUESTED_CHECKS.get(name) ?? []))];
  return { decisive: decisive.length > 0 ? decisive : DECISIVE_CHECKS, unknown };
}

const OB_CREDENTIAL_TYPES = ['OpenBadgeCredential', 'AchievementCredential', 'EndorsementCredential'];
/** Clocks drift: a badge signed a moment ago on another machine is not "from the future". */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Endorsements are verified, their own embedded endorsements are not (no endless chains). */
const MAX_ENDORSEMENT_DEPTH = 1;

const typesOf = (v: Json): string[] => asArray(v.type).filter((t): t is string => typeof t === 'string');
const isDateTime = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v));

export function summarize(credential: unknown): CredentialSummary {
  if (!isObject(credential)) return { type: [] };
  const issuer = credential.issuer;
  const issuerId = idOf(issuer);
  const subject = isObject(credential.credentialSubject) ? credential.credentialSubject : undefined;
  // A CLR 2.0 ClrSubject lists achievements; the first is the record's own (the program's).
  const achievement = subject ? asArray(subject.achievement).find(isObject) : undefined;
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    id: text(credential.id),
    type: typesOf(credential),
    issuer: issuerId ? { id: issuerId, name: isObject(issuer) ? text(issuer.name) : undefined } : undefined,
    subject: subject ? text(subject.id) : undefined,
    achievement: achievement
      ? {
          id: text(achievement.id),
          name: text(achievement.name),
          humanCode: text(achievement.humanCode),
          achievementType: text(achievement.achievementType),
          alignment: asArray(achievement.alignment)
            .filter(isObject)
            .map((a) => ({ targetUrl: text(a.targetUrl), targetCode: text(a.targetCode), targetName: text(a.targetName) })),
        }
      : undefined,
    validFrom: text(credential.validFrom) ?? text(credential.issuanceDate),
    validUntil: text(credential.validUntil) ?? text(credential.expirationDate),
    achievementType: achievement ? text(achievement.achievementType) : undefined,
    ...(subject && achievement ? achievedLevelOf(subject, achievement) : {}),
    subjectName: subject ? subjectNameOf(subject) : undefined,
  };
}

/**
 * OB 3.0 `Result.achievedLevel` names a `RubricCriterionLevel` of the achievement's
 * `resultDescription`: its name, and its rank (its place in the rubric, first = 1).
 */
function achievedLevelOf(subject: Json, achievement: Json): Pick<CredentialSummary, 'achievedLevel' | 'rubric'> {
  const level = asArray(subject.result).filter(isObject).map((r) => r.achievedLevel).find((l): l is string => typeof l === 'string');
  if (level === undefined) return {};
  for (const description of asArray(achievement.resultDescription).filter(isObject)) {
    const levels = asArray(description.rubricCriterionLevel).filter(isObject);
    const index = levels.findIndex((l) => l.id === level);
    const name = (l: Json | undefined): string | undefined => (typeof l?.name === 'string' ? l.name : undefined);
    if (index >= 0) return { achievedLevel: { id: level, name: name(levels[index]), rank: index + 1 }, rubric: levels.map((l, i) => name(l) ?? `level ${i + 1}`) };
  }
  return { achievedLevel: { id: level } };
}

/** The recipient's name: `credentialSubject.name`, or an unhashed OB 3.0 `IdentityObject` of type `name`. */
function subjectNameOf(subject: Json): string | undefined {
  if (typeof subject.name === 'string' && subject.name.trim() !== '') return subject.name;
  const named = asArray(subject.identifier).filter(isObject).find((i) => i.identityType === 'name' && i.hashed === false && typeof i.identityHash === 'string');
  return named ? (named.identityHash as string) : undefined;
}

function checkStructure(credential: unknown, ctx: CredentialVerificationContext, securedByJwt = false): CredentialCheck {
  const fail = (code: string, reason: string) => failed('structure' as const, code, reason);
  if (!isObject(credential)) return fail('not_a_credential', 'The document is not a JSON object.');
  const contexts = asArray(credential['@context']);
  const first = contexts[0];
  if (first !== VC_V2_CONTEXT && first !== VC_V1_CONTEXT) {
    return fail('context_invalid', `The first @context must be ${VC_V2_CONTEXT} (or ${VC_V1_CONTEXT} for VC 1.1), not ${JSON.stringify(first ?? null)}.`);
  }
  const unknown = [...contextReferences(credential)].filter((url) => !ctx.isKnownContext(url));
  if (unknown.length > 0) {
    return fail('context_unknown', `Unknown JSON-LD context ${unknown.map((u) => `'${u}'`).join(', ')}: this verifier only uses the contexts it holds and never loads one from the network.`);
  }
  const types = typesOf(credential);
  if (!types.includes('VerifiableCredential')) return fail('type_invalid', 'The type must include "VerifiableCredential".');
  const issuer = idOf(credential.issuer);
  if (!issuer) return fail('issuer_missing', 'The credential names no issuer (an issuer id or a Profile with an id).');
  if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(issuer)) return fail('issuer_invalid', `The issuer id ${JSON.stringify(issuer)} is not a URI.`);
  const subjects = asArray(credential.credentialSubject);
  if (subjects.length === 0 || !subjects.every(isObject)) return fail('subject_missing', 'credentialSubject must be an object (or a list of objects).');
  if (first === VC_V1_CONTEXT && !isDateTime(credential.issuanceDate)) return fail('issuance_date_missing', 'A VC 1.1 credential needs an issuanceDate date-time.');
  if (credential.proof === undefined && !securedByJwt) return fail('proof_missing', 'The credential is not signed: it has no proof.');
  const limits = ctx.limits ?? VERIFICATION_LIMITS;
  const proofCount = asArray(credential.proof).length;
  if (proofCount > limits.proofsPerCredential) {
    // Refused before any key is resolved: each proof could name a did:web document to fetch.
    return fail('limit_exceeded', `${overLimit('proofsPerCredential', limits.proofsPerCredential, `The credential has ${proofCount} proofs; none was verified`)}.`);
  }
  const malformed = dataModelProblems(credential);
  if (malformed.length > 0) return fail('malformed_value', `Not a conforming credential: ${malformed.map((p) => `${p.pointer} ${p.detail}`).join('; ')}.`);
  const isOpenBadge = types.some((t) => OB_CREDENTIAL_TYPES.includes(t));
  if (isOpenBadge && types.includes('EndorsementCredential') === false) {
    const achievement = isObject(subjects[0]) ? (subjects[0] as Json).achievement : undefined;
    if (!isObject(achievement)) return fail('achievement_missing', 'An Open Badges credential must name its Achievement in credentialSubject.achievement.');
  }
  const version = first === VC_V2_CONTEXT ? 'VC 2.0' : 'VC 1.1';
  const kind = isOpenBadge ? `an Open Badges 3.0 ${types.find((t) => OB_CREDENTIAL_TYPES.includes(t))}` : 'a verifiable credential (not an Open Badge)';
  return passed('structure', `Well-formed: ${kind} (${version}${securedByJwt ? ', secured as a JWT' : ''}), every context known.`);
}

/** A JWT-secured credential, opened: the credential it carries, or why it is not one. */
type OpenedJwt = { ok: true; decoded: DecodedJwt; credential: Json } | { ok: false; code: string; reason: string };

function openJwt(jwt: string): OpenedJwt {
  let decoded: DecodedJwt;
  try {
    decoded = decodeJwt(jwt);
  } catch (error) {
    if (error instanceof JwtFormatError) return { ok: false, code: error.code, reason: error.message };
    throw error;
  }
  const credential = credentialOfJwt(decoded);
  if (!credential) return { ok: false, code: 'not_a_credential', reason: 'The JWT carries no credential: no vc claim (OB 3.0 §8.2), and its typ is not vc+jwt.' };
  return { ok: true, decoded, credential };
}

/**
 * The proof of a JWT-secured credential: the JWS signature by the key `kid` names, listed by
 * its controller for assertions (the issuer check then compares the controller with the
 * issuer, as for Data Integrity proofs), and registered claims that agree with the credential.
 */
async function checkJwtProof(decoded: DecodedJwt, credential: Json, ctx: CredentialVerificationContext): Promise<ProofOutcome> {
  const signed = await verifyJwtByKid(decoded, { documentLoader: ctx.documentLoader, relationship: 'assertionMethod', algorithms: ['EdDSA'] });
  if (!signed.ok) return { check: failed('proof', signed.code, signed.reason), signers: [] };
  const problems = jwtClaimProblems(decoded.payload, credential);
  if (problems.length > 0) return { check: failed('proof', 'jwt_claims_mismatch', `The JWT's claims contradict the credential it secures: ${problems.join('; ')}.`), signers: [] };
  const details = { type: 'JWT', alg: decoded.header.alg, verificationMethod: signed.verificationMethod };
  return { check: passed('proof', `Signature valid: JWT (${String(decoded.header.alg)}) by ${signed.verificationMethod}.`, details), signers: [signed.controller] };
}

function checkSchema(credential: Json): { check: CredentialCheck; warnings: string[] } {
  const warnings: string[] = [];
  const schemas = asArray(credential.credentialSchema);
  if (schemas.length === 0) {
    return { check: passed('schema', 'The credential names no credentialSchema to validate against.'), warnings };
  }
  const problems: Array<{ schema: string; path: string; message: string }> = [];
  const validated: string[] = [];
  for (const entry of schemas) {
    if (!isObject(entry) || typeof entry.id !== 'string' || typeof entry.type !== 'string') {
      return { check: failed('schema', 'credential_schema_invalid', 'Each credentialSchema entry must have an id and a type.'), warnings };
    }
    if (entry.type !== OB_SCHEMA_VALIDATOR_TYPE && entry.type !== 'JsonSchema') {
      warnings.push(`credentialSchema ${entry.id} has type ${entry.type}, which this verifier does not apply.`);
      continue;
    }
    if (!isPinnedSchema(entry.id)) {
      warnings.push(`credentialSchema ${entry.id} is not one this verifier holds; it was not applied (schemas are never fetched).`);
      continue;
    }
    const result = validateAgainstSchema(entry.id, credential);
    // VC 2.0 lets a credential carry a set of status entries; the OB 3.0.x schema wants one.
    const real = result.problems.filter((p) => !isStatusEntrySetProblem(p, credential));
    problems.push(...real.map((p) => ({ schema: entry.id as string, ...p })));
    validated.push(entry.id.split('/').pop() ?? entry.id);
  }
  if (problems.length > 0) {
    const first = problems.slice(0, 3).map((p) => `${p.path} ${p.message}`).join('; ');
    return { check: failed('schema', 'schema_invalid', `Does not match its JSON Schema: ${first}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}.`, problems), warnings };
  }
  if (validated.length === 0) return { check: passed('schema', 'No credentialSchema this verifier holds was named; none applied.'), warnings };
  return { check: passed('schema', `Matches ${validated.join(', ')}.`), warnings };
}

interface ProofOutcome {
  check: CredentialCheck;
  /** Controllers of the keys whose proofs verified (the issuer check compares them). */
  signers: string[];
}

const controllerOf = (result: Record<string, unknown>): string | undefined => {
  const method = result.verificationMethod as Json | undefined;
  const controller = method?.controller;
  if (typeof controller === 'string') return controller;
  if (isObject(controller) && typeof controller.id === 'string') return controller.id;
  const id = (result.proof as Json | undefined)?.verificationMethod;
  return typeof id === 'string' ? id.split('#')[0] : undefined;
};

/**
 * The proof, on its own: each proof must verify with a key its controller lists for
 * assertions. Whether that controller is the issuer is the next check. @digitalbazaar/vc also
 * judges dates, which the dates step reports separately, so the proof is checked at a moment
 * inside the validity period (a signature does not depend on when it is checked) and status
 * is left to the status step.
 */
async function checkProof(credential: Json, ctx: CredentialVerificationContext, now: Date): Promise<ProofOutcome> {
  const from = Date.parse(String(credential.validFrom ?? credential.issuanceDate ?? ''));
  const until = Date.parse(String(credential.validUntil ?? credential.expirationDate ?? ''));
  let at = now;
  if (!Number.isNaN(until) && until < at.getTime()) at = new Date(until);
  if (!Number.isNaN(from) && from > at.getTime()) at = new Date(from);
  let result: Awaited<ReturnType<typeof vc.verifyCredential>>;
  try {
    result = await vc.verifyCredential({
      credential,
      suite: ctx.suitesFor(credential),
      purpose: new jsigs.purposes.AssertionProofPurpose(),
      documentLoader: ctx.documentLoader,
      now: at,
      // Dates are the dates check's (a validity window that ends before it starts has no moment
      // inside it): the signature is checked whatever they say.
      maxClockSkew: Number.POSITIVE_INFINITY,
      checkStatus: async () => ({ verified: true }),
    });
  } catch (error) {
    result = { verified: false, error };
  }
  const proofs = asArray(credential.proof).filter(isObject);
  const revokedKeys = await revokedProofKeys(credential, ctx.documentLoader);
  const details = (proof: Json) => ({ type: proof.type, cryptosuite: proof.cryptosuite, verificationMethod: proof.verificationMethod, created: proof.created, proofs: proofs.length });
  // A proof set is accepted on the proofs that verify; the others (an unsupported suite, a
  // broken co-signature) are reported, not held against the credential. Chained proofs
  // (previousProof) are checked against the document with the proofs they name.
  const good = (result.results ?? []).filter(
    (r) => r.verified === true && (r.proof as Json | undefined)?.previousProof === undefined && !revokedKeys.has(String((r.proof as Json | undefined)?.verificationMethod)),
  );
  const signers = good.map(controllerOf).filter((c): c is string => c !== undefined);
  const chain = hasProofChain(credential) ? await verifyProofChain(credential, ctx.suitesFor(credential), ctx.documentLoader) : undefined;
  if (chain?.verified && chain.proof) {
    if (chain.signer) signers.unshift(chain.signer);
    return { check: passed('proof', `Signature valid: a proof chain ending in ${String(chain.proof.verificationMethod)} (${chain.reason}).`, details(chain.proof)), signers };
  }
  if (chain) return { check: failed('proof', 'proof_chain_invalid', `The proof chain does not verify: ${chain.reason}.`), signers: [] };
  if (good.length > 0) {
    const proof = (good[0]?.proof as Json | undefined) ?? {};
    const kind = typeof proof.cryptosuite === 'string' ? `${String(proof.type)} (${proof.cryptosuite})` : String(proof.type);
    const others = result.verified ? '' : ` ${proofs.length - good.length} other proof${proofs.length - good.length === 1 ? '' : 's'} of the set did not verify (${describeProofError(result).reason.replace(/\.$/, '')}).`;
    return { check: passed('proof', `Signature valid: ${kind} by ${String(proof.verificationMethod)}.${others}`, details(proof)), signers };
  }
  const [revokedKey] = revokedKeys;
  if (revokedKey) return { check: failed('proof', 'key_revoked', revokedKeyReason(...revokedKey)), signers: [] };
  const { code, reason } = describeProofError(result);
  return { check: failed('proof', code, reason), signers: [] };
}

/** The issuer signed: a verified proof was made with a key the issuer controls. */
function checkIssuerKey(credential: Json, signers: string[]): CredentialCheck {
  const issuer = idOf(credential.issuer);
  if (issuer !== undefined && signers.includes(issuer)) return passed('issuer', `Signed with a key of the issuer, ${issuer}.`);
  return failed('issuer', 'issuer_key_mismatch', `The proof was made with a key that does not belong to the issuer named in the credential (signed by ${signers.join(', ') || 'nobody'}, issuer ${issuer ?? 'not named'}).`);
}

function checkDates(credential: Json, now: Date): CredentialCheck {
  const v1 = asArray(credential['@context'])[0] === VC_V1_CONTEXT;
  const fromName = v1 ? 'issuanceDate' : 'validFrom';
  const untilName = v1 ? 'expirationDate' : 'validUntil';
  const from = credential[fromName];
  const until = credential[untilName];
  for (const [name, value] of [[fromName, from], [untilName, until]] as const) {
    if (value !== undefined && !isDateTime(value)) return failed('dates', 'date_invalid', `${name} ${JSON.stringify(value)} is not a date-time.`);
  }
  // VC DM 2.0 §4.9: a validity period ends after it starts; one that does not is never valid.
  if (isDateTime(from) && isDateTime(until) && Date.parse(until) < Date.parse(from)) {
    return failed('dates', 'validity_window_invalid', `${untilName} ${until} is before ${fromName} ${from}: the credential is never valid.`);
  }
  const t = now.getTime();
  if (isDateTime(from) && Date.parse(from) - CLOCK_SKEW_MS > t) return failed('dates', 'not_yet_valid', `Not valid before ${from} (${fromName}).`);
  if (isDateTime(until) && Date.parse(until) <= t) return failed('dates', 'expired', `Expired at ${until} (${untilName}).`);
  const window = `${isDateTime(from) ? `from ${from}` : 'with no start date'}${isDateTime(until) ? ` until ${until}` : ', with no end date'}`;
  return passed('dates', `Within its validity period (${window}).`);
}

async function checkStatusEntries(credential: Json, ctx: CredentialVerificationContext): Promise<{ check: CredentialCheck; warnings: string[] }> {
  if (credential.credentialStatus === undefined) {
    return { check: passed('status', 'The credential has no status entry: its issuer cannot revoke or suspend it.'), warnings: ['No credentialStatus: revocation cannot be checked.'] };
  }
  let results;
  try {
    results = await ctx.checkStatus(credential);
  } catch (error) {
    return { check: failed('status', 'status_check_failed', `Status could not be checked: ${(error as Error).message}`), warnings: [] };
  }
  const details = results.map((r) => ({ purpose: r.purpose, set: r.set, ok: r.ok, reason: r.reason, code: r.code, statusListCredential: r.statusListCredential }));
  const revoked = results.find((r) => r.code === 'revoked');
  if (revoked) return { check: failed('status', 'revoked', 'Revoked by its issuer.', details), warnings: [] };
  const suspended = results.find((r) => r.code === 'suspended');
  if (suspended) return { check: failed('status', 'suspended', 'Suspended by its issuer (it may be reinstated).', details), warnings: [] };
  const broken = results.find((r) => !r.ok);
  if (broken) return { check: failed('status', broken.code ?? 'status_check_failed', broken.reason, details), warnings: [] };
  const purposes = results.map((r) => r.purpose).join(' and ');
  return { check: passed('status', `Status list checked (${purposes}): neither revoked nor suspended.`, details), warnings: [] };
}

function checkRecipient(credential: Json, expected: ExpectedRecipient): CredentialCheck {
  const subjects = asArray(credential.credentialSubject).filter(isObject);
  if (expected.did !== undefined) {
    if (subjects.some((s) => s.id === expected.did)) return passed('recipient', `Issued to ${expected.did}.`);
    const actual = subjects.map((s) => s.id).find((id) => typeof id === 'string');
    return failed('recipient', 'recipient_mismatch', actual ? `Issued to ${String(actual)}, not to ${expected.did}.` : `The badge names its recipient by a hashed identifier, not by ${expected.did}.`);
  }
  if (expected.email !== undefined) {
    const identities = subjects.flatMap((s) => asArray(s.identifier)).filter((i): i is IdentityObject => isObject(i) && typeof (i as Json).identityHash === 'string');
    if (identities.some((i) => emailMatchesIdentity(expected.email ?? '', i))) return passed('recipient', 'Issued to the email address given (it matches the salted hash in the badge).');
    return failed('recipient', 'recipient_mismatch', 'The email address given does not match the recipient identifier in the badge.');
  }
  return passed('recipient', 'No recipient was given to compare.');
}

/** EndorsementCredentials embedded where OB 3.0 allows them: credential, issuer, achievement. */
export function embeddedEndorsements(credential: Json): unknown[] {
  const subject = asArray(credential.credentialSubject).find(isObject);
  const achievement = subject && isObject(subject.achievement) ? subject.achievement : undefined;
  const issuer = isObject(credential.issuer) ? credential.issuer : undefined;
  return [...asArray(credential.endorsement), ...asArray(issuer?.endorsement), ...asArray(achievement?.endorsement)];
}

export async function verifyOpenBadge(
  credential: unknown,
  ctx: CredentialVerificationContext,
  options: CredentialVerificationOptions = {},
  depth = 0,
): Promise<CredentialReport> {
  const now = options.now ?? new Date();
  // A JWT-secured badge (compact JWT, or an EnvelopedVerifiableCredential) goes through the same
  // checks on the credential it carries; only the proof step differs.
  const jwt = depth === 0 ? envelopedJwt(credential) : undefined;
  const opened = jwt !== undefined ? openJwt(jwt) : undefined;
  if (opened?.ok) credential = opened.credential;
  const summary = summarize(credential);
  const checks: CredentialCheck[] = [];
  const warnings: string[] = [];
  const { decisive, unknown: unknownChecks } = decisiveChecks(options.checks);
  if (unknownChecks.length > 0) warnings.push(`Unknown checks requested and ignored: ${unknownChecks.join(', ')}.`);
  const report = async (endorsements: CredentialReport[] = [], embedded?: CredentialReport[]): Promise<CredentialReport> => {
    const ran = (name: CredentialCheckName) => checks.find((c) => c.check === name);
    const verifiedBy = (names: readonly CredentialCheckName[]) =>
      checks.every((c) => c.passed || !names.includes(c.check)) && (!names.includes('proof') || ran('proof')?.passed === true) && (!names.includes('issuer') || ran('issuer')?.passed === true);
    // `verified` is every check: trust, approvals and the pages decide on it. VC-API
    // `options.checks` only narrows the answer to the caller, reported beside it.
    const verified = verifiedBy(DECISIVE_CHECKS);
    const requested = options.checks !== undefined && options.checks.length > 0 ? { checks: [...decisive], verified: verifiedBy(decisive) } : undefined;
    // Trust is about the issuer: only a credential its issuer provably signed can earn it.
    // A federation is asked only for an issuer the policy and the registries do not already decide.
    const issuerId = summary.issuer?.id;
    const federated = verified && issuerId !== undefined && ctx.federation && !ctx.policy.trustedIssuers.some((p) => p.id === issuerId) && !ctx.registry?.(issuerId) ? await ctx.federation(issuerId) : undefined;
    const trust = verified
      ? decideTrust(summary, endorsements, ctx.policy, ctx.registry, federated)
      : { trusted: false, reason: ran('issuer')?.passed === false ? 'The issuer did not sign it, so trust was not considered.' : 'Not verified, so trust was not considered.', policy: ctx.policy.name };
    return { verified, ...(requested ? { requested } : {}), summary, checks, warnings, endorsements, trust, ...(embedded ? { embedded } : {}) };
  };

  if (opened && !opened.ok) {
    checks.push(failed('structure', opened.code, opened.reason));
    return report();
  }
  const structure = checkStructure(credential, ctx, opened !== undefined);
  checks.push(structure);
  if (!structure.passed || !isObject(credential)) return report();

  const schema = checkSchema(credential);
  checks.push(schema.check);
  warnings.push(...schema.warnings);
  const proof = opened?.ok ? await checkJwtProof(opened.decoded, credential, ctx) : await checkProof(credential, ctx, now);
  checks.push(proof.check);
  if (proof.check.passed) checks.push(checkIssuerKey(credential, proof.signers));
  checks.push(checkDates(credential, now));
  const status = await checkStatusEntries(credential, ctx);
  checks.push(status.check);
  warnings.push(...status.warnings);
  if (options.recipient && (options.recipient.did !== undefined || options.recipient.email !== undefined)) {
    checks.push(checkRecipient(credential, options.recipient));
  }

  const endorsements: CredentialReport[] = [];
  const embedded = depth < MAX_ENDORSEMENT_DEPTH ? embeddedEndorsements(credential) : [];
  const endorsementCap = (ctx.limits ?? VERIFICATION_LIMITS).endorsementsPerCredential;
  if (embedded.length > endorsementCap) {
    checks.push(failed('endorsements', 'limit_exceeded', `${overLimit('endorsementsPerCredential', endorsementCap, `The credential embeds ${embedded.length} endorsements; none was verified`)}.`));
  } else if (embedded.length > 0) {
    endorsements.push(...(await Promise.all(embedded.map((e) => verifyOpenBadge(e, ctx, { now }, depth + 1)))));
    const bad = endorsements.filter((e) => !e.verified || !e.summary.type.includes('EndorsementCredential'));
    if (bad.length === 0) {
      checks.push(passed('endorsements', `${endorsements.length} endorsement${endorsements.length === 1 ? '' : 's'} verified (${endorsements.map((e) => e.summary.issuer?.name ?? e.summary.issuer?.id).join(', ')}).`));
    } else {
      const reasons = bad.map((e) => {
        const failure = e.checks.find((c) => !c.passed);
        const who = e.summary.issuer?.name ?? e.summary.issuer?.id ?? 'an unnamed issuer';
        return failure ? `endorsement by ${who}: ${failure.reason}` : `endorsement by ${who} is not an EndorsementCredential`;
      });
      checks.push(failed('endorsements', bad.find((e) => !e.verified)?.checks.find((c) => !c.passed)?.code ?? 'endorsement_invalid', `${bad.length} of ${endorsements.length} endorsements do not verify: ${reasons.join('; ')}.`));
    }
  }
  if (isClrCredential(credential) && !options.withinRecord) {
    const contents = await verifyRecordContents(credential, (c) => verifyOpenBadge(c, ctx, { now, withinRecord: true }), (ctx.limits ?? VERIFICATION_LIMITS).credentialsPerPresentation);
    checks.push(...contents.checks);
    return report(endorsements, contents.embedded);
  }
  return report(endorsements);
}
