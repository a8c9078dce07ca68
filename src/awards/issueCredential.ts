// VC-API issuance of a credential the caller built: check it names this issuer, is an object
// our pinned contexts fully define, and (for Open Badges) passes the 1EdTech schema; that the
// token may have this type signed, that it awards no framework achievement (POST /awards does,
// with the mastery rule) and names no status list or index (the service allocates them,
// src/awards/callerCredentialPolicy.ts); then sign.
import { createHash, randomUUID } from 'node:crypto';
import type { ProofSuiteName } from '../config.js';
import { VC_V2_CONTEXT } from '../credentials/openBadge.js';
import { dataModelProblems, issueSideProblems } from '../credentials/dataModelRules.js';
import { asArray } from '../credentials/jsonValues.js';
import { openBadgeSchemaProblems } from '../credentials/openBadgeSchemaGate.js';
import { DocumentNotAllowedError } from '../signing/documentLoader.js';
import type { Issuer } from '../signing/issuer.js';
import type { JsonObject } from '../signing/suites.js';
import { UniqueConflictError } from '../store/errors.js';
import type { Repositories, Store } from '../store/store.js';
import { commitTogether, type GroupCommitter, type GroupedWrite } from './groupCommit.js';
import { credentialStatusValue } from '../status/entries.js';
import type { CompetencyFramework } from '../competencies/framework.js';
import type { Scope } from '../store/tokens.js';
import { CredentialTypeRefusedError, expandedTypes, frameworkAchievementProblems, readStatusRequest, typeRefusal, type StatusRequest } from './callerCredentialPolicy.js';
import type { StatusAllocator, StatusReservation } from './issueAward.js';

export interface CredentialProblem {
  pointer: string;
  detail: string;
}

export class CredentialRejectedError extends Error {
  readonly code = 'credential_rejected';
  constructor(message: string, readonly problems: CredentialProblem[] = []) {
    super(message);
  }
}

const OB_TYPES = ['OpenBadgeCredential', 'AchievementCredential'];


/** Structural checks that give a precise reason before JSON-LD processing gives a vague one. */
export function checkCallerCredential(credential: JsonObject, issuerDid: string): CredentialProblem[] {
  const problems: CredentialProblem[] = [];
  const contexts = asArray(credential['@context']);
  if (contexts.length === 0 || typeof contexts[0] !== 'string') {
    problems.push({ pointer: '/@context', detail: 'must be an array whose first item is a VC context URL' });
  }
  const types = asArray(credential.type);
  if (!types.includes('VerifiableCredential')) problems.push({ pointer: '/type', detail: "must include 'VerifiableCredential'" });
  const issuer = credential.issuer;
  const issuerId = typeof issuer === 'string' ? issuer : (issuer as { id?: unknown } | undefined)?.id;
  if (issuerId !== issuerDid) {
    problems.push({ pointer: '/issuer', detail: `must be this service's issuer, ${issuerDid} (got ${JSON.stringify(issuerId ?? null)})` });
  }
  if (credential.proof !== undefined) problems.push({ pointer: '/proof', detail: 'must be absent: the service adds the proof' });
  problems.push(...dataModelProblems(credential), ...issueSideProblems(credential));
  const subject = credential.credentialSubject;
  const subjects = Array.isArray(subject) ? subject : [subject];
  if (subject === undefined) problems.push({ pointer: '/credentialSubject', detail: 'is required' });
  else if (subjects.length === 0 || !subjects.every((s) => typeof s === 'object' && s !== null && !Array.isArray(s))) {
    problems.push({ pointer: '/credentialSubject', detail: 'must be an object (or a non-empty list of objects)' });
  }
  if (types.some((t) => OB_TYPES.includes(t as string)) && contexts[0] === VC_V2_CONTEXT) {
    for (const p of openBadgeSchemaProblems(credential)) {
      problems.push({ pointer: p.path, detail: `OB 3.0 schema: ${p.message}` });
    }
  }
  return problems;
}

/**
 * This service's status entries for a VC 2.0 credential (Bitstring Status List is a VC 2.0
 * recommendation, its terms are in the VC 2.0 context: a VC 1.1 credential is signed as sent).
 * A caller's request ({type: 'BitstringStatusListEntry', statusPurpose}) is answered with them,
 * or refused when the service cannot allocate that purpose.
 */
async function reserveStatus(deps: IssueCredentialDeps, credential: JsonObject, request: StatusRequest): Promise<StatusReservation | undefined> {
  const v2 = asArray(credential['@context'])[0] === VC_V2_CONTEXT;
  const pointer = '/credentialStatus';
  if (request.requested.length > 0 && !v2) {
    throw rejected([{ pointer, detail: `a BitstringStatusListEntry needs the VC 2.0 context (${VC_V2_CONTEXT}) first in @context` }]);
  }
  if (request.requested.length > 0 && !deps.status) {
    throw rejected([{ pointer, detail: 'this service runs no status lists, so it cannot allocate a BitstringStatusListEntry: leave credentialStatus out' }]);
  }
  if (!v2 || !deps.status) return undefined;
  const reservation = await deps.status.reserve();
  const purposes = reservation.entries.map((e) => e.statusPurpose);
  const unknown = request.requested.filter((p) => !purposes.includes(p));
  if (unknown.length > 0) {
    reservation.release();
    throw rejected([{ pointer, detail: `statusPurpose ${unknown.map((p) => JSON.stringify(p)).join(', ')} is not one this service allocates (${purposes.join(', ')})` }]);
  }
  return reservation;
}

/** Explains JSON-LD failures (safe mode, unknown contexts) in the caller's terms. */
function describeSigningFailure(error: unknown): CredentialRejectedError {
  const e = error as { name?: string; message?: string; details?: { event?: { code?: string; details?: unknown } }; cause?: unknown };
  if (error instanceof DocumentNotAllowedError || e.cause instanceof DocumentNotAllowedError) {
    const url = (error instanceof DocumentNotAllowedError ? error : (e.cause as DocumentNotAllowedError)).url;
    return new CredentialRejectedError(`Unknown context '${url}': only the pinned contexts can be used`, [{ pointer: '/@context', detail: `unknown context ${url}` }]);
  }
  const urlMatch = /URL: "?([^"\s]+)"?|Refusing to load '([^']+)'/.exec(String(e.message) + JSON.stringify(e.details ?? {}));
  if (e.name === 'jsonld.ValidationError' && e.details?.event) {
    const event = e.details.event;
    return new CredentialRejectedError(
      `JSON-LD safe mode: ${event.code ?? 'invalid'} ${JSON.stringify(event.details ?? {})}: every property and type must be defined by the credential's contexts`,
      [{ pointer: '/', detail: `${event.code ?? 'invalid'}: ${JSON.stringify(event.details ?? {})}` }],
    );
  }
  if (urlMatch) {
    const url = urlMatch[1] ?? urlMatch[2];
    return new CredentialRejectedError(`Unknown context '${url}': only the pinned contexts can be used`, [{ pointer: '/@context', detail: `unknown context ${url}` }]);
  }
  return new CredentialRejectedError(`The credential cannot be signed: ${e.message ?? String(error)}`);
}

export interface IssueCredentialDeps {
  store: Store;
  issuer: Issuer;
  /** The framework whose achievements only POST /awards awards, and the service's URL. */
  framework: CompetencyFramework;
  baseUrl: string;
  /** When present, VC 2.0 credentials get this service's status entries (one per purpose it runs). */
  status?: StatusAllocator | undefined;
  /** Stores credentials in shared transactions (the server's, src/issuance.ts); absent, each commits alone. */
  committer?: GroupCommitter | undefined;
}

/**
 * Credentials issued through the VC-API are kept like awards (so their status can be changed
 * through POST /credentials/status and their indexes are never reused), under this marker
 * instead of a framework competency.
 */
export const VC_API_ACHIEVEMENT_CODE = 'vc-api:credential';

export class CredentialIdTakenError extends Error {
  constructor(readonly credentialId: string) {
    super(`A different credential with the id '${credentialId}' was already issued; give each credential its own id`);
  }
}

/** Key order does not change what a credential says: hash it with keys sorted. */
function contentHash(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sorted(x)])) : v;
  return createHash('sha256').update(JSON.stringify(sorted(value))).digest('hex');
}

export interface IssuedCredential {
  credential: JsonObject;
  /** False when the same credential had been issued before and is returned again. */
  created: boolean;
}

const rejected = (problems: CredentialProblem[]): CredentialRejectedError =>
  new CredentialRejectedError(problems.map((p) => `${p.pointer}: ${p.detail}`).join('; '), problems);

export async function issueCallerCredential(
  deps: IssueCredentialDeps,
  credential: JsonObject,
  options: { actor: string; scopes: readonly Scope[]; suite?: ProofSuiteName | undefined; created?: Date | undefined },
): Promise<IssuedCredential> {
  const statusRequest = readStatusRequest(credential, deps.baseUrl);
  const problems = [
    ...checkCallerCredential(credential, deps.issuer.identity.did),
    ...frameworkAchievementProblems(credential, deps.baseUrl, deps.framework),
    ...statusRequest.problems,
  ];
  if (problems.length > 0) throw rejected(problems);
  let types: string[];
  try {
    types = await expandedTypes(credential, deps.issuer.documentLoader);
  } catch (error) {
    if (error instanceof CredentialTypeRefusedError) throw error;
    throw describeSigningFailure(error);
  }
  const refusal = typeRefusal(types, options.scopes);
  if (refusal) throw refusal;
  const awardId = randomUUID();
  const credentialId = typeof credential.id === 'string' ? credential.id : `urn:uuid:${awardId}`;
  const hash = contentHash(credential);
  // A credential id names one credential: the same one asked again is returned again (a retry
  // is safe), a different one under that id is refused.
  const replayed = async (): Promise<IssuedCredential | undefined> => {
    const earlier = await deps.store.awards.findByCredentialId(credentialId);
    if (!earlier) return undefined;
    if (earlier.requestHash !== hash) throw new CredentialIdTakenError(credentialId);
    return { credential: earlier.credential, created: false };
  };
  const earlier = await replayed();
  if (earlier) return earlier;
  const reservation = await reserveStatus(deps, credential, statusRequest);
  let signed: JsonObject;
  try {
    const withStatus = reservation ? { ...credential, credentialStatus: credentialStatusValue([...statusRequest.kept, ...reservation.entries]) } : credential;
    signed = await deps.issuer.sign(withStatus, { suite: options.suite, created: options.created });
  } catch (error) {
    reservation?.release();
    throw describeSigningFailure(error);
  }
  const subject = asArray(signed.credentialSubject)[0] as { id?: unknown } | undefined;
  const write = async (tx: Repositories): Promise<void> => {
    await tx.awards.insert({
      id: awardId,
      credentialId,
      achievementCode: VC_API_ACHIEVEMENT_CODE,
      recipientDid: typeof subject?.id === 'string' && subject.id.startsWith('did:') ? subject.id : null,
      recipientEmail: null,
      recipientName: null,
      emailSalt: null,
      credential: signed,
      idempotencyKey: null,
      requestHash: hash,
      createdAt: new Date().toISOString(),
    });
    await reservation?.commit(awardId, tx);
    await tx.audit.record({
      actor: options.actor,
      action: 'credential.issued',
      subject: credentialId,
      detail: { awardId, types: asArray(signed.type), suite: options.suite ?? deps.issuer.suite, statusEntries: reservation ? reservation.entries.length : 0 },
    });
  };
  const unit: GroupedWrite<IssuedCredential> = {
    write,
    committed: () => ({ credential: signed, created: true }),
    async abandon(error) {
      reservation?.release();
      // Two concurrent requests with one credential id: the second gets the first's answer.
      if (error instanceof UniqueConflictError) {
        const winner = await replayed();
        if (winner) return winner;
      }
      throw error;
    },
  };
  // Concurrent issues share a commit when the service has a committer (src/issuance.ts).
  if (deps.committer) return deps.committer.add(unit);
  const [outcome] = await commitTogether(deps.store, [unit]);
  if (outcome === undefined || outcome instanceof Error) throw outcome ?? new Error('The credential was not stored');
  return outcome;
}
