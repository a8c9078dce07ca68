// What a token may have this issuer sign through the VC-API (POST /credentials/issue). A
// signature there speaks for the agency, so the route signs only what no other route owns:
//
// - Types, decided on the expanded JSON-LD types (an inline context cannot rename an
//   EndorsementCredential into something else): an `issue` token signs plain credentials and
//   Open Badges (OpenBadgeCredential, AchievementCredential); an `admin` token also other types.
//   EndorsementCredential (it makes a program trusted by every verifier that trusts this agency)
//   only through POST /endorsements, and status list credentials never: the service signs its
//   own lists.
// - Achievements: a credential awarding one of this issuer's framework achievements goes
//   through POST /awards, which applies the mastery rule; the VC-API would skip it.
// - Status: the service allocates status list entries, so an index is never shared. A caller
//   may ask for them ({type: 'BitstringStatusListEntry', statusPurpose}, the form the W3C suites
//   and DCC issuers use) and may carry an entry of a status type this service does not run
//   (the VC Data Model suite's `CredentialStatusList2017`), but never an entry that names a
//   status list or an index, a status-list entry of its own making, or a URL of this service.
import jsonld from 'jsonld';
import type { CompetencyFramework } from '../competencies/framework.js';
import { asArray, idOf, isObject, type Json } from '../credentials/jsonValues.js';
import type { DataModelProblem } from '../credentials/dataModelRules.js';
import type { DocumentLoader } from '../signing/documentLoader.js';
import type { Scope } from '../store/tokens.js';

const VC_TYPE = 'https://www.w3.org/2018/credentials#VerifiableCredential';
const OB_VOCAB = 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#';
/** AchievementCredential is an alias of OpenBadgeCredential in the OB 3.0 context. */
const OPEN_BADGE_TYPE = `${OB_VOCAB}OpenBadgeCredential`;

/** The expanded types an `issue` token may have signed. */
const ISSUE_SCOPE_TYPES = new Set([VC_TYPE, OPEN_BADGE_TYPE]);

interface Refusal {
  status: 403 | 422;
  detail: string;
}

/** Types no token may have signed here, whatever its scope, and where they come from instead. */
const REFUSED_TYPES = new Map<string, Refusal>([
  [`${OB_VOCAB}EndorsementCredential`, { status: 403, detail: 'EndorsementCredential is issued only through POST /endorsements, with an admin token' }],
  ...[
    'https://www.w3.org/ns/credentials/status#BitstringStatusListCredential',
    'https://w3id.org/vc/status-list#StatusList2021Credential',
    'https://w3id.org/vc-revocation-list-2020#RevocationList2020Credential',
  ].map((iri): [string, Refusal] => [
    iri,
    { status: 422, detail: `${shortName(iri)} is never issued on request: the service signs its own status lists (GET /status/{listId}) and changes them through POST /credentials/status` },
  ]),
]);

function shortName(iri: string): string {
  return iri.slice(Math.max(iri.lastIndexOf('#'), iri.lastIndexOf('/')) + 1) || iri;
}

export class CredentialTypeRefusedError extends Error {
  constructor(
    readonly refusedType: string,
    readonly status: 403 | 422,
    message: string,
  ) {
    super(message);
  }
}

/** The credential's types as IRIs (JSON-LD expansion in safe mode, with the pinned contexts). */
export async function expandedTypes(credential: Json, documentLoader: DocumentLoader): Promise<string[]> {
  const expanded = (await jsonld.expand(structuredClone(credential), { documentLoader, safe: true })) as Array<Record<string, unknown>>;
  if (expanded.length !== 1) throw new CredentialTypeRefusedError('(none)', 422, 'The credential must be one JSON-LD node (no @graph of several)');
  return asArray(expanded[0]?.['@type']).filter((t): t is string => typeof t === 'string');
}

/** Why these types may not be signed for a token with these scopes, or undefined when they may. */
export function typeRefusal(types: readonly string[], scopes: readonly Scope[]): CredentialTypeRefusedError | undefined {
  for (const type of types) {
    const refused = REFUSED_TYPES.get(type);
    if (refused) return new CredentialTypeRefusedError(shortName(type), refused.status, refused.detail);
  }
  if (scopes.includes('admin')) return undefined;
  const other = types.find((t) => !ISSUE_SCOPE_TYPES.has(t));
  if (other) {
    return new CredentialTypeRefusedError(
      shortName(other),
      403,
      `A token with the 'issue' scope signs only plain credentials (VerifiableCredential) and Open Badges (OpenBadgeCredential, AchievementCredential); ${shortName(other)} needs an admin token`,
    );
  }
  return undefined;
}

const sameOrigin = (url: unknown, baseUrl: string): boolean => {
  if (typeof url !== 'string') return false;
  try {
    return new URL(url).origin === new URL(baseUrl).origin;
  } catch {
    return false;
  }
};

const normalized = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim().toLowerCase() : undefined);

/**
 * A credential that awards one of this issuer's framework achievements (its id, an id on this
 * service, its name or code, or an alignment to this service's framework) must come from
 * POST /awards, where the mastery rule is applied.
 */
export function frameworkAchievementProblems(credential: Json, baseUrl: string, framework: CompetencyFramework): DataModelProblem[] {
  const problems: DataModelProblem[] = [];
  const names = new Set(framework.competencies.flatMap((c) => [normalized(c.name), normalized(c.code)]).filter(Boolean));
  const route = 'award it through POST /awards, which applies the mastery rule';
  const subjects = credential.credentialSubject;
  asArray(subjects).forEach((subject, i) => {
    if (!isObject(subject) || subject.achievement === undefined) return;
    const base = Array.isArray(subjects) ? `/credentialSubject/${i}/achievement` : '/credentialSubject/achievement';
    const achievements = subject.achievement;
    asArray(achievements).forEach((achievement, j) => {
      const at = Array.isArray(achievements) ? `${base}/${j}` : base;
      const id = idOf(achievement);
      if (sameOrigin(id, baseUrl)) {
        problems.push({ pointer: typeof achievement === 'string' ? at : `${at}/id`, detail: `${id} is this issuer's own achievement: ${route}` });
        return;
      }
      if (!isObject(achievement)) return;
      for (const field of ['name', 'humanCode'] as const) {
        const value = normalized(achievement[field]);
        if (value && names.has(value)) {
          problems.push({ pointer: `${at}/${field}`, detail: `'${String(achievement[field])}' is one of this issuer's framework achievements: ${route}` });
        }
      }
      asArray(achievement.alignment).forEach((alignment, k) => {
        if (isObject(alignment) && sameOrigin(alignment.targetUrl, baseUrl)) {
          problems.push({ pointer: `${at}/alignment/${k}/targetUrl`, detail: `aligns to this issuer's framework: ${route}` });
        }
      });
    });
  });
  return problems;
}

export interface StatusRequest {
  problems: DataModelProblem[];
  /** Purposes the caller asked the service to allocate entries for. */
  requested: string[];
  /** Entries of other status types, kept as given (the service adds its own beside them). */
  kept: Json[];
}

/** Status list entry types: their entries name a list and an index, which only the service allocates. */
const STATUS_LIST_ENTRY_TYPES = new Set(['BitstringStatusListEntry', 'StatusList2021Entry', 'RevocationList2020Status']);
const LIST_AND_INDEX_FIELDS = ['statusListCredential', 'statusListIndex', 'revocationListCredential', 'revocationListIndex'];

/** Sorts a caller's `credentialStatus` into requests, kept entries and refusals. */
export function readStatusRequest(credential: Json, baseUrl: string): StatusRequest {
  const result: StatusRequest = { problems: [], requested: [], kept: [] };
  const status = credential.credentialStatus;
  if (status === undefined) return result;
  const allocates = "this service allocates status list entries itself, so an index is never shared: leave credentialStatus out, or ask for an entry with {\"type\": \"BitstringStatusListEntry\", \"statusPurpose\": \"revocation\"}";
  asArray(status).forEach((entry, i) => {
    const pointer = Array.isArray(status) ? `/credentialStatus/${i}` : '/credentialStatus';
    if (!isObject(entry)) return; // dataModelProblems reports it
    const types = asArray(entry.type);
    const isRequest =
      types.length === 1 && types[0] === 'BitstringStatusListEntry' && typeof entry.statusPurpose === 'string' && Object.keys(entry).every((k) => k === 'type' || k === 'statusPurpose');
    if (isRequest) {
      result.requested.push(entry.statusPurpose as string);
      return;
    }
    const named = LIST_AND_INDEX_FIELDS.filter((f) => f in entry);
    if (named.length > 0) {
      result.problems.push({ pointer, detail: `credential.credentialStatus names ${named.join(' and ')}: ${allocates}` });
      return;
    }
    const listType = types.find((t) => typeof t === 'string' && STATUS_LIST_ENTRY_TYPES.has(t));
    if (listType) {
      result.problems.push({ pointer, detail: `credential.credentialStatus carries a ${String(listType)} of its own: ${allocates}` });
      return;
    }
    if (sameOrigin(entry.id, baseUrl)) {
      result.problems.push({ pointer: `${pointer}/id`, detail: `${String(entry.id)} is a URL of this service: ${allocates}` });
      return;
    }
    result.kept.push(entry);
  });
  return result;
}
