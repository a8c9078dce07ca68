// Reads what a person wants to see from an Open Badges 3.0 credential: the achievement, the
// competency it aligns to, the issuer and its endorsements, the dates and the evidence. Any
// field may be missing or of the wrong type (the verify page shows foreign badges), so every
// read is defensive and yields plain strings.
type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

export interface EvidenceFact {
  name: string;
  description?: string | undefined;
  narrative?: string | undefined;
  url?: string | undefined;
}

export interface EndorsementFact {
  endorser: string;
  comment?: string | undefined;
  date?: string | undefined;
}

export interface BadgeFacts {
  id?: string | undefined;
  name: string;
  description?: string | undefined;
  achievementName: string;
  achievementId?: string | undefined;
  achievementCode?: string | undefined;
  achievementDescription?: string | undefined;
  criteria?: string | undefined;
  image?: string | undefined;
  competency?: string | undefined;
  framework?: string | undefined;
  issuerName: string;
  issuerId?: string | undefined;
  issuerUrl?: string | undefined;
  endorsements: EndorsementFact[];
  recipientName?: string | undefined;
  recipientDid?: string | undefined;
  awardedDate?: string | undefined;
  validFrom?: string | undefined;
  validUntil?: string | undefined;
  evidence: EvidenceFact[];
}

function endorsementFact(value: unknown): EndorsementFact | undefined {
  const e = obj(value);
  if (!e) return undefined;
  const issuer = obj(e.issuer);
  const subject = obj(e.credentialSubject);
  return {
    endorser: str(issuer?.name) ?? str(e.issuer) ?? str(issuer?.id) ?? 'an unnamed endorser',
    comment: str(subject?.endorsementComment),
    date: str(e.validFrom),
  };
}

export function badgeFacts(credential: Json): BadgeFacts {
  const subject = obj(list(credential.credentialSubject)[0]) ?? {};
  const achievement = obj(subject.achievement) ?? {};
  const alignment = obj(list(achievement.alignment)[0]);
  const issuer = obj(credential.issuer);
  const image = obj(achievement.image);
  const nameIdentity = list(subject.identifier)
    .map(obj)
    .find((i) => i?.identityType === 'name' && i.hashed === false);
  return {
    id: str(credential.id),
    name: str(credential.name) ?? str(achievement.name) ?? 'Untitled badge',
    description: str(credential.description),
    achievementName: str(achievement.name) ?? str(credential.name) ?? 'Untitled achievement',
    achievementId: str(achievement.id),
    achievementCode: str(achievement.humanCode),
    achievementDescription: str(achievement.description),
    criteria: str(obj(achievement.criteria)?.narrative),
    image: str(image?.id) ?? str(achievement.image),
    competency: str(alignment?.targetName),
    framework: str(alignment?.targetFramework),
    issuerName: str(issuer?.name) ?? str(credential.issuer) ?? str(issuer?.id) ?? 'Unknown issuer',
    issuerId: str(issuer?.id) ?? str(credential.issuer),
    issuerUrl: str(issuer?.url),
    endorsements: list(issuer?.endorsement).map(endorsementFact).filter((e): e is EndorsementFact => e !== undefined),
    recipientName: str(nameIdentity?.identityHash),
    recipientDid: str(subject.id),
    awardedDate: str(credential.awardedDate) ?? str(credential.validFrom),
    validFrom: str(credential.validFrom),
    validUntil: str(credential.validUntil),
    evidence: list(credential.evidence)
      .map(obj)
      .filter((e): e is Json => e !== undefined)
      .map((e) => ({ name: str(e.name) ?? 'Evidence', description: str(e.description), narrative: str(e.narrative), url: str(e.id) })),
  };
}

/** "12 March 2026" for an ISO date-time; the input unchanged if it does not parse. */
export function humanDate(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** One sentence about the evidence: how many observations, over which dates. */
export function evidenceSummary(evidence: EvidenceFact[]): string {
  if (evidence.length === 0) return 'No evidence is attached to this badge.';
  const dates = evidence
    .map((e) => /\((\d{4}-\d{2}-\d{2})\)/.exec(e.name)?.[1])
    .filter((d): d is string => d !== undefined)
    .sort();
  const span = dates.length > 0 ? ` between ${humanDate(dates[0])} and ${humanDate(dates[dates.length - 1])}` : '';
  const noun = evidence.length === 1 ? 'piece of evidence' : 'pieces of evidence';
  return `${evidence.length} ${noun}${span}, each rated against the competency's rubric.`;
}
