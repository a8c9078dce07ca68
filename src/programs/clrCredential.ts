// Builds the unsigned 1EdTech CLR 2.0 `ClrCredential` of a completed program (CLR 2.0 §4
// "ClrCredential", §B.1 ClrSubject, Association): the VC Data Model 2.0 envelope with the CLR
// 2.0 and OB 3.0 contexts, the issuer Profile, and a `ClrSubject` holding the educator's signed
// badges verbatim (`verifiableCredential`), the program's Achievement and each badge's
// Achievement (`achievement`), and an `isChildOf` Association from each competency to the
// program Achievement (`association`). Its own status entries make the record revocable.
import { OB_EXTENSIONS_CONTEXT, OB_SCHEMA_VALIDATOR_TYPE, OB_V3_CONTEXT, VC_V2_CONTEXT, type IssuerProfile } from '../credentials/openBadge.js';
import { CLR_CREDENTIAL_SCHEMA, validateAgainstSchema, type SchemaProblem } from '../credentials/schema.js';
import { asArray, isObject, type Json } from '../credentials/jsonValues.js';
import { nameIdentity } from '../credentials/recipient.js';
import { credentialStatusValue } from '../status/entries.js';
import type { Program } from './program.js';

export const CLR_V2_CONTEXT = 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json';
export const CLR_CREDENTIAL_TYPE = 'ClrCredential';

export const programUrl = (baseUrl: string, code: string): string => `${baseUrl}/programs/${encodeURIComponent(code)}`;
export const recordUrl = (baseUrl: string, id: string): string => `${baseUrl}/records/${id}`;

export interface ClrInput {
  credentialId: string;
  issuer: IssuerProfile;
  program: Program;
  baseUrl: string;
  /** The educator: a DID names the subject; the name is shown. */
  subject: { did?: string | undefined; name: string };
  /** The signed badges, embedded as they were issued. */
  badges: readonly Json[];
  validFrom: string;
  credentialStatus?: unknown[] | undefined;
}

/** The program as an OB 3.0 Achievement: its completion statement is its criteria. */
export function programAchievement(baseUrl: string, program: Program, issuer: IssuerProfile, badgeAchievements: readonly Json[]): Json {
  const id = programUrl(baseUrl, program.code);
  const names = badgeAchievements.map((a) => (typeof a.name === 'string' ? a.name : String(a.id)));
  return {
    id,
    type: ['Achievement'],
    achievementType: program.achievementType,
    name: program.name,
    description: program.description,
    humanCode: program.code,
    creator: { id: issuer.id, type: ['Profile'], name: issuer.name },
    criteria: {
      id: `${id}#criteria`,
      narrative: `${program.completion}. Completed by mastering each of: ${names.join('; ')}.`,
    },
  };
}

const subjectOf = (badge: Json): Json | undefined => asArray(badge.credentialSubject).find(isObject);

/**
 * The subject's identifiers: the salted email identities its badges carry (so a verifier can
 * see that a badge named by a hashed email is about the record's subject, CLR 2.0 ClrSubject
 * `identifier`), and the name.
 */
function subjectIdentifiers(badges: readonly Json[], name: string): Json[] {
  const seen = new Set<string>();
  const identities: Json[] = [];
  for (const badge of badges) {
    for (const identity of asArray(subjectOf(badge)?.identifier).filter(isObject)) {
      if (identity.identityType !== 'emailAddress' || typeof identity.identityHash !== 'string' || seen.has(identity.identityHash)) continue;
      seen.add(identity.identityHash);
      identities.push(identity);
    }
  }
  return [...identities, nameIdentity(name) as unknown as Json];
}

export function buildClrCredential(input: ClrInput): Json {
  const badgeAchievements = input.badges.map((b) => subjectOf(b)?.achievement).filter(isObject);
  const program = programAchievement(input.baseUrl, input.program, input.issuer, badgeAchievements);
  return {
    '@context': [VC_V2_CONTEXT, CLR_V2_CONTEXT, OB_V3_CONTEXT, OB_EXTENSIONS_CONTEXT],
    id: input.credentialId,
    type: ['VerifiableCredential', CLR_CREDENTIAL_TYPE],
    name: input.program.completion,
    description: `${input.program.name}: the program record of ${input.subject.name}, holding the ${input.badges.length} signed badges that complete it.`,
    issuer: input.issuer,
    validFrom: input.validFrom,
    awardedDate: input.validFrom,
    credentialSubject: {
      ...(input.subject.did ? { id: input.subject.did } : {}),
      type: ['ClrSubject'],
      identifier: subjectIdentifiers(input.badges, input.subject.name),
      verifiableCredential: [...input.badges],
      achievement: [program, ...badgeAchievements],
      association: badgeAchievements.map((a) => ({ type: 'Association', associationType: 'isChildOf', sourceId: a.id, targetId: program.id })),
    },
    ...(input.credentialStatus && input.credentialStatus.length > 0 ? { credentialStatus: credentialStatusValue(input.credentialStatus) } : {}),
    // The pinned 1EdTech schema the record is checked against before signing and by verifiers.
    credentialSchema: [{ id: CLR_CREDENTIAL_SCHEMA, type: OB_SCHEMA_VALIDATOR_TYPE }],
  };
}

/** A record this service built fails the CLR 2.0 schema: a bug of ours, never the caller's input. */
export class ClrSchemaError extends Error {
  constructor(readonly problems: readonly SchemaProblem[]) {
    super(`The program record fails the CLR 2.0 ClrCredential schema: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
  }
}

/** Throws ClrSchemaError unless the unsigned record passes the pinned CLR 2.0 schema. */
export function assertClrSchemaValid(unsigned: Json): void {
  const { problems } = validateAgainstSchema(CLR_CREDENTIAL_SCHEMA, unsigned);
  if (problems.length > 0) throw new ClrSchemaError(problems);
}

/** True when a credential's type names it a CLR 2.0 ClrCredential. */
export const isClrCredential = (credential: unknown): boolean => isObject(credential) && asArray(credential.type).includes(CLR_CREDENTIAL_TYPE);

/** The credentials a ClrCredential embeds (`credentialSubject.verifiableCredential`). */
export const embeddedCredentials = (credential: Json): unknown[] => asArray(subjectOf(credential)?.verifiableCredential);
